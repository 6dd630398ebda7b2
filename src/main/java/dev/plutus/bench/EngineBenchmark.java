package dev.plutus.bench;

import dev.plutus.hermes.HermesHost;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.core.CallEvent;
import dev.plutus.core.LlmCall;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.TokenUsage;
import dev.plutus.command.SlashCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures the engine on a real SQLite file: recording throughput, verdict latency and /stats
 * latency as the call table grows, and the bytes each call costs on disk. Calls beyond the
 * recorded-throughput phase are bulk-loaded (spread over the past year, like a long-lived
 * install) so the large sizes take minutes, not hours.
 */
public final class EngineBenchmark {
    private static final String[][] MODELS = {
        {"anthropic", "claude-sonnet-4-5"}, {"anthropic", "claude-opus-4-1"}, {"openai", "gpt-4.1"},
        {"openai", "gpt-4.1-mini"}, {"deepseek", "deepseek-chat"}, {"google", "gemini-2.5-pro"},
        {"openrouter", "openrouter/anthropic/claude-sonnet-4.5"}, {"nous", "unknown-local-model"}};
    private static final int SESSIONS = 2_000;
    private static final int VERDICTS = 200_000;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final Path dir;
    private final PrintWriter out;
    private final Random random = new Random(42);
    /** Keeps results alive so the JIT cannot drop the measured work. */
    private volatile long blackhole;
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();

    public EngineBenchmark(Path dir, PrintWriter out) {
        this.dir = dir;
        this.out = out;
    }

    public void run(int writes, List<Long> sizes) throws Exception {
        HomeLayout home = new HomeLayout(dir);
        Files.createDirectories(dir);
        try (InputStream example = Engine.class.getResourceAsStream("/dev/plutus/bundled/budget.example.yaml")) {
            Files.write(home.budgetFile(), example.readAllBytes());
        }
        line("Plutus engine benchmark: %s, %d cores, Java %s", dir, Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        // Before the call journal: each call committed to SQLite before record() returns (what a second process on a home does).
        int directWrites = Math.min(writes, 5_000);
        HomeLayout directHome = scratchHome(home, "throughput-direct");
        try (Engine p = open(directHome, false)) {
            List<String> figures = new ArrayList<>();
            figures.add(recordThroughput(p, directWrites, 1, "committed directly"));
            figures.add(recordBatches(p, directWrites, "committed directly"));
            requireStored(p, 2L * directWrites);
            figures.forEach(this::line);
        }
        // The daemon's path: each call acknowledged once appended to the call journal (durable against a SIGKILL, as WAL
        // with synchronous=NORMAL is) and counted; SQLite is filled behind it by the drainer.
        HomeLayout writeHome = scratchHome(home, "throughput");
        try (Engine p = open(writeHome, true)) {
            if (!p.journaling()) {
                throw new BenchmarkRefused("the engine did not take the call journal of " + writeHome.dir());
            }
            List<String> figures = new ArrayList<>();
            figures.add(recordThroughput(p, writes, 1, "journaled"));
            figures.add(recordThroughput(p, writes, 4, "journaled"));
            figures.add(recordBatches(p, writes, "journaled"));
            long acknowledged = System.nanoTime();
            long expected = (long) writes + (writes / 4) * 4L + writes;
            awaitStored(p);
            figures.add(String.format("  ... all %,d in SQLite %.1f s after the last acknowledgement", expected,
                    (System.nanoTime() - acknowledged) / 1e9));
            requireStored(p, expected);
            figures.forEach(this::line);
        }
        for (long size : sizes) {
            fillTo(home, size);
            try (Engine p = open(home)) {
                measure(p, home, size);
            }
        }
    }

    private Engine open(HomeLayout home) {
        return open(home, false);
    }

    private Engine open(HomeLayout home, boolean journal) {
        return Engine.open(EngineConfig.builder(home).clock(Clock.systemDefaultZone()).callJournal(journal).build());
    }

    private static HomeLayout scratchHome(HomeLayout home, String name) throws IOException {
        HomeLayout h = new HomeLayout(home.dir().resolve(name));
        Files.createDirectories(h.dir());
        Files.copy(home.budgetFile(), h.budgetFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return h;
    }

    /** Waits for the journal to reach the table however long the drain takes (a reader's own wait is bounded). */
    private static void awaitStored(Engine p) {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (true) {
            try {
                p.awaitStored();
                return;
            } catch (dev.plutus.store.StoreException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new BenchmarkRefused("the journaled calls did not reach SQLite within 30 minutes: " + notYet.getMessage());
                }
            }
        }
    }

    /** Refuses unless the table holds exactly {@code expected} calls, each event once, and the running totals count them all. */
    private static void requireStored(Engine p, long expected) {
        long stored = p.calls().count();
        long distinct = p.jdbc().queryLong("SELECT COUNT(DISTINCT event_id) FROM llm_calls");
        if (stored != expected || distinct != expected) {
            throw new BenchmarkRefused("the throughput phases stored " + stored + " calls (" + distinct + " distinct events), expected "
                    + expected);
        }
        long costs = p.jdbc().queryLong("SELECT COALESCE(SUM(cost_micros), 0) FROM llm_calls");
        p.syncLedger();
        long counted = p.ledger().spend(dev.plutus.budget.ScopeRef.GLOBAL, dev.plutus.budget.Window.DAILY, Instant.now()).spentMicros();
        if (counted != costs) {
            throw new BenchmarkRefused("the running totals count " + counted + " micro-dollars today, the table holds " + costs);
        }
    }

    private String recordThroughput(Engine p, int writes, int threads, String how) throws Exception {
        int perThread = writes / threads;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Long>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(worker);
                    List<CallEvent> events = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        events.add(event(r, Instant.now()));
                    }
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    for (CallEvent e : events) {
                        p.recorder().record(e);
                    }
                    return THREADS.getCurrentThreadCpuTime() - cpu;
                }));
            }
            long cpuNanos = 0;
            for (Future<Long> f : done) {
                cpuNanos += f.get();
            }
            long nanos = System.nanoTime() - start;
            // On a machine shared with other work the wall clock includes waiting for a core; the recording
            // threads' own CPU time per call says what a core of their own would reach.
            return String.format("record (priced, durable, counted; %s): %d thread%s, each acknowledged once durable  %,.0f calls/s"
                    + "  (recording CPU %.1f µs per call)", how, threads, threads == 1 ? " " : "s",
                    perThread * threads / (nanos / 1e9), cpuNanos / 1e3 / (perThread * threads));
        } finally {
            pool.shutdown();
        }
    }

    /** One thread recording batches of 100, as the daemon does with a batch from /v1/usage. */
    private String recordBatches(Engine p, int writes, String how) {
        Random r = new Random(99);
        List<List<CallEvent>> batches = new ArrayList<>();
        for (int i = 0; i < writes; i += 100) {
            List<CallEvent> batch = new ArrayList<>(100);
            for (int k = i; k < Math.min(writes, i + 100); k++) {
                batch.add(event(r, Instant.now()));
            }
            batches.add(batch);
        }
        long start = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        for (List<CallEvent> batch : batches) {
            p.recorder().recordAll(batch);
        }
        long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpu;
        return String.format("record (priced, durable, counted; %s): 1 thread, batches of 100  %,.0f calls/s  (recording CPU %.1f µs"
                + " per call)", how, writes / ((System.nanoTime() - start) / 1e9), cpuNanos / 1e3 / writes);
    }

    private CallEvent event(Random r, Instant at) {
        int s = r.nextInt(SESSIONS);
        String[] m = MODELS[s % MODELS.length];
        String session = sessionName(s);
        boolean cron = session.startsWith("cron_");
        TokenUsage usage = new TokenUsage(500 + r.nextInt(20_000), 50 + r.nextInt(2_000), r.nextInt(30_000),
                r.nextInt(3) == 0 ? r.nextInt(5_000) : 0, 0, r.nextInt(4) == 0 ? r.nextInt(500) : 0);
        // Hermes's api_request_id: session id, turn, request; unique per call.
        String eventId = "api:" + session + ":" + Long.toHexString(r.nextLong()) + ":api:" + sequence.incrementAndGet();
        return new CallEvent(eventId, at, session, cron ? "cron" : "telegram", m[0], m[1], null,
                usage, false, 200 + r.nextInt(5_000), null);
    }

    private void fillTo(HomeLayout home, long size) {
        try (Engine p = open(home)) {
            long have = p.calls().count();
            if (have >= size) {
                return;
            }
            long start = System.nanoTime();
            Instant now = Instant.now();
            long yearMillis = Duration.ofDays(365).toMillis();
            List<LlmCall> batch = new ArrayList<>(10_000);
            for (long n = have; n < size; n++) {
                Instant at = now.minusMillis((long) (random.nextDouble() * yearMillis));
                batch.add(asStored(p, event(random, at)));
                if (batch.size() == 10_000 || n == size - 1) {
                    p.calls().insertAll(batch);
                    batch.clear();
                }
            }
            long loaded = System.nanoTime();
            p.rollups().catchUp();
            line("loaded %,d calls in %.1f s; rolled up in %.1f s", size - have, (loaded - start) / 1e9,
                    (System.nanoTime() - loaded) / 1e9);
        }
    }

    private static LlmCall asStored(Engine p, CallEvent e) {
        var cost = p.pricing().price(e.provider(), e.model(), null, e.usage());
        String cron = e.sessionId().startsWith("cron_") ? e.sessionId().substring(5, e.sessionId().indexOf("_2026")) : null;
        return new LlmCall(e.eventId(), e.timestamp(), e.sessionId(), e.sessionId(), e.platform(), cron, null,
                e.provider(), e.model(), null, e.usage(), false, cost.micros(), cost.priced(), cost.entryKey(),
                e.latencyMillis());
    }

    private void measure(Engine p, HomeLayout home, long size) throws IOException {
        long calls = p.calls().count();
        // Warm the session directory and the JIT the way a running daemon is warm.
        for (int i = 0; i < 50_000; i++) {
            p.gate().checkSession(sessionName(i % SESSIONS));
        }
        LatencySample verdicts = new LatencySample(VERDICTS);
        long sink = 0;
        for (int i = 0; i < VERDICTS; i++) {
            String s = sessionName(random.nextInt(SESSIONS));
            long t0 = System.nanoTime();
            sink += p.gate().checkSession(s).statuses().size();
            verdicts.add(System.nanoTime() - t0);
        }
        SlashCommands commands = SlashCommands.of(p, new HermesHost(p).runway());
        commands.run("stats", "week");
        LatencySample stats = new LatencySample(20);
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            sink += commands.run("stats", "week").text().length();
            stats.add(System.nanoTime() - t0);
        }
        blackhole = sink;
        Path wal = home.database().resolveSibling(home.database().getFileName() + "-wal");
        long bytes = Files.size(home.database()) + (Files.exists(wal) ? Files.size(wal) : 0);
        line("%,12d calls  verdict p50 %s p99 %s  |  /stats week p50 %s max %s  |  db %,d bytes (%,.0f bytes per million calls)",
                calls, LatencySample.micros(verdicts.percentile(50)), LatencySample.micros(verdicts.percentile(99)),
                LatencySample.millis(stats.percentile(50)), LatencySample.millis(stats.percentile(100)), bytes,
                BigDecimal.valueOf(bytes).multiply(BigDecimal.valueOf(1_000_000)).divide(BigDecimal.valueOf(calls), 0,
                        java.math.RoundingMode.HALF_EVEN).doubleValue());
    }

    private static String sessionName(int s) {
        return s % 10 == 0 ? "cron_job" + (s % 50) + "_20261124_0" + String.format("%05d", s) : "s-" + s;
    }

    private void line(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }
}
