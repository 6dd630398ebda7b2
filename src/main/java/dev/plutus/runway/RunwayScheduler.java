package dev.plutus.runway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link RunwayMonitor#runScheduled()} every {@code router.every} (default hourly): the
 * daemon ticks it often; it runs when the period has passed on the injected clock, re-reading
 * runway.yaml each time so a changed period holds from the next tick.
 */
public final class RunwayScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(RunwayScheduler.class);

    private final RunwayMonitor monitor;
    private final Clock clock;
    private Instant lastRun;

    public RunwayScheduler(RunwayMonitor monitor, Clock clock) {
        this.monitor = monitor;
        this.clock = clock;
    }

    /** Runs when due; returns the run, or null when it was not due or runway.yaml is broken (logged). */
    public synchronized RunwayMonitor.ScheduledRun tick() {
        Duration every;
        try {
            every = monitor.config().router().every();
        } catch (RuntimeException e) {
            LOG.warn("runway: {} (scheduled run skipped)", e.getMessage());
            return null;
        }
        monitor.retryAlerts();
        Instant now = clock.instant();
        if (lastRun != null && Duration.between(lastRun, now).compareTo(every) < 0) {
            return null;
        }
        lastRun = now;
        try {
            return monitor.runScheduled();
        } catch (RuntimeException e) {
            LOG.warn("runway scheduled run failed: {}", e.getMessage(), e);
            return null;
        }
    }
}
