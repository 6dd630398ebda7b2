package dev.plutus.adapter;

/**
 * Who a model call is made for: the conversation ({@code sessionId}, a {@code per_session} budget),
 * the user it answers ({@code userId}, counted as the session's sender: {@code per_sender}) and the
 * agent or app making it ({@code agentId}, stored as the call's platform). Any may be null.
 */
public record CallIds(String sessionId, String userId, String agentId) {
    public static final CallIds NONE = new CallIds(null, null, null);

    public CallIds {
        sessionId = blankToNull(sessionId);
        userId = blankToNull(userId);
        agentId = blankToNull(agentId);
    }

    /** These ids, each missing one taken from {@code fallback}. */
    public CallIds orElse(CallIds fallback) {
        return new CallIds(sessionId != null ? sessionId : fallback.sessionId, userId != null ? userId : fallback.userId,
                agentId != null ? agentId : fallback.agentId);
    }

    /**
     * The session the call is stored under: the given one, else one per user ({@code user:<id>}), so
     * a user's budget applies even to an app that has no notion of sessions; null without either.
     */
    public String effectiveSessionId() {
        if (sessionId != null) {
            return sessionId;
        }
        return userId == null ? null : "user:" + userId;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
