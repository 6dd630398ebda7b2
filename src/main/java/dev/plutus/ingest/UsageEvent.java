package dev.plutus.ingest;

import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One event of a {@code /v1/usage} request, validated. {@code costUsd} is null when the sender left
 * pricing to Plutus; {@code timestamp} is null when the call happened "now" (the time of arrival).
 */
public record UsageEvent(String provider, String model, TokenUsage usage, BigDecimal costUsd, String taskType,
                         String workspace, String source, Instant timestamp) {

    /** Tokens the month's tracked total counts, each once: reasoning is part of output, as in Hermes's usage. */
    public long trackedTokens() {
        return usage.input() + usage.output() + usage.cacheRead() + usage.cacheWrite() + usage.cacheWrite1h();
    }
}
