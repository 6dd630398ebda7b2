package dev.plutus.adapter.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.plutus.adapter.BudgetExceededException;
import dev.plutus.adapter.ChatGuard;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The streaming twin of {@link PlutusChatModel}: the hold is taken before the stream starts (a
 * full hard budget throws {@link BudgetExceededException} from {@code chat}, nothing is sent), the
 * call is recorded once, from the final response's usage. A stream the application cancels through
 * its {@link StreamingHandle}, or that breaks off (a timeout), is recorded as estimated from the text
 * received, since the provider bills it; the hold is given back only when the provider answered an error.
 */
public final class PlutusStreamingChatModel implements StreamingChatModel {
    private final StreamingChatModel delegate;
    private final ChatGuard guard;
    private final String provider;

    public PlutusStreamingChatModel(StreamingChatModel delegate, ChatGuard guard) {
        this(delegate, guard, LangChain4jCalls.provider(delegate.provider()));
    }

    public PlutusStreamingChatModel(StreamingChatModel delegate, ChatGuard guard, String provider) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        chat(request, ChatRequestOptions.EMPTY, handler);
    }

    @Override
    public void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler) {
        ChatGuard.Admission admission = guard.admit(LangChain4jCalls.request(request, options, delegate.defaultRequestParameters(),
                provider, guard));
        try {
            delegate.chat(request, options, new Guarded(handler, admission, delegate.provider()));
        } catch (RuntimeException | Error e) {
            admission.release(e.getClass().getSimpleName());
            throw e;
        }
    }

    /** Passes every event on; ends the admission on the final response, an error or a cancel. */
    private static final class Guarded implements StreamingChatResponseHandler {
        private final StreamingChatResponseHandler app;
        private final ChatGuard.Admission admission;
        private final ModelProvider provider;
        /** The answer's text so far: what a cancelled or broken stream is recorded by. */
        private final StringBuffer received = new StringBuffer();

        Guarded(StreamingChatResponseHandler app, ChatGuard.Admission admission, ModelProvider provider) {
            this.app = app;
            this.admission = admission;
            this.provider = provider;
        }

        @Override
        public void onPartialResponse(String partial) {
            received.append(partial == null ? "" : partial);
            app.onPartialResponse(partial);
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            received.append(partial == null || partial.text() == null ? "" : partial.text());
            app.onPartialResponse(partial, new PartialResponseContext(cancelling(context.streamingHandle())));
        }

        @Override
        public void onPartialThinking(PartialThinking thinking) {
            app.onPartialThinking(thinking);
        }

        @Override
        public void onPartialThinking(PartialThinking thinking, PartialThinkingContext context) {
            app.onPartialThinking(thinking, new PartialThinkingContext(cancelling(context.streamingHandle())));
        }

        @Override
        public void onPartialToolCall(PartialToolCall call) {
            app.onPartialToolCall(call);
        }

        @Override
        public void onPartialToolCall(PartialToolCall call, PartialToolCallContext context) {
            app.onPartialToolCall(call, new PartialToolCallContext(cancelling(context.streamingHandle())));
        }

        @Override
        public void onCompleteToolCall(CompleteToolCall call) {
            app.onCompleteToolCall(call);
        }

        @Override
        public void onUnmappedRawEvent(Object event) {
            app.onUnmappedRawEvent(event);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            LangChain4jCalls.end(admission, response, provider);
            app.onCompleteResponse(response);
        }

        @Override
        public void onError(Throwable error) {
            LangChain4jCalls.fail(admission, error, received);
            app.onError(error);
        }

        private StreamingHandle cancelling(StreamingHandle handle) {
            return new StreamingHandle() {
                @Override
                public void cancel() {
                    handle.cancel();
                    // The provider bills what it generated before the cancel: at least the text received.
                    admission.recordUnfinished(received, "cancelled");
                }

                @Override
                public boolean isCancelled() {
                    return handle.isCancelled();
                }
            };
        }
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
