package dev.plutus.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * Request latencies in fixed buckets (Prometheus style: cumulative upper bounds in seconds), cheap
 * enough to update on every hook. Percentiles are read as the upper bound of their bucket.
 */
public final class LatencyHistogram {
    /** Bucket upper bounds in microseconds. */
    private static final long[] BOUNDS_MICROS = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000,
            100_000, 250_000, 1_000_000};

    private final LongAdder[] buckets = new LongAdder[BOUNDS_MICROS.length + 1];
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        long micros = nanos / 1_000;
        int i = 0;
        while (i < BOUNDS_MICROS.length && micros > BOUNDS_MICROS[i]) {
            i++;
        }
        buckets[i].increment();
        count.increment();
        sumNanos.add(nanos);
    }

    public long count() {
        return count.sum();
    }

    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }

    /** Upper bounds in seconds, and the cumulative count at or below each; the last is +Inf. */
    public long[] cumulativeCounts() {
        long[] out = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            out[i] = running;
        }
        return out;
    }

    public static double[] boundsSeconds() {
        double[] out = new double[BOUNDS_MICROS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = BOUNDS_MICROS[i] / 1e6;
        }
        return out;
    }

    /** The bucket bound (µs) under which fraction {@code q} of requests finished; -1 when empty or beyond the last bound. */
    public long percentileMicros(double q) {
        long[] cum = cumulativeCounts();
        long total = cum[cum.length - 1];
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * total);
        for (int i = 0; i < BOUNDS_MICROS.length; i++) {
            if (cum[i] >= rank) {
                return BOUNDS_MICROS[i];
            }
        }
        return -1;
    }
}
