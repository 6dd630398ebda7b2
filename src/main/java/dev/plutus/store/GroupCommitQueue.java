package dev.plutus.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent writers share transactions. A commit costs SQLite about as much for one
 * row as for a hundred, so whichever caller holds the write lock commits everything queued so far,
 * its own items and those of callers waiting behind it, who then find their work done. A lone caller
 * writes its own items at once, with no hand-off to another thread. Every caller returns only after
 * its items are committed. When a batch fails, its items are retried one by one so one bad item
 * fails alone. A write of a single item (a hook's call) goes ahead of bulk items already queued (a
 * 1,000-event /v1/usage batch): each transaction takes single items first, so one waits behind at
 * most the transaction in progress, never behind every bulk item queued before it.
 */
public final class GroupCommitQueue<T, R> {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitQueue.class);

    private record Pending<T, R>(T item, CompletableFuture<R> result) {}

    private final ConcurrentLinkedQueue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Pending<T, R>> singles = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Function<List<T>, List<R>> writer;
    private final int maxBatch;

    public GroupCommitQueue(int maxBatch, Function<List<T>, List<R>> writer) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.writer = writer;
        this.maxBatch = maxBatch;
    }

    /**
     * Writes the items, possibly together with other callers' items; results in the same order.
     * If an item fails, the others are still written and the first failure is thrown.
     */
    public List<R> writeAll(List<T> items) {
        List<Pending<T, R>> mine = new ArrayList<>(items.size());
        ConcurrentLinkedQueue<Pending<T, R>> lane = items.size() == 1 ? singles : queue;
        for (T item : items) {
            Pending<T, R> p = new Pending<>(item, new CompletableFuture<>());
            mine.add(p);
            lane.add(p);
        }
        while (!mine.get(mine.size() - 1).result().isDone()) {
            writeLock.lock();
            try {
                drain();
            } finally {
                writeLock.unlock();
            }
        }
        List<R> out = new ArrayList<>(mine.size());
        for (Pending<T, R> p : mine) {
            try {
                out.add(p.result().join());
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return out;
    }

    /** Items queued and not yet taken by a writer. */
    public int pending() {
        return queue.size() + singles.size();
    }

    public R write(T item) {
        return writeAll(List.of(item)).get(0);
    }

    private void drain() {
        List<Pending<T, R>> batch = new ArrayList<>();
        while (true) {
            for (Pending<T, R> p; batch.size() < maxBatch && (p = singles.poll()) != null; ) {
                batch.add(p);
            }
            for (Pending<T, R> p; batch.size() < maxBatch && (p = queue.poll()) != null; ) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                return;
            }
            write(batch);
            batch = new ArrayList<>();
        }
    }

    private void write(List<Pending<T, R>> batch) {
        try {
            complete(batch, writer.apply(batch.stream().map(Pending::item).toList()));
        } catch (RuntimeException batchFailure) {
            if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(batchFailure);
                return;
            }
            LOG.warn("batch of {} writes failed; retrying one by one: {}", batch.size(), batchFailure.getMessage());
            for (Pending<T, R> p : batch) {
                try {
                    complete(List.of(p), writer.apply(List.of(p.item())));
                } catch (RuntimeException single) {
                    p.result().completeExceptionally(single);
                }
            }
        }
    }

    private static <T, R> void complete(List<Pending<T, R>> batch, List<R> results) {
        if (results.size() != batch.size()) {
            throw new IllegalStateException("writer returned " + results.size() + " results for " + batch.size() + " items");
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }
}
