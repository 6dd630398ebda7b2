package dev.plutus.server;

import dev.plutus.Plutus;
import dev.plutus.PlutusConfig;
import dev.plutus.PlutusHome;
import dev.plutus.ingest.IngestCounters;
import dev.plutus.ingest.IngestSettings;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.ingest.UsageIngestor;
import dev.plutus.runway.RunwayScheduler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The long-lived Plutus process Hermes's bridge talks to: the engine, its HTTP interface on
 * loopback, the spool replayer, and the files that let others find it (daemon.json, daemon.token)
 * and keep a second daemon off the same home (daemon.lock). Closing it answers the requests in
 * flight, stops the background work and closes the database; each recorded call is committed
 * before its hook is answered, so nothing acknowledged is ever lost.
 */
public final class PlutusDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dev.plutus.server");

    private final PlutusHome home;
    private final InstanceLock lock;
    private final Plutus plutus;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService upkeep;
    private final HttpApi api;
    private final DaemonStatus status;
    private final DaemonInfo info;
    private final SpoolReplayer replayer;
    private final UsageIngestor ingestor;
    private final ScheduledExecutorService runwayThread;

    private PlutusDaemon(ServeOptions options, PlutusConfig config, InstanceLock lock) throws IOException {
        this.home = config.home();
        this.lock = lock;
        // Read first: a broken plutus.yaml must fail before anything is opened or started.
        IngestSettings ingestSettings = IngestSettings.load(home.settingsFile());
        AccessToken token = AccessToken.ensure(home.tokenFile());
        this.plutus = Plutus.open(config).startBackground();
        AtomicInteger n = new AtomicInteger();
        this.httpThreads = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "plutus-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        InetSocketAddress bind = new InetSocketAddress(options.host(), options.port());
        this.status = new DaemonStatus(config.clock(), plutus.hooks().counters());
        IngestCounters ingestCounters = new IngestCounters();
        this.ingestor = new UsageIngestor(plutus, plutus.ingestStore(), ingestSettings, ingestCounters);
        KeyRateLimiter limiter = new KeyRateLimiter(ingestSettings.requestsPerSecond(), ingestSettings.burst(), System::nanoTime);
        UsageApi usage = new UsageApi(plutus.apiKeys(), limiter, ingestor, ingestCounters);
        ReservationApi reservationApi = new ReservationApi(plutus, plutus.apiKeys(), limiter);
        usage.endReservationsThrough(reservationApi);
        // Beyond loopback the dashboard shows spend to whoever can reach the port: it needs its own token then.
        DashboardApi dashboard = new DashboardApi(plutus, options.isLoopback() ? null : AccessToken.ensure(home.dashboardTokenFile()));
        this.api = new HttpApi(plutus, token, status, bind, httpThreads, usage, reservationApi,
                new MetricsText(plutus, status, ingestCounters), dashboard, options.isLoopback());
        this.replayer = new SpoolReplayer(home.spoolDir(), plutus.hooks(), status);
        this.upkeep = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plutus-spool");
            t.setDaemon(true);
            return t;
        });
        api.start();
        this.info = new DaemonInfo(ProcessHandle.current().pid(), options.host(), api.port(), status.startedAt(),
                DaemonStatus.VERSION);
        status.listening(info.baseUrl());
        info.write(home.daemonInfoFile());
        int replayed = replayer.drainAtStart();
        if (replayed > 0) {
            LOG.info("replayed " + replayed + " spooled hook events at start");
        }
        upkeep.scheduleWithFixedDelay(logFailures("spool replay", replayer::runOnce), 1, 1, TimeUnit.SECONDS);
        upkeep.scheduleWithFixedDelay(logFailures("forgetting old idempotent answers", ingestor::forgetOldAnswers),
                1, 60, TimeUnit.MINUTES);
        // Its own thread: provider calls may take the whole fetch time-out and must not hold up spool replay.
        this.runwayThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plutus-runway");
            t.setDaemon(true);
            return t;
        });
        RunwayScheduler runway = new RunwayScheduler(plutus.runway(), config.clock());
        runwayThread.scheduleWithFixedDelay(logFailures("runway", runway::tick), options.runwayFirstRun().toMillis(),
                30_000, TimeUnit.MILLISECONDS);
        LOG.info("plutus daemon " + DaemonStatus.VERSION + " serving " + home.dir() + " on " + info.baseUrl()
                + " (pid " + info.pid() + ")");
    }

    /** A periodic task whose failure is logged, not allowed to cancel its schedule. */
    private static Runnable logFailures(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, what + " failed: " + e.getMessage(), e);
            }
        };
    }

    /** Starts a daemon for the home in {@code config}; fails when another one already serves it. */
    public static PlutusDaemon start(ServeOptions options, PlutusConfig config) throws IOException {
        InstanceLock lock = InstanceLock.acquire(config.home().daemonLockFile());
        try {
            return new PlutusDaemon(options, config, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    public DaemonInfo info() {
        return info;
    }

    public DaemonStatus status() {
        return status;
    }

    public Plutus plutus() {
        return plutus;
    }

    /** Replays whatever the bridge spooled, now (tests and shutdown use it; the daemon does it every second). */
    public int replaySpoolNow() {
        return replayer.drainAtStart();
    }

    @Override
    public void close() {
        LOG.info("plutus daemon stopping");
        api.stop(2);
        httpThreads.shutdown();
        upkeep.shutdown();
        runwayThread.shutdownNow();
        try {
            httpThreads.awaitTermination(10, TimeUnit.SECONDS);
            upkeep.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        plutus.close();
        try {
            DaemonInfo.read(home.daemonInfoFile()).filter(i -> i.pid() == info.pid()).ifPresent(i -> {
                try {
                    Files.deleteIfExists(home.daemonInfoFile());
                } catch (IOException ignored) {
                    // A stale daemon.json names a dead pid; readers check that.
                }
            });
            lock.close();
        } catch (IOException e) {
            LOG.warning("releasing " + home.daemonLockFile() + ": " + e.getMessage());
        }
        LOG.info("plutus daemon stopped");
    }
}
