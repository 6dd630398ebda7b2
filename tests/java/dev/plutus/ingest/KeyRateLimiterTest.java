package dev.plutus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyRateLimiterTest {
    @Test
    void aBurstPassesThenRequestsWaitForTheRefillPerKey() {
        AtomicLong nanos = new AtomicLong(0);
        KeyRateLimiter limiter = new KeyRateLimiter(2, 3, nanos::get);
        assertEquals(0, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("a"));
        assertEquals(1, limiter.acquire("a"), "empty bucket: one token is half a second away, rounded up to 1 s");
        assertEquals(0, limiter.acquire("b"), "other keys are not affected");
        nanos.addAndGet(500_000_000L);
        assertEquals(0, limiter.acquire("a"));
        assertEquals(1, limiter.acquire("a"));
        nanos.addAndGet(60_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.acquire("a"), "refill stops at the burst size");
        }
        assertEquals(1, limiter.acquire("a"));
        KeyRateLimiter slow = new KeyRateLimiter(0.1, 1, nanos::get);
        slow.acquire("c");
        assertEquals(10, slow.acquire("c"));
    }

    @Test
    void eventsAreChargedAfterTheBodyIsReadAndABatchCanPutTheKeyInDebt() {
        AtomicLong nanos = new AtomicLong(0);
        KeyRateLimiter events = new KeyRateLimiter(1000, 2000, nanos::get);
        assertEquals(0, events.available("a"));
        events.charge("a", 1000);
        events.charge("a", 1000);
        assertEquals(1, events.available("a"), "two full batches spent the burst: the third waits");
        events.charge("a", 1000);
        events.charge("a", 5000);
        assertEquals(3, events.available("a"), "debt is held to one burst: 2,001 events at 1,000/s, rounded up");
        assertEquals(0, events.available("b"), "other keys are not affected");
        nanos.addAndGet(2_001_000_000L);
        assertEquals(0, events.available("a"));
    }
}
