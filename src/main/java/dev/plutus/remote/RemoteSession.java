package dev.plutus.remote;

/**
 * A session as this host knows it, for the central verdict of its budgets: the session whose budget
 * it spends into (a subagent's root), its cron job and its sender; all but {@code sessionId} may be null.
 */
public record RemoteSession(String sessionId, String rootSessionId, String cronJobId, String senderId) {}
