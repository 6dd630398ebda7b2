package dev.plutus.store;

/** Summed model-call usage for one group (a provider, a model, a cron job, or everything). */
public record UsageTotals(
        String provider,
        String model,
        String cronJobId,
        long calls,
        long estimatedCalls,
        long unpricedCalls,
        long inputTokens,
        long outputTokens,
        long cacheReadTokens,
        long cacheWriteTokens,
        long reasoningTokens,
        long costMicros,
        long latencyMillis) {

    public static UsageTotals empty() {
        return new UsageTotals(null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public long promptTokens() {
        return inputTokens + cacheReadTokens + cacheWriteTokens;
    }

    public long realCalls() {
        return calls - estimatedCalls;
    }
}
