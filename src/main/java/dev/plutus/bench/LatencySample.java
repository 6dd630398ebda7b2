package dev.plutus.bench;

import java.util.Arrays;

/** Latencies of repeated operations, in nanoseconds, and their percentiles. */
final class LatencySample {
    private final long[] nanos;
    private int size;

    LatencySample(int capacity) {
        this.nanos = new long[capacity];
    }

    void add(long n) {
        nanos[size++] = n;
    }

    int capacity() {
        return nanos.length;
    }

    int size() {
        return size;
    }

    /** How many took longer than {@code limit} nanoseconds. */
    long countAbove(long limit) {
        long n = 0;
        for (int i = 0; i < size; i++) {
            if (nanos[i] > limit) {
                n++;
            }
        }
        return n;
    }

    /** The nearest-rank percentile, {@code p} in (0, 100]. */
    long percentile(double p) {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }

    static String micros(long nanos) {
        return String.format("%.2f µs", nanos / 1_000.0);
    }

    static String millis(long nanos) {
        return String.format("%.1f ms", nanos / 1_000_000.0);
    }
}
