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
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    /** Unreported rounds (single calls, then batches) before the warm journaled phases: the JIT settled, every session known. */
    private static final int WARM_UP_ROUNDS = 2;

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
            line("%s", measured(p, "committed directly, 1 thread", directWrites, 1, 1).line());
            line("%s", measured(p, "committed directly, batches of 100", directWrites, 1, 100).line());
        }
        // The daemon's path: each call acknowledged once appended to the call journal (durable against a SIGKILL, as WAL
        // with synchronous=NORMAL is) and counted; SQLite is filled behind it by the drainer, whose CPU is counted too.
        HomeLayout writeHome = scratchHome(home, "throughput");
        try (Engine p = open(writeHome, true)) {
            if (!p.journaling()) {
                throw new BenchmarkRefused("the engine did not take the call journal of " + writeHome.dir());
            }
            // The first calls of a fresh JVM (every session new, one SQLite read each, the JIT still compiling) are
            // reported apart as cold; a daemon records warm, its sessions known and the recording path compiled.
            line("%s", measured(p, "journaled, cold (the JVM's first calls, every session new), 1 thread", writes, 1, 1).line());
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                measured(p, "journaled, warm-up", writes, 1, 1);
                measured(p, "journaled, warm-up", writes, 1, 100);
            }
            line("%s", measured(p, "journaled, 1 thread", writes, 1, 1).line());
            line("%s", measured(p, "journaled, 4 threads", writes, 4, 1).line());
            line("%s", measured(p, "journaled, 1 thread, batches of 100", writes, 1, 100).line());
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
    private static void requireStored(Engine p, long expected, String phase) {
        long stored = p.calls().count();
        long distinct = p.jdbc().queryLong("SELECT COUNT(DISTINCT event_id) FROM llm_calls");
        if (stored != expected || distinct != expected) {
            throw new BenchmarkRefused(phase + ": the table holds " + stored + " calls (" + distinct + " distinct events), expected "
                    + expected);
        }
        long costs = p.jdbc().queryLong("SELECT COALESCE(SUM(cost_micros), 0) FROM llm_calls");
        p.syncLedger();
        long counted = p.ledger().spend(dev.plutus.budget.ScopeRef.GLOBAL, dev.plutus.budget.Window.DAILY, Instant.now()).spentMicros();
        if (counted != costs) {
            throw new BenchmarkRefused(phase + ": the running totals count " + counted + " micro-dollars today, the table holds " + costs);
        }
    }

    /**
     * One recording phase: {@code calls} new calls from {@code threads} threads, one {@code record} per call
     * ({@code batch} 1) or {@code recordAll} per batch. Times the last acknowledgement, then waits until SQLite
     * holds every call, and checks the table and the running totals before any figure of the phase exists.
     */
    private Phase measured(Engine p, String label, int calls, int threads, int batch) throws Exception {
        int perThread = calls / threads;
        List<List<List<CallEvent>>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random r = new Random(sequence.get() * 31 + t);
            List<List<CallEvent>> batches = new ArrayList<>();
            for (int i = 0; i < perThread; i += batch) {
                List<CallEvent> b = new ArrayList<>(batch);
                for (int k = i; k < Math.min(perThread, i + batch); k++) {
                    b.add(event(r, Instant.now()));
                }
                batches.add(b);
            }
            work.add(batches);
        }
        long before = p.calls().count();
        long drainer0 = p.journalDrainerCpuNanos().orElse(0);
        long process0 = PROCESS.getProcessCpuTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long recordingCpu = 0;
        long start = System.nanoTime();
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (List<List<CallEvent>> batches : work) {
                done.add(pool.submit(() -> {
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    for (List<CallEvent> b : batches) {
                        if (b.size() == 1) {
                            p.recorder().record(b.get(0));
                        } else {
                            p.recorder().recordAll(b);
                        }
                    }
                    return THREADS.getCurrentThreadCpuTime() - cpu;
                }));
            }
            for (Future<Long> f : done) {
                recordingCpu += f.get();
            }
        } finally {
            pool.shutdown();
        }
        long acknowledged = System.nanoTime() - start;
        awaitStored(p);
        long stored = System.nanoTime() - start;
        long drainerCpu = p.journalDrainerCpuNanos().orElse(0) - drainer0;
        long processCpu = PROCESS.getProcessCpuTime() - process0;
        int recorded = perThread * threads;
        requireStored(p, before + recorded, label);
        return new Phase(label, recorded, acknowledged, stored, recordingCpu, p.journaling() ? drainerCpu : -1, processCpu);
    }

    /**
     * What one recording phase measured. On a machine shared with other work the wall clock includes waiting for a
     * core; the CPU per call (the recording threads' own, plus the drainer's, which competes for the same cores) says
     * what a core of their own would reach. The whole process's CPU includes the JIT, GC and other engine threads.
     */
    private record Phase(String label, int calls, long acknowledgedNanos, long storedNanos, long recordingCpuNanos,
                         long drainerCpuNanos, long processCpuNanos) {
        String line() {
            double recording = recordingCpuNanos / 1e3 / calls;
            String cpu = drainerCpuNanos < 0
                    ? String.format("CPU per call: recording %.1f µs (committed before the acknowledgement)", recording)
                    : String.format("CPU per call: recording %.1f µs + drainer %.1f µs = %.1f µs", recording,
                            drainerCpuNanos / 1e3 / calls, recording + drainerCpuNanos / 1e3 / calls);
            return String.format("record (priced, durable, counted) %s: %,.0f calls/s acknowledged, %,.0f calls/s into SQLite  |  %s"
                            + " (whole process %.1f µs)", label, calls / (acknowledgedNanos / 1e9), calls / (storedNanos / 1e9), cpu,
                    processCpuNanos / 1e3 / calls);
        }
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
