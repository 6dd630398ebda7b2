package dev.plutus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class GroupCommitQueueTest {
    @Test
    void concurrentWritersShareBatchesAndEachGetsItsOwnResult() throws Exception {
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstBatchEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GroupCommitQueue<Integer, Integer> q = new GroupCommitQueue<>(512, batch -> {
            batchSizes.add(batch.size());
            firstBatchEntered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return batch.stream().map(i -> i * 10).toList();
        });
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            Future<Integer> first = pool.submit(() -> q.write(0));
            firstBatchEntered.await();
            // While the first batch is "committing", eight more writers queue up behind it.
            List<Future<Integer>> waiting = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                int n = i;
                waiting.add(pool.submit(() -> q.write(n)));
            }
            while (q.pending() < 8) {
                Thread.onSpinWait();
            }
            release.countDown();
            assertEquals(0, first.get());
            for (int i = 0; i < 8; i++) {
                assertEquals((i + 1) * 10, waiting.get(i).get());
            }
            assertEquals(List.of(1, 8), batchSizes, "the eight waiting writers shared one commit");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneBadItemFailsAloneAndTheRestOfItsBatchIsWritten() {
        List<String> written = new ArrayList<>();
        GroupCommitQueue<String, String> q = new GroupCommitQueue<>(512, batch -> {
            if (batch.contains("bad")) {
                throw new IllegalStateException("constraint failed");
            }
            written.addAll(batch);
            return batch;
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.writeAll(List.of("a", "bad", "c")));
        assertTrue(e.getMessage().contains("constraint"));
        assertEquals(List.of("a", "c"), written);
        assertEquals(List.of("d"), q.writeAll(List.of("d")));
    }
}
