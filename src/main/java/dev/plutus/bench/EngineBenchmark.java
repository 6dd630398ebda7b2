package dev.plutus.bench;

import dev.plutus.hermes.HermesHost;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.core.CallEvent;
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
 * latency as the call table grows, and the bytes each call costs on disk. Each table size is a
 * store of its own, bulk-filled with a month of calls ({@link CallTableFill}) so 10M calls take
 * minutes, not hours, then opened as a daemon opens it.
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
            // A daemon records warm: its sessions known and the recording path compiled. The first calls of a fresh
            // JVM (every session new, one SQLite read each, the JIT still compiling) are measured apart, as cold.
            figures.add(recordThroughput(p, writes, 1, "journaled, cold: the JVM's first calls, every session new"));
            figures.add(recordThroughput(p, writes, 1, "journaled"));
            figures.add(recordThroughput(p, writes, 4, "journaled"));
            figures.add(recordBatches(p, writes, "journaled"));
            long acknowledged = System.nanoTime();
            long expected = 2L * writes + (writes / 4) * 4L + writes;
            awaitStored(p);
            figures.add(String.format("  ... all %,d in SQLite %.1f s after the last acknowledgement", expected,
                    (System.nanoTime() - acknowledged) / 1e9));
            requireStored(p, expected);
            figures.forEach(this::line);
        }
        for (long size : sizes) {
            HomeLayout sized = scratchHome(home, "calls-" + size);
            measureAt(sized, size);
            deleteTree(sized.dir());
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

    /**
     * Fills a store of its own with {@code size} calls (see {@link CallTableFill}), opens the engine on it as a
     * daemon would (the running totals built from the table), and measures verdicts, /stats and memory there.
     */
    private void measureAt(HomeLayout home, long size) throws Exception {
        long filledAt = System.currentTimeMillis();
        CallTableFill.Filled filled;
        try (Engine p = open(home)) {
            filled = new CallTableFill(p.pricing(), size).fill(home.database(), size, filledAt);
        }
        line("%,12d calls: filled in %.1f s (%,.0f rows/s; %,d sessions over 30 days), secondary indexes built in %.1f s",
                filled.rows(), filled.insertSeconds(), filled.rows() / filled.insertSeconds(), filled.sessions().size(),
                filled.indexSeconds());
        long opening = System.nanoTime();
        try (Engine p = open(home)) {
            double openSeconds = (System.nanoTime() - opening) / 1e9;
            long rssOpen = rssKib();
            requireFilled(p, filled);
            long rolling = System.nanoTime();
            p.rollups().catchUp();
            double rollupSeconds = (System.nanoTime() - rolling) / 1e9;
            line("%,12d calls: engine opened in %.1f s (running totals of the month and the last 7 days built from the table,"
                    + " %,d scopes), RSS %,d MiB; rolled up for /stats in %.1f s", size, openSeconds, p.ledger().scopeCount(),
                    rssOpen / 1024, rollupSeconds);
            measure(p, home, size, filled.sessions());
        }
    }

    /** Refuses unless the table holds exactly what the fill wrote and the running totals equal the stored costs. */
    private static void requireFilled(Engine p, CallTableFill.Filled filled) {
        long stored = p.jdbc().queryLong("SELECT COUNT(*) FROM llm_calls");
        long costs = p.jdbc().queryLong("SELECT COALESCE(SUM(cost_micros), 0) FROM llm_calls");
        if (stored != filled.rows() || costs != filled.costMicros()) {
            throw new BenchmarkRefused("the fill wrote " + filled.rows() + " calls costing " + filled.costMicros()
                    + " micro-dollars; the table holds " + stored + " costing " + costs);
        }
        long now = System.currentTimeMillis();
        var calendar = p.ledger().calendar();
        for (dev.plutus.budget.Window w : dev.plutus.budget.Window.values()) {
            long from;
            long to;
            if (w.rolling()) {
                from = (Math.floorDiv(now, 60_000L) - w.rollingLength().toMinutes() + 1) * 60_000L;
                to = Long.MAX_VALUE;
            } else {
                var period = calendar.periodOf(w, now);
                from = period.startMillis();
                to = period.endMillis();
            }
            for (dev.plutus.budget.ScopeRef scope : List.of(dev.plutus.budget.ScopeRef.GLOBAL,
                    dev.plutus.budget.ScopeRef.of(dev.plutus.budget.ScopeKind.PROVIDER, "anthropic"))) {
                long sum = p.jdbc().queryLong("SELECT COALESCE(SUM(cost_micros), 0) FROM llm_calls WHERE ts >= " + from + " AND ts < " + to
                        + (scope.kind() == dev.plutus.budget.ScopeKind.GLOBAL ? "" : " AND provider = '" + scope.id() + "'"));
                long counted = p.ledger().spend(scope, w, now).spentMicros();
                if (sum != counted) {
                    throw new BenchmarkRefused("the running totals count " + counted + " micro-dollars for " + scope.describe() + " "
                            + w.label() + ", the table holds " + sum);
                }
            }
        }
    }

    private void measure(Engine p, HomeLayout home, long size, List<String> sessions) throws IOException {
        // A daemon checks live sessions: those started in the last day (sessions start evenly over the 30 days).
        int recent = Math.max(1, sessions.size() / 30);
        String[] asked = new String[VERDICTS];
        for (int i = 0; i < VERDICTS; i++) {
            asked[i] = sessions.get(sessions.size() - 1 - random.nextInt(recent));
        }
        long sink = 0;
        // Warm the session directory and the JIT the way a running daemon is warm.
        for (int round = 0; round < 2; round++) {
            for (String s : asked) {
                sink += p.gate().checkSession(s).statuses().size();
            }
        }
        LatencySample verdicts = new LatencySample(VERDICTS);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) THREADS;
        long cpu = threads.getCurrentThreadCpuTime();
        long allocated = threads.getCurrentThreadAllocatedBytes();
        for (String s : asked) {
            long t0 = System.nanoTime();
            sink += p.gate().checkSession(s).statuses().size();
            verdicts.add(System.nanoTime() - t0);
        }
        long bytesPerVerdict = (threads.getCurrentThreadAllocatedBytes() - allocated) / VERDICTS;
        double cpuPerVerdict = (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / VERDICTS;
        // A session not in memory (first asked after a restart, or resumed after weeks) costs one SQLite read, once.
        int older = sessions.size() - recent;
        LatencySample cold = new LatencySample(Math.min(1_000, older));
        for (int i = 0; i < cold.capacity(); i++) {
            String s = sessions.get((int) ((long) i * older / cold.capacity()));
            long t0 = System.nanoTime();
            sink += p.gate().checkSession(s).statuses().size();
            cold.add(System.nanoTime() - t0);
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
        line("%,12d calls: verdict p50 %s p99 %s (%,d verdicts over the %,d sessions of the last day; CPU %.2f µs and %,d bytes"
                        + " allocated per verdict); first check of a session not in memory p50 %s p99 %s",
                size, LatencySample.micros(verdicts.percentile(50)), LatencySample.micros(verdicts.percentile(99)), VERDICTS,
                recent, cpuPerVerdict, bytesPerVerdict, cold.size() == 0 ? "-" : LatencySample.micros(cold.percentile(50)),
                cold.size() == 0 ? "-" : LatencySample.micros(cold.percentile(99)));
        line("%,12d calls: /stats week p50 %s max %s  |  db %,d bytes (%,.0f bytes per million calls)  |  RSS %,d MiB",
                size,
                LatencySample.millis(stats.percentile(50)), LatencySample.millis(stats.percentile(100)), bytes,
                BigDecimal.valueOf(bytes).multiply(BigDecimal.valueOf(1_000_000)).divide(BigDecimal.valueOf(size), 0,
                        java.math.RoundingMode.HALF_EVEN).doubleValue(), rssKib() / 1024);
    }

    /** This process's resident set, from /proc (0 where there is none). */
    private static long rssKib() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path f : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static String sessionName(int s) {
        return s % 10 == 0 ? "cron_job" + (s % 50) + "_20261124_0" + String.format("%05d", s) : "s-" + s;
    }

    private void line(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }
}
