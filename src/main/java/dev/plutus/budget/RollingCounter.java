package dev.plutus.budget;

import dev.plutus.core.Money;
import java.util.Map;
import java.util.TreeMap;

/**
 * Spend over a rolling window, to the minute: one bucket per minute that saw spend, evicted as it
 * ages out, with running sums so a read costs O(1) amortized. Sums saturate; once a running sum has
 * saturated it is recomputed from the buckets as they age out. Not thread-safe; its owner locks.
 */
final class RollingCounter {
    private static final long MINUTE_MS = 60_000L;

    private final long windowMinutes;
    private final TreeMap<Long, long[]> buckets = new TreeMap<>();
    private long spent;
    private long estimated;
    private long unpriced;
    private long provisional;
    /**
     * The last answer of {@link #read}, kept until a bucket is added to or dropped, so repeated reads return
     * one object; a verdict computed from it (when a hard window resets included) holds while it does.
     */
    private WindowSpend lastRead;
    /** The minute last added to and its bucket: calls mostly land in the current minute, so this skips the tree. */
    private long newestMinute = Long.MIN_VALUE;
    private long[] newest;

    RollingCounter(long windowMinutes) {
        this.windowMinutes = windowMinutes;
    }

    void add(long epochMillis, long cost, boolean isEstimated, boolean priced, boolean isProvisional) {
        lastRead = null;
        long minute = Math.floorDiv(epochMillis, MINUTE_MS);
        long[] b = minute == newestMinute ? newest : buckets.computeIfAbsent(minute, m -> new long[4]);
        newestMinute = minute;
        newest = b;
        b[0] = Money.plus(b[0], cost);
        spent = Money.plus(spent, cost);
        if (isEstimated) {
            b[1] = Money.plus(b[1], cost);
            estimated = Money.plus(estimated, cost);
        }
        if (!priced) {
            b[2] = Money.plus(b[2], 1);
            unpriced = Money.plus(unpriced, 1);
        }
        if (isProvisional) {
            b[3] = Money.plus(b[3], cost);
            provisional = Money.plus(provisional, cost);
        }
    }

    /** Spend in the minutes (now - window, now]; older minutes are dropped on the way. */
    WindowSpend read(long nowMillis) {
        evict(nowMillis);
        WindowSpend r = lastRead;
        if (r == null) {
            r = new WindowSpend(spent, estimated, unpriced, provisional);
            lastRead = r;
        }
        return r;
    }

    /** When spend drops below {@code thresholdMicros} if nothing more is spent; null if it already is. */
    Long millisWhenBelow(long thresholdMicros, long nowMillis) {
        evict(nowMillis);
        long remaining = spent;
        if (remaining < thresholdMicros) {
            return null;
        }
        if (remaining == Long.MAX_VALUE) {
            remaining = 0;
            for (long[] b : buckets.values()) {
                remaining = Money.plus(remaining, b[0]);
            }
        }
        for (Map.Entry<Long, long[]> e : buckets.entrySet()) {
            remaining -= e.getValue()[0];
            if (remaining < thresholdMicros) {
                return (e.getKey() + windowMinutes) * MINUTE_MS;
            }
        }
        return null;
    }

    /** When the oldest minute kept ages out, changing what {@link #read} gives; {@link Long#MAX_VALUE} with none kept. */
    long stableUntil(long nowMillis) {
        evict(nowMillis);
        return buckets.isEmpty() ? Long.MAX_VALUE : (buckets.firstKey() + windowMinutes) * MINUTE_MS;
    }

    boolean isEmpty(long nowMillis) {
        evict(nowMillis);
        return buckets.isEmpty();
    }

    private void evict(long nowMillis) {
        long oldestKept = Math.floorDiv(nowMillis, MINUTE_MS) - windowMinutes + 1;
        boolean saturated = spent == Long.MAX_VALUE || estimated == Long.MAX_VALUE || unpriced == Long.MAX_VALUE
                || provisional == Long.MAX_VALUE;
        boolean evicted = false;
        while (!buckets.isEmpty() && buckets.firstKey() < oldestKept) {
            Map.Entry<Long, long[]> first = buckets.pollFirstEntry();
            long[] b = first.getValue();
            if (first.getKey() == newestMinute) {
                newestMinute = Long.MIN_VALUE;
                newest = null;
            }
            evicted = true;
            lastRead = null;
            if (!saturated) {
                spent -= b[0];
                estimated -= b[1];
                unpriced -= b[2];
                provisional -= b[3];
            }
        }
        if (saturated && evicted) {
            spent = 0;
            estimated = 0;
            unpriced = 0;
            provisional = 0;
            for (long[] b : buckets.values()) {
                spent = Money.plus(spent, b[0]);
                estimated = Money.plus(estimated, b[1]);
                unpriced = Money.plus(unpriced, b[2]);
                provisional = Money.plus(provisional, b[3]);
            }
        }
    }
}
