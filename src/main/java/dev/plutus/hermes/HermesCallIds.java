package dev.plutus.hermes;

/**
 * The key a model call's hold and its stored record share, from its session and {@code api_request_id}.
 *
 * <p>Hermes builds {@code api_request_id} from the turn id, which begins with the session's own id
 * ({@code <session>:<task>:<8 hex>:api:<n>}), so its ids cannot meet across sessions and are kept as
 * they are: {@code api:<id>}. An id that does not begin with its session's (another sender, or a
 * session Hermes renamed by compression during a turn) is qualified by the session, so two sessions
 * sending the same id are two calls, not one call and its duplicate:
 * {@code api@<length of session>:<session>:<id>}. The length keeps a session containing ':' from
 * meeting another's id; {@code api@} keeps a qualified key from meeting any plain one.
 */
public final class HermesCallIds {
    private HermesCallIds() {}

    /** The call's key, or null without an id; {@code sessionId} null or blank leaves the id unqualified. */
    public static String callKey(String sessionId, String apiRequestId) {
        if (apiRequestId == null || apiRequestId.isBlank()) {
            return null;
        }
        if (sessionId == null || sessionId.isBlank()
                || apiRequestId.length() > sessionId.length() && apiRequestId.startsWith(sessionId)
                        && apiRequestId.charAt(sessionId.length()) == ':') {
            return "api:" + apiRequestId;
        }
        return "api@" + sessionId.length() + ":" + sessionId + ":" + apiRequestId;
    }
}
