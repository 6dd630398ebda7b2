package dev.plutus.store;

import java.time.Instant;

/** A session row: one Hermes conversation, cron run or subagent. */
public record SessionRecord(
        String sessionId,
        String platform,
        String model,
        String provider,
        String cronJobId,
        String senderId,
        String parentSessionId,
        String rootSessionId,
        Instant startedAt,
        Instant endedAt,
        String status) {

    /** The session whose budget scopes this one spends into: itself unless it is a subagent. */
    public String rootOrSelf() {
        return rootSessionId != null ? rootSessionId : sessionId;
    }
}
