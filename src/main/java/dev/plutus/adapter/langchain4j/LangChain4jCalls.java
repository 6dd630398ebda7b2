package dev.plutus.adapter.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.plutus.adapter.CallIds;
import dev.plutus.adapter.ChatGuard;
import dev.plutus.adapter.PromptTokens;
import dev.plutus.core.TokenUsage;
import java.util.Locale;
import java.util.Map;

/** What the two LangChain4j decorators share: reading a request into a guarded call, and a response into usage. */
final class LangChain4jCalls {
    private LangChain4jCalls() {}

    /** Listener attribute keys ({@code ChatRequestOptions.builder().addListenerAttribute(...)}) naming the call's ids. */
    static final String SESSION_ID = "plutus.session_id";
    static final String USER_ID = "plutus.user_id";
    static final String AGENT_ID = "plutus.agent_id";

    static ChatGuard.CallRequest request(ChatRequest request, ChatRequestOptions options, ChatRequestParameters defaults,
            String provider, ChatGuard guard) {
        ChatRequestParameters p = defaults == null ? request.parameters() : defaults.overrideWith(request.parameters());
        CallIds ids = ids(options).orElse(guard.context().current());
        return new ChatGuard.CallRequest(ids, provider, p.modelName(), promptTokens(request, p), p.maxOutputTokens());
    }

    static CallIds ids(ChatRequestOptions options) {
        if (options == null) {
            return CallIds.NONE;
        }
        Map<Object, Object> a = options.listenerAttributes();
        if (a.get(CallIds.class) instanceof CallIds given) {
            return given;
        }
        return new CallIds(text(a.get(SESSION_ID)), text(a.get(USER_ID)), text(a.get(AGENT_ID)));
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    static long promptTokens(ChatRequest request, ChatRequestParameters p) {
        PromptTokens t = new PromptTokens();
        for (ChatMessage m : request.messages()) {
            t.message();
            if (m instanceof SystemMessage s) {
                t.text(s.text());
            } else if (m instanceof UserMessage u) {
                u.contents().forEach(c -> {
                    if (c instanceof TextContent text) {
                        t.text(text.text());
                    } else {
                        t.nonText();
                    }
                });
            } else if (m instanceof AiMessage ai) {
                t.text(ai.text());
                if (ai.hasToolExecutionRequests()) {
                    for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                        t.text(r.name()).text(r.arguments());
                    }
                }
            } else if (m instanceof ToolExecutionResultMessage r) {
                t.text(r.text());
            } else {
                t.text(m.toString());
            }
        }
        if (p.toolSpecifications() != null) {
            for (ToolSpecification s : p.toolSpecifications()) {
                t.text(s.name()).text(s.description()).text(String.valueOf(s.parameters()));
            }
        }
        return t.tokens();
    }

    /** Plutus's provider id for a LangChain4j provider: the names the price table uses. */
    static String provider(ModelProvider p) {
        if (p == null) {
            return "unknown";
        }
        return switch (p) {
            case OPEN_AI -> "openai";
            case ANTHROPIC, GOOGLE_VERTEX_AI_ANTHROPIC -> "anthropic";
            case GOOGLE_AI_GEMINI, GOOGLE_GENAI, GOOGLE_VERTEX_AI_GEMINI -> "google";
            case MISTRAL_AI -> "mistral";
            case AZURE_OPEN_AI -> "azure";
            default -> p.name().toLowerCase(Locale.ROOT).replace("_", "");
        };
    }

    /** The response's usage in Plutus's classes; null when the provider reported none. */
    static TokenUsage usage(ChatResponse response, ModelProvider provider) {
        dev.langchain4j.model.output.TokenUsage u = response == null ? null : response.tokenUsage();
        if (u == null || (u.inputTokenCount() == null && u.outputTokenCount() == null)) {
            return null;
        }
        if (provider == ModelProvider.OPEN_AI) {
            TokenUsage detailed = OpenAiUsage.read(u);
            if (detailed != null) {
                return detailed;
            }
        }
        return TokenUsage.of(count(u.inputTokenCount()), count(u.outputTokenCount()));
    }

    static void end(ChatGuard.Admission admission, ChatResponse response, ModelProvider provider) {
        TokenUsage usage = usage(response, provider);
        String responseModel = response == null ? null : response.modelName();
        if (usage != null) {
            admission.record(usage, responseModel);
        } else {
            AiMessage ai = response == null ? null : response.aiMessage();
            admission.recordEstimated(PromptTokens.ofOutput(ai == null ? null : ai.text()), responseModel);
        }
    }

    static long count(Integer n) {
        return n == null || n < 0 ? 0 : n;
    }

    /**
     * Ends the admission of a call that failed: the hold is given back when the provider cannot have
     * billed it (it answered an HTTP error, or was never reached); otherwise (a client timeout, an
     * answer that could not be read) the call is recorded as estimated from {@code partialOutput}.
     */
    static void fail(ChatGuard.Admission admission, Throwable error, CharSequence partialOutput) {
        if (notBilled(error)) {
            admission.release(error.getClass().getSimpleName());
        } else {
            admission.recordUnfinished(partialOutput, error.getClass().getSimpleName());
        }
    }

    static boolean notBilled(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof dev.langchain4j.exception.HttpException || t instanceof dev.langchain4j.exception.AuthenticationException
                    || t instanceof dev.langchain4j.exception.InvalidRequestException
                    || t instanceof dev.langchain4j.exception.RateLimitException
                    || t instanceof dev.langchain4j.exception.ModelNotFoundException
                    || t instanceof dev.langchain4j.exception.InternalServerException
                    || t instanceof dev.langchain4j.exception.UnresolvedModelServerException
                    || t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }
}
