package dev.plutus.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PlutusThreadsTest {

    @Test
    void aPeriodicTaskThatThrowsAnErrorOnceKeepsItsSchedule() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(PlutusThreads.named("test"));
        try {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch ranAgain = new CountDownLatch(3);
            var future = scheduler.scheduleWithFixedDelay(PlutusThreads.guarded("error once", () -> {
                if (runs.incrementAndGet() == 1) {
                    throw new OutOfMemoryError("one oversized spool file");
                }
                if (runs.get() == 2) {
                    throw new IllegalStateException("and a runtime failure");
                }
                ranAgain.countDown();
            }), 0, 5, TimeUnit.MILLISECONDS);
            assertTrue(ranAgain.await(10, TimeUnit.SECONDS), "ran " + runs.get() + " times; the Error cancelled it");
            assertFalse(future.isDone(), "still scheduled");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
