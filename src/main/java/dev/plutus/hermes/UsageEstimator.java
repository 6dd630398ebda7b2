package dev.plutus.hermes;

import dev.plutus.core.TokenUsage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token counts for a call whose provider reported no usage: input from Hermes's pre-request
 * approximation, output from the response's length (about four characters a token). Such calls
 * are flagged estimated. The bridge carries the approximation with the response; without it
 * (another sender), pre-request approximations wait here until their response arrives.
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

    /**
     * {@code knownInput}: the request's size as the bridge carried it with the response (0 when it did not); it wins
     * over what was remembered here, which depends on the pre_api_request having been read first and on this daemon
     * having been up then. {@code outputChars}: the response's text and tool calls, in characters.
     */
    TokenUsage estimate(String apiRequestId, String sessionId, long knownInput, long outputChars) {
        long remembered = takeApproxInput(apiRequestId, sessionId);
        long input = knownInput > 0 ? knownInput : remembered;
        long output = (Math.max(0, outputChars) + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
        return TokenUsage.of(input, output);
    }
}
