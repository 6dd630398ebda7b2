package dev.plutus.ingest;

import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One event of a {@code /v1/usage} request, validated. {@code costUsd} is null when the sender left
 * pricing to Plutus; {@code timestamp} is null when the call happened "now" (the time of arrival).
 * {@code latencyMillis} is 0 when the sender did not measure it.
 * {@code session} is null when the sender named no session (session, cron and sender budgets then
 * cannot apply to the event). {@code images} is how many images the call produced (0 when not sent),
 * for models priced per image.
 */
public record UsageEvent(String provider, String model, TokenUsage usage, BigDecimal costUsd, String taskType,
                         String workspace, String source, Instant timestamp, SessionFacts session,
                         long latencyMillis, long images) {

    public UsageEvent(String provider, String model, TokenUsage usage, BigDecimal costUsd, String taskType, String workspace,
            String source, Instant timestamp, SessionFacts session, long latencyMillis) {
        this(provider, model, usage, costUsd, taskType, workspace, source, timestamp, session, latencyMillis, 0);
    }

    /**
     * Who made the call, as a remote Plutus resolved it: the session, the session whose budget it
     * spends into (a subagent's root), the cron job and the sender. Only {@code sessionId} is required.
     */
    public record SessionFacts(String sessionId, String rootSessionId, String cronJobId, String sender) {}

    /** Tokens the month's tracked total counts, each once: reasoning is part of output, as in Hermes's usage. */
    public long trackedTokens() {
        return usage.input() + usage.output() + usage.cacheRead() + usage.cacheWrite() + usage.cacheWrite1h();
    }
}
