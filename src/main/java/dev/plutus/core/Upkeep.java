package dev.plutus.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One scheduler for the periodic work of a long-running process, each task under a name that its
 * log lines and failures carry. A task that fails is logged and runs again at its next turn.
 */
public final class Upkeep implements AutoCloseable {
    private final ScheduledExecutorService scheduler;
    private final List<String> tasks = new ArrayList<>();

    public Upkeep(String name) {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(PlutusThreads.named(name));
    }

    /** Runs the task first after {@code initial}, then {@code period} after each run ends. */
    public synchronized Upkeep every(String task, Duration initial, Duration period, Runnable body) {
        tasks.add(task);
        scheduler.scheduleWithFixedDelay(PlutusThreads.guarded(task, body), initial.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    public synchronized List<String> tasks() {
        return List.copyOf(tasks);
    }

    /**
     * Stops scheduling and interrupts a task that is running (a fetch waiting on a slow server gives
     * up at once), then waits up to five seconds for it.
     */
    public void closeNow() {
        scheduler.shutdownNow();
        awaitEnd();
    }

    /** Stops scheduling and waits up to five seconds for a task that is running. */
    @Override
    public void close() {
        scheduler.shutdown();
        awaitEnd();
    }

    private void awaitEnd() {
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
