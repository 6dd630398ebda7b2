package dev.plutus.store;

/**
 * Summed model-call usage for one group (a provider, a model, a cron job, or everything).
 * {@code provisionalCalls} of the unpriced calls are counted at provisional prices, which make up
 * {@code provisionalMicros} of {@code costMicros}.
 */
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
        long latencyMillis,
        long provisionalCalls,
        long provisionalMicros) {

    public UsageTotals(String provider, String model, String cronJobId, long calls, long estimatedCalls, long unpricedCalls,
                       long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, long reasoningTokens,
                       long costMicros, long latencyMillis) {
        this(provider, model, cronJobId, calls, estimatedCalls, unpricedCalls, inputTokens, outputTokens, cacheReadTokens,
                cacheWriteTokens, reasoningTokens, costMicros, latencyMillis, 0, 0);
    }

    public static UsageTotals empty() {
        return new UsageTotals(null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public long promptTokens() {
        return inputTokens + cacheReadTokens + cacheWriteTokens;
    }

    public long realCalls() {
        return calls - estimatedCalls;
    }
}
