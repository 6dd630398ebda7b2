package dev.plutus.adapter.springai;

import dev.plutus.adapter.BudgetExceededException;
import dev.plutus.adapter.CallIds;
import dev.plutus.adapter.ChatGuard;
import dev.plutus.adapter.PromptTokens;
import dev.plutus.core.TokenUsage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.core.Ordered;
import reactor.core.publisher.Flux;

/**
 * Plutus as a Spring AI {@code ChatClient} advisor, for calls and streams: the expected cost is held
 * against every budget before the request goes down the chain (a full hard budget throws
 * {@link BudgetExceededException}, a stream fails with it, and nothing is sent), the real usage is
 * recorded from the response (a stream's once, from its last usage). A cancelled stream, a timeout or
 * an unreadable answer is recorded as estimated (the provider bills it); the hold is given back on
 * other errors. Ids come from the advisor parameters {@link #SESSION_ID},
 * {@link #USER_ID}, {@link #AGENT_ID} ({@code .advisors(a -> a.param(PlutusAdvisor.SESSION_ID, id))}),
 * else from {@link ChatGuard#context()}. It runs last before the model, so messages other advisors
 * add (chat memory) are counted.
 */
public final class PlutusAdvisor implements CallAdvisor, StreamAdvisor {
    public static final String SESSION_ID = "plutus.session_id";
    public static final String USER_ID = "plutus.user_id";
    public static final String AGENT_ID = "plutus.agent_id";

    private final ChatGuard guard;
    private final String provider;
    private final ChatOptions defaults;

    /**
     * @param provider the provider as the price table names it ({@code openai}, {@code anthropic}, ...)
     * @param defaults the chat model's default options (its model name and output cap), for requests that name none; may be null
     */
    public PlutusAdvisor(ChatGuard guard, String provider, ChatOptions defaults) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.defaults = defaults;
    }

    @Override
    public String getName() {
        return "plutus";
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 100;
    }

    @Override
    public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
        ChatGuard.Admission admission = guard.admit(callRequest(request));
        ChatClientResponse response;
        try {
            response = chain.nextCall(request);
        } catch (RuntimeException | Error e) {
            fail(admission, e, null);
            throw e;
        }
        ChatResponse chat = response == null ? null : response.chatResponse();
        end(admission, chat == null ? null : chat.getMetadata().getUsage(), model(chat), outputText(chat));
        return response;
    }

    @Override
    public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
        return Flux.defer(() -> {
            ChatGuard.Admission admission = guard.admit(callRequest(request));
            AtomicReference<Usage> lastUsage = new AtomicReference<>();
            AtomicReference<String> responseModel = new AtomicReference<>();
            StringBuilder text = new StringBuilder();
            return chain.nextStream(request)
                    .doOnNext(r -> {
                        ChatResponse chat = r.chatResponse();
                        if (chat == null) {
                            return;
                        }
                        Usage u = chat.getMetadata().getUsage();
                        if (u != null && (positive(u.getPromptTokens()) || positive(u.getCompletionTokens()))) {
                            lastUsage.set(u);
                        }
                        String m = model(chat);
                        if (m != null) {
                            responseModel.set(m);
                        }
                        synchronized (text) {
                            text.append(outputText(chat));
                        }
                    })
                    .doOnComplete(() -> {
                        String all;
                        synchronized (text) {
                            all = text.toString();
                        }
                        end(admission, lastUsage.get(), responseModel.get(), all);
                    })
                    .doOnError(e -> {
                        synchronized (text) {
                            fail(admission, e, text.toString());
                        }
                    })
                    .doOnCancel(() -> {
                        // .next(), .take(n), a dropped subscriber: the provider bills what it generated, at least the text received.
                        synchronized (text) {
                            admission.recordUnfinished(text.toString(), "cancelled");
                        }
                    });
        });
    }

    private ChatGuard.CallRequest callRequest(ChatClientRequest request) {
        ChatOptions options = request.prompt().getOptions();
        String model = options != null && options.getModel() != null ? options.getModel() : defaults == null ? null : defaults.getModel();
        Integer max = options != null && options.getMaxTokens() != null ? options.getMaxTokens()
                : defaults == null ? null : defaults.getMaxTokens();
        long tokens = promptTokens(request.prompt().getInstructions(), options);
        return new ChatGuard.CallRequest(ids(request.context()).orElse(guard.context().current()), provider, model, tokens, max);
    }

    static CallIds ids(Map<String, Object> context) {
        if (context.get(CallIds.class.getName()) instanceof CallIds given) {
            return given;
        }
        return new CallIds(text(context.get(SESSION_ID)), text(context.get(USER_ID)), text(context.get(AGENT_ID)));
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    /**
     * Spring AI's usage in Plutus's classes. OpenAI counts cached tokens inside the prompt tokens;
     * the other providers' prompt counts are taken as excluding them (as Anthropic reports them).
     * Reasoning tokens are inside the completion count and not reported apart here.
     */
    private void end(ChatGuard.Admission admission, Usage u, String responseModel, String outputText) {
        if (u == null || !(positive(u.getPromptTokens()) || positive(u.getCompletionTokens()))) {
            admission.recordEstimated(PromptTokens.ofOutput(outputText), responseModel);
            return;
        }
        long prompt = count(u.getPromptTokens());
        long cacheRead = u.getCacheReadInputTokens() == null ? 0 : Math.max(0, u.getCacheReadInputTokens());
        long cacheWrite = u.getCacheWriteInputTokens() == null ? 0 : Math.max(0, u.getCacheWriteInputTokens());
        long input = "openai".equals(provider) ? Math.max(0, prompt - cacheRead - cacheWrite) : prompt;
        admission.record(new TokenUsage(input, count(u.getCompletionTokens()), cacheRead, cacheWrite, 0, 0), responseModel);
    }

    private static String model(ChatResponse chat) {
        if (chat == null || chat.getMetadata() == null) {
            return null;
        }
        String m = chat.getMetadata().getModel();
        return m == null || m.isBlank() ? null : m;
    }

    private static String outputText(ChatResponse chat) {
        if (chat == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Generation g : chat.getResults()) {
            if (g.getOutput() != null && g.getOutput().getText() != null) {
                sb.append(g.getOutput().getText());
            }
        }
        return sb.toString();
    }

    private static boolean positive(Integer n) {
        return n != null && n > 0;
    }

    private static long count(Integer n) {
        return n == null || n < 0 ? 0 : n;
    }

    /**
     * A call that timed out on the client or whose answer could not be read may well have been billed:
     * recorded as estimated. Any other failure (the provider answered an error, or was never reached)
     * gives the hold back.
     */
    private static void fail(ChatGuard.Admission admission, Throwable error, String partialOutput) {
        if (mayHaveBeenBilled(error)) {
            admission.recordUnfinished(partialOutput, error.getClass().getSimpleName());
        } else {
            admission.release(error.getClass().getSimpleName());
        }
    }

    static boolean mayHaveBeenBilled(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.http.HttpTimeoutException || t instanceof java.io.InterruptedIOException
                    || t instanceof com.fasterxml.jackson.core.JacksonException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The prompt's estimated tokens as the model will be sent them: every message's text, tool results,
     * the assistant's tool-call arguments, media parts, and the tool definitions offered.
     */
    static long promptTokens(List<Message> messages, ChatOptions options) {
        PromptTokens t = new PromptTokens();
        for (Message m : messages) {
            t.message().text(m.getText());
            if (m instanceof org.springframework.ai.chat.messages.ToolResponseMessage r) {
                for (var response : r.getResponses()) {
                    t.text(response.name()).text(response.responseData());
                }
            } else if (m instanceof org.springframework.ai.chat.messages.AssistantMessage a) {
                for (var call : a.getToolCalls()) {
                    t.text(call.name()).text(call.arguments());
                }
            }
            if (m instanceof org.springframework.ai.content.MediaContent media && media.getMedia() != null) {
                media.getMedia().forEach(x -> t.nonText());
            }
        }
        if (options instanceof org.springframework.ai.model.tool.ToolCallingChatOptions tools && tools.getToolCallbacks() != null) {
            for (var callback : tools.getToolCallbacks()) {
                var d = callback.getToolDefinition();
                t.text(d.name()).text(d.description()).text(d.inputSchema());
            }
        }
        return t.tokens();
    }
}
