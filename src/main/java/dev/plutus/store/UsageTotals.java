package dev.plutus.store;

/**
 * Summed model-call usage for one group (a provider, a model, a cron job, or everything).
 * {@code provisionalCalls} of the unpriced calls are counted at provisional prices, which make up
 * {@code provisionalMicros} of {@code costMicros}. {@code latencyMillis} sums the latency of the
 * {@code latencyCalls} calls that had one measured; the others (latency unknown, stored as 0) are
 * left out of the average.
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
        long provisionalMicros,
        long latencyCalls) {

    /** Totals from before latency was told apart from "not measured": every call with a latency counts. */
    public UsageTotals(String provider, String model, String cronJobId, long calls, long estimatedCalls, long unpricedCalls,
                       long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, long reasoningTokens,
                       long costMicros, long latencyMillis, long provisionalCalls, long provisionalMicros) {
        this(provider, model, cronJobId, calls, estimatedCalls, unpricedCalls, inputTokens, outputTokens, cacheReadTokens,
                cacheWriteTokens, reasoningTokens, costMicros, latencyMillis, provisionalCalls, provisionalMicros,
                latencyMillis > 0 ? calls : 0);
    }

    public UsageTotals(String provider, String model, String cronJobId, long calls, long estimatedCalls, long unpricedCalls,
                       long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, long reasoningTokens,
                       long costMicros, long latencyMillis) {
        this(provider, model, cronJobId, calls, estimatedCalls, unpricedCalls, inputTokens, outputTokens, cacheReadTokens,
                cacheWriteTokens, reasoningTokens, costMicros, latencyMillis, 0, 0);
    }

    public static UsageTotals empty() {
        return new UsageTotals(null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public long promptTokens() {
        return inputTokens + cacheReadTokens + cacheWriteTokens;
    }

    /** The average over calls whose latency was measured; empty when none was. */
    public java.util.OptionalLong avgLatencyMillis() {
        return latencyCalls == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(latencyMillis / latencyCalls);
    }

    public long realCalls() {
        return calls - estimatedCalls;
    }
}
