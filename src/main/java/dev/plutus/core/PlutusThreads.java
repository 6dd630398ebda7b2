package dev.plutus.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Plutus makes background threads and keeps a failing task from killing its thread:
 * every executor in the daemon, the engine and the runway names its threads here, so a thread dump
 * tells whose they are, and none of them keeps the JVM alive.
 */
public final class PlutusThreads {
    private static final Logger LOG = LoggerFactory.getLogger(PlutusThreads.class);

    private PlutusThreads() {}

    /** Daemon threads named {@code plutus-<name>-<n>}. */
    public static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "plutus-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The task, made to log and survive its own failure: a scheduled task that throws anything is
     * never run again, and a periodic upkeep step that fails once must run at its next turn. That
     * holds for an Error too (an OutOfMemoryError from one oversized input must not stop spool replay
     * for good): it is logged at ERROR, named, and the task keeps its schedule.
     */
    public static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("background {} failed: {}", what, e.getMessage(), e);
            } catch (Throwable e) {
                LOG.error("background {} failed with {}; it runs again at its next turn", what, e, e);
            }
        };
    }
}
