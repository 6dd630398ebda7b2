package dev.plutus.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.TokenUsage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token counts for a call whose provider reported no usage: input from Hermes's pre-request
 * approximation, output from the response's length (about four characters a token). Such calls
 * are flagged estimated. Pre-request approximations wait here until their response arrives.
 */
final class UsageEstimator {
    private static final int CHARS_PER_TOKEN = 4;
    private static final int PENDING_LIMIT = 10_000;

    private final Map<String, Long> approxInput = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > PENDING_LIMIT;
        }
    };

    synchronized void rememberRequest(String apiRequestId, String sessionId, long approxInputTokens) {
        if (apiRequestId != null) {
            approxInput.put("req:" + apiRequestId, approxInputTokens);
        }
        if (sessionId != null) {
            approxInput.put("session:" + sessionId, approxInputTokens);
        }
    }

    synchronized long takeApproxInput(String apiRequestId, String sessionId) {
        Long v = apiRequestId == null ? null : approxInput.remove("req:" + apiRequestId);
        if (v == null && sessionId != null) {
            v = approxInput.get("session:" + sessionId);
        }
        return v == null ? 0 : v;
    }

    TokenUsage estimate(String apiRequestId, String sessionId, JsonNode kwargs) {
        long input = takeApproxInput(apiRequestId, sessionId);
        long chars = Math.max(0, kwargs.path("assistant_content_chars").asLong(0));
        // The bridge sends the tool calls' size instead of the response itself, to keep hooks small.
        chars += Math.max(0, kwargs.path("_plutus_tool_call_chars").asLong(0));
        JsonNode calls = kwargs.path("response").path("assistant_message").path("tool_calls");
        if (calls.isArray()) {
            for (JsonNode c : calls) {
                chars += c.path("name").asText("").length() + c.path("arguments").asText("").length();
            }
        }
        long output = (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
        return TokenUsage.of(input, output);
    }
}
