package dev.plutus.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per API key: {@code burst} requests (or events) at once, refilled at
 * {@code perSecond}. A refused request learns how long until one token is back (the Retry-After
 * answer). Events are counted once a body is read ({@link #charge}): a batch may take the bucket
 * below zero, and the key then waits until it is paid back.
 */
public final class KeyRateLimiter {
    private final double perSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    public KeyRateLimiter(double perSecond, int burst, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** 0 while the key has allowance left (nothing is taken), else the whole seconds until it has. */
    public long available(String keyId) {
        long now = nanoTime.getAsLong();
        Bucket b = buckets.computeIfAbsent(keyId, k -> new Bucket(burst, now));
        synchronized (b) {
            refill(b, now);
            return b.tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
        }
    }

    /** Takes {@code n} from the key's allowance, at most one burst below zero. */
    public void charge(String keyId, long n) {
        long now = nanoTime.getAsLong();
        Bucket b = buckets.computeIfAbsent(keyId, k -> new Bucket(burst, now));
        synchronized (b) {
            refill(b, now);
            b.tokens = Math.max(-burst, b.tokens - n);
        }
    }

    private void refill(Bucket b, long now) {
        b.tokens = Math.min(burst, b.tokens + (now - b.updatedNanos) / 1e9 * perSecond);
        b.updatedNanos = now;
    }

    /** 0 when the request may go ahead, else the whole seconds to wait before retrying (at least 1). */
    public long acquire(String keyId) {
        long now = nanoTime.getAsLong();
        Bucket b = buckets.computeIfAbsent(keyId, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.updatedNanos) / 1e9 * perSecond);
            b.updatedNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
        }
    }
}
