package dev.plutus.http;

import dev.plutus.command.SlashCommands;
import dev.plutus.engine.Engine;
import dev.plutus.core.PlutusThreads;
import dev.plutus.core.Upkeep;
import dev.plutus.hermes.HermesHost;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.store.ExploreQueries;
import dev.plutus.store.IngestStore;
import java.time.Duration;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.ingest.IngestCounters;
import dev.plutus.ingest.IngestSettings;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.ingest.UsageIngestor;
import dev.plutus.runway.RunwayScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived Plutus process Hermes's bridge talks to: the engine, its HTTP interface on
 * loopback, the spool replayer, and the files that let others find it (daemon.json, daemon.token)
 * and keep a second daemon off the same home (daemon.lock). Closing it answers the requests in
 * flight, stops the background work and closes the database; each recorded call is committed
 * before its hook is answered, so nothing acknowledged is ever lost.
 */
public final class PlutusDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlutusDaemon.class);
    /** The hooks' Unix domain socket, in PLUTUS_HOME; its path is published in daemon.json. */
    public static final String HOOK_SOCKET = "daemon.sock";
    /** Where the bridge journals the hooks whose answer carries no verdict (see {@link JournalTailer}). */
    public static final String HOOK_JOURNAL = "hook-journal";
    /** The bridge's framed verdict socket ({@link HookChannel}), in PLUTUS_HOME; published in daemon.json as hook_channel. */
    public static final String HOOK_CHANNEL = "hook.sock";

    private final HomeLayout home;
    private final InstanceLock lock;
    private final Engine plutus;
    private final HermesHost hermes;
    private final ApiKeys apiKeys;
    private final Upkeep upkeep;
    private final HttpApi api;
    private final Path hookSocket;
    private final DaemonStatus status;
    private final DaemonInfo info;
    private final SpoolReplayer replayer;
    private final JournalTailer journal;
    private final VerdictSnapshots snapshots;
    private final HookChannel hookChannel;
    private final UsageIngestor ingestor;
    private final Upkeep runwayThread;

    private PlutusDaemon(ServeOptions options, EngineConfig config, InstanceLock lock) throws IOException {
        this.home = config.home();
        this.lock = lock;
        try {
            // Read first: a broken plutus.yaml must fail before anything is opened or started.
            IngestSettings ingestSettings = IngestSettings.load(home.settingsFile());
            HttpSettings httpSettings = HttpSettings.load(home.settingsFile());
            AccessToken token = AccessToken.ensure(home.tokenFile());
            this.plutus = Engine.open(config).startUpkeep();
            this.hermes = new HermesHost(plutus);
            this.status = new DaemonStatus(config.clock(), hermes.hooks().counters());
            IngestCounters ingestCounters = new IngestCounters();
            this.ingestor = new UsageIngestor(plutus.recorder(), plutus.gate(), config.clock(), new IngestStore(plutus.jdbc()), ingestSettings,
                    ingestCounters, plutus.sessions());
            KeyRateLimiter limiter = new KeyRateLimiter(ingestSettings.requestsPerSecond(), ingestSettings.burst(), System::nanoTime);
            this.apiKeys = new ApiKeys(new ApiKeyStore(plutus.jdbc()), config.clock());
            KeyRateLimiter eventLimiter = new KeyRateLimiter(ingestSettings.eventsPerSecond(), ingestSettings.eventBurst(), System::nanoTime);
            StoreHealth storeHealth = new StoreHealth();
            UsageApi usage = new UsageApi(apiKeys, limiter, eventLimiter, ingestor, ingestCounters, options.limits().ingestSlots(), options.threads(),
                    storeHealth);
            ReservationApi reservationApi = new ReservationApi(plutus.reservations(), plutus.gate()::zone, apiKeys, limiter);
            usage.endReservationsThrough(reservationApi);
            SlashCommands commands = SlashCommands.of(plutus, hermes.runway(), hermes.cronJobNames());
            // The read-only token: the dashboard's JSON and /metrics. On loopback the page hands it to the browser as a cookie.
            AccessToken readToken = AccessToken.ensure(home.dashboardTokenFile());
            // Behind a reverse proxy every browser arrives from loopback: only a daemon no proxy fronts may trust that.
            DashboardApi dashboard = new DashboardApi(commands, hermes.runway(), readToken, options.isLoopback() && !httpSettings.behindProxy(),
                    new DashboardExplore(new ExploreQueries(plutus.jdbc()), plutus.gate()::zone, config.clock(), hermes.cronJobNames()));
            // Hooks get a socket of their own (owner-only, like the token) when its path fits the kernel's limit.
            this.hookSocket = JettyConnectors.usableSocketPath(home.dir().resolve(HOOK_SOCKET));
            if (hookSocket == null) {
                LOG.warn("{} is too long a path for a Unix socket; hooks use TCP", home.dir().resolve(HOOK_SOCKET));
            } else {
                Files.deleteIfExists(hookSocket); // left by a daemon that was killed; the lock says none runs now
            }
            ServeOptions served = options.withAllowedHosts(httpSettings.allowedHosts());
            this.journal = new JournalTailer(home.dir().resolve(HOOK_JOURNAL), home.spoolDir(), hermes.hooks(), status);
            // The pre_tool_call answers published for the bridge to read without a round trip; none in remote
            // mode, where the central verdict can change at any moment.
            if (plutus.remote().isPresent()) {
                Files.deleteIfExists(home.dir().resolve(VerdictSnapshots.FILE));
                this.snapshots = null;
            } else {
                this.snapshots = new VerdictSnapshots(home.dir(), plutus, journal, config.clock());
                journal.onProgress(snapshots::signal);
                plutus.onUpkeepChange(snapshots::signal);
                usage.onRecorded(snapshots::signal);
            }
            HookRequests hookRequests = new HookRequests(hermes.hooks(), journal, status, storeHealth, snapshots);
            this.api = new HttpApi(commands, plutus.remote(), token, readToken, status, storeHealth,
                    new JettyConnectors(served, hookSocket, httpSettings.behindProxy()), options.limits(), usage, reservationApi,
                    new MetricsText(plutus.stats(), plutus.gate(), plutus.reservations(), hermes.hooks().counters(),
                            hermes.runway().store(), status, ingestCounters), dashboard, hookRequests);
            this.replayer = new SpoolReplayer(home.spoolDir(), hermes.hooks(), status);
            this.upkeep = new Upkeep("spool");
            api.start();
            this.hookChannel = startHookChannel(home.dir().resolve(HOOK_CHANNEL), token, hookRequests, options.limits());
            if (hookSocket != null) {
                Files.setPosixFilePermissions(hookSocket, PosixFilePermissions.fromString("rw-------"));
            }
            if (plutus.remote().isEmpty()) {
                // Before daemon.json says where to ask: the first hook after a restart must not meet a cold verdict path.
                long warming = System.nanoTime();
                int rounds = VerdictWarmUp.run(plutus.gate(), plutus.pricing());
                LOG.info("verdict path warmed: {} rounds in {} ms", rounds, (System.nanoTime() - warming) / 1_000_000);
            }
            this.info = new DaemonInfo(ProcessHandle.current().pid(), options.host(), api.port(), status.startedAt(),
                    DaemonStatus.VERSION, hookSocket == null ? null : hookSocket.toString(),
                    hookChannel == null ? null : hookChannel.path().toString());
            status.listening(info.baseUrl());
            info.write(home.daemonInfoFile());
            // Its own thread, every 2 ms while lines arrive (slower when idle): a journaled hook is counted within milliseconds.
            journal.start();
            if (snapshots != null) {
                snapshots.start();
            }
            int replayed = replayer.drainAtStart();
            if (replayed > 0) {
                LOG.info("replayed {} spooled hook events at start", replayed);
            }
            upkeep.every("spool replay", Duration.ofSeconds(1), Duration.ofSeconds(1), () -> {
                        if (replayer.runOnce() > 0 && snapshots != null) {
                            snapshots.signal();
                        }
                    })
                    .every("forgetting old idempotent answers", Duration.ofMinutes(1), Duration.ofHours(1), ingestor::forgetOldAnswers);
            // Its own thread: provider calls may take the whole fetch time-out and must not hold up spool replay.
            this.runwayThread = new Upkeep("runway");
            RunwayScheduler runway = new RunwayScheduler(hermes.runway(), config.clock());
            if (snapshots != null) {
                snapshots.watchRunway(() -> hermes.runway().store().hasUnannounced(),
                        runwayCanNotify() ? config.clock().millis() + options.runwayFirstRun().toMillis() : Long.MAX_VALUE);
            }
            runwayThread.every("runway", options.runwayFirstRun(), RUNWAY_TICK, () -> runwayTick(runway, config.clock()));
            LOG.info("plutus daemon {} serving {} on {} (pid {})", DaemonStatus.VERSION, home.dir(), info.baseUrl(), info.pid());
        } catch (Throwable e) {
            // Started but not whole (the port may already be open, daemon.json written): undo it all, so
            // nothing half-up answers healthz while replay never runs; start() releases the lock.
            try {
                stopStarted();
            } catch (Throwable alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
    }

    /** How often the runway scheduler is asked whether its run is due (the run itself follows runway.yaml). */
    private static final Duration RUNWAY_TICK = Duration.ofSeconds(30);

    /**
     * A runway tick, and the reminders due by time alone. While runway can raise a notice, the verdict snapshot says
     * pre_llm_call has none due only until the next tick (and not while one runs), so a notice it raises is never
     * hidden by an older file.
     */
    private void runwayTick(RunwayScheduler runway, java.time.Clock clock) {
        if (snapshots == null || !runwayCanNotify()) {
            try {
                runway.tick();
            } finally {
                if (snapshots != null) {
                    snapshots.runwayChecked(Long.MAX_VALUE);
                }
            }
            return;
        }
        long start = clock.millis();
        snapshots.runwayChecked(start);
        try {
            runway.tick();
            hermes.runway().remindIfDue();
        } finally {
            snapshots.runwayChecked(start + RUNWAY_TICK.toMillis());
        }
    }

    /**
     * Whether runway can raise a notice: runway.yaml sets a low-balance or days-left threshold, or a balance was
     * calibrated by hand (its reminder to recalibrate comes by time alone). A runway.yaml that cannot be read is taken as yes.
     */
    private boolean runwayCanNotify() {
        try {
            dev.plutus.runway.RunwayConfig c = hermes.runway().config();
            return c.alerts().balanceBelowMicros() != null || c.alerts().daysLeftBelow() != null
                    || c.providers().stream().anyMatch(p -> p.balanceBelowMicros() != null || p.daysLeftBelow() != null)
                    || !hermes.runway().store().latestCalibrations().isEmpty();
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** The framed verdict socket, or null (the bridge then asks over HTTP) when its path is too long or it cannot listen. */
    private HookChannel startHookChannel(Path candidate, AccessToken token, HookRequests requests, HttpLimits limits) {
        Path path = JettyConnectors.usableSocketPath(candidate);
        if (path == null) {
            LOG.warn("{} is too long a path for a Unix socket; verdict hooks use HTTP", candidate);
            return null;
        }
        try {
            return HookChannel.start(path, token, requests, status, HookChannel.Limits.of(limits));
        } catch (IOException | RuntimeException e) {
            LOG.warn("hook channel {} cannot listen ({}); verdict hooks use HTTP", path, e.toString());
            return null;
        }
    }

    /** Starts a daemon for the home in {@code config}; fails when another one already serves it. */
    public static PlutusDaemon start(ServeOptions options, EngineConfig config) throws IOException {
        InstanceLock lock = InstanceLock.acquire(config.home().daemonLockFile());
        try {
            return new PlutusDaemon(options, config, lock);
        } catch (Throwable e) {
            // An Error too (an OutOfMemoryError while draining the spool): the caller must see the start fail.
            try {
                lock.close();
            } catch (IOException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
    }

    public DaemonInfo info() {
        return info;
    }

    public DaemonStatus status() {
        return status;
    }

    public Engine plutus() {
        return plutus;
    }

    /** API keys for {@code /v1/usage} and {@code /v1/reservations}. */
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    public HermesHost hermes() {
        return hermes;
    }

    /** The verdict snapshot writer; null in remote mode. */
    VerdictSnapshots verdictSnapshots() {
        return snapshots;
    }

    JournalTailer journalTailer() {
        return journal;
    }

    /** Reads every hook journal to its end now and retires those whose writer is gone (tests use it). */
    public int drainJournalsNow() {
        return journal.drain();
    }

    /** Replays whatever the bridge spooled, now (tests and shutdown use it; the daemon does it every second). */
    public int replaySpoolNow() {
        return replayer.drainAtStart();
    }

    /** Stops spool replay as closing does (tests use it). */
    void stopReplaying() {
        replayer.stop();
    }

    @Override
    public void close() {
        LOG.info("plutus daemon stopping");
        stopStarted();
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("releasing {}: {}", home.daemonLockFile(), e.getMessage());
        }
        LOG.info("plutus daemon stopped");
    }

    /** Stops whatever the constructor got to start, last started first; a start that failed midway calls it too. */
    private void stopStarted() {
        if (replayer != null) {
            replayer.stop(); // first: a spool pass must not keep the home's lock seconds after the front closed
        }
        if (api != null) {
            try {
                api.stop();
            } catch (RuntimeException e) {
                // Jetty finishes stopping before it reports a graceful-stop timeout; the store must still close.
                LOG.warn("http front stopped with requests still unanswered after the grace period: {}", e.toString());
            }
        }
        if (hookChannel != null) {
            hookChannel.close();
        }
        if (runwayThread != null) {
            runwayThread.close();
        }
        if (journal != null) {
            journal.stop();
        }
        if (snapshots != null) {
            snapshots.close();
        }
        if (upkeep != null) {
            upkeep.close();
        }
        if (hermes != null) {
            hermes.close();
        }
        if (plutus != null) {
            plutus.close();
        }
        if (info != null) {
            DaemonInfo.read(home.daemonInfoFile()).filter(i -> i.pid() == info.pid()).ifPresent(i -> {
                try {
                    Files.deleteIfExists(home.daemonInfoFile());
                } catch (IOException ignored) {
                    // A stale daemon.json names a dead pid; readers check that.
                }
            });
        }
        if (hookSocket != null) {
            try {
                Files.deleteIfExists(hookSocket);
            } catch (IOException ignored) {
                // the next daemon deletes it before it binds
            }
        }
    }
}
