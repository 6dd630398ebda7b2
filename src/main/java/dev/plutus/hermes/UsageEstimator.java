package dev.plutus.hermes;

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

    /** {@code outputChars}: the response's text and tool calls, in characters. */
    TokenUsage estimate(String apiRequestId, String sessionId, long outputChars) {
        long input = takeApproxInput(apiRequestId, sessionId);
        long output = (Math.max(0, outputChars) + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
        return TokenUsage.of(input, output);
    }
}
