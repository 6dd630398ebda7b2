package dev.plutus.adapter.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.plutus.adapter.BudgetExceededException;
import dev.plutus.adapter.ChatGuard;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A LangChain4j {@link ChatModel} that asks Plutus before every call: the expected cost is held
 * against every budget, a full hard budget throws {@link BudgetExceededException} before any
 * request leaves the process, and the real usage is recorded from the response (the hold is given
 * back when the call fails). Ids come from the listener attributes {@link #SESSION_ID},
 * {@link #USER_ID}, {@link #AGENT_ID} (or a {@code CallIds} under the key {@code CallIds.class}),
 * else from {@link ChatGuard#context()}.
 */
public final class PlutusChatModel implements ChatModel {
    public static final String SESSION_ID = LangChain4jCalls.SESSION_ID;
    public static final String USER_ID = LangChain4jCalls.USER_ID;
    public static final String AGENT_ID = LangChain4jCalls.AGENT_ID;

    private final ChatModel delegate;
    private final ChatGuard guard;
    private final String provider;

    /** Guards {@code delegate}; its provider is named as the price table names it (OpenAI: {@code openai}). */
    public PlutusChatModel(ChatModel delegate, ChatGuard guard) {
        this(delegate, guard, LangChain4jCalls.provider(delegate.provider()));
    }

    /** With the provider named explicitly: for an OpenAI-compatible endpoint that serves another provider's models. */
    public PlutusChatModel(ChatModel delegate, ChatGuard guard, String provider) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return chat(request, ChatRequestOptions.EMPTY);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        ChatGuard.Admission admission = guard.admit(LangChain4jCalls.request(request, options, delegate.defaultRequestParameters(),
                provider, guard));
        ChatResponse response;
        try {
            response = delegate.chat(request, options);
        } catch (RuntimeException | Error e) {
            LangChain4jCalls.fail(admission, e, null);
            throw e;
        }
        LangChain4jCalls.end(admission, response, delegate.provider());
        return response;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return delegate.listeners();
    }

    @Override
    public ModelProvider provider() {
        return delegate.provider();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return delegate.supportedCapabilities();
    }
}
