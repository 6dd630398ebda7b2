package dev.plutus.bench;

import dev.plutus.hermes.HermesHost;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.Money;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.TokenUsage;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.http.DaemonProcess;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reservation + verdict latency (in memory, and held in the database for processes sharing it),
 * then the overshoot of sessions racing a $20 cap: 8 threads in one process, and 2 processes × 4.
 */
public final class ReservationBenchmark {
    private final Path dir;
    private final PrintWriter out;

    public ReservationBenchmark(Path dir, PrintWriter out) {
        this.dir = dir;
        this.out = out;
    }

    /** {@code pgUrl}: a PostgreSQL database to measure as well ({@code jdbc:postgresql://…?user=…&password=…}), or null. */
    public void run(int ops, String pgUrl) throws Exception {
        out.println("Reservations (reserve = hold the expected cost and answer the verdict with everything held counted):");
        latency("SQLite, in memory", home("local"), Map.of(), false, ops);
        latency("SQLite, shared", home("shared"), Map.of(), true, Math.min(ops, 20_000));
        latency("SQLite, shared, claim 0s", home("shared-exact"), Map.of(), true, Math.min(ops, 20_000));
        overshoot();
        if (pgUrl != null) {
            PostgresBench pg = new PostgresBench(pgUrl, dir);
            latency("PostgreSQL, memory", pg.home("pg-local"), pg.env(), false, ops);
            latency("PostgreSQL, shared", pg.home("pg-shared"), pg.env(), true, Math.min(ops, 20_000));
            latency("PostgreSQL, shared, claim 0s", pg.home("pg-shared-exact"), pg.env(), true, Math.min(ops, 20_000));
            pgOvershoot(pg);
            twoDaemons(pg);
        }
        out.flush();
    }

    private Path home(String name) throws java.io.IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    private static Engine open(Path home) {
        return open(home, Map.of());
    }

    private static Engine open(Path home, Map<String, String> env) {
        return Engine.open(EngineConfig.builder(new HomeLayout(home)).clock(Clock.fixed(ReservationRace.NOON, ZoneOffset.UTC))
                .environment(env).build());
    }

    /** A label ending in "claim 0s" turns claims off: every shared reservation is then checked in the store. */
    private void latency(String label, Path home, Map<String, String> env, boolean shared, int ops) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1000000\n  per_session:\n    default:\n"
                + "      daily_usd: 100000\nreservations:\n  shared: " + shared + "\n" + (label.endsWith("claim 0s") ? "  claim: 0s\n" : ""));
        try (Engine p = open(home, env)) {
            p.budgets().error().ifPresent(e -> {
                throw new IllegalStateException("the benchmark's budget.yaml is broken: " + e);
            });
            for (int s = 0; s < 8; s++) {
                p.recorder().record(new CallEvent("seed-" + s, ReservationRace.NOON, "bench-s" + s, "cli", "anthropic", "claude-sonnet-4-6", null,
                        TokenUsage.of(1000, 100), false, 10, new BigDecimal("0.01")));
            }
            for (int threads : new int[] {1, 4}) {
                LatencySample warm = drive(p, threads, Math.min(ops, 5_000), "warm-" + threads);
                long storeBefore = p.reservations().paths().get("store");
                LatencySample s = drive(p, threads, ops, "run-" + threads);
                long inStore = p.reservations().paths().get("store") - storeBefore;
                out.printf("  %-28s %d thread%s: %,d reservations, p50 %s p99 %s p99.9 %s (warm-up p99 %s)%s%n", label, threads,
                        threads == 1 ? " " : "s", ops, LatencySample.micros(s.percentile(50)), LatencySample.micros(s.percentile(99)),
                        LatencySample.micros(s.percentile(99.9)), LatencySample.micros(warm.percentile(99)),
                        shared ? String.format(", %,d checked in the store", inStore) : "");
            }
        }
    }

    private static LatencySample drive(Engine p, int threads, int ops, String prefix) throws Exception {
        LatencySample all = new LatencySample(ops);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                parts.add(pool.submit(() -> {
                    long[] mine = new long[ops / threads];
                    for (int i = 0; i < mine.length; i++) {
                        String id = prefix + ":" + thread + ":" + i;
                        long t0 = System.nanoTime();
                        var o = p.reservations().reserve(new CallIntent(id, "bench-s" + thread, "cli", "anthropic", "claude-sonnet-4-6", 2000, null));
                        mine[i] = System.nanoTime() - t0;
                        if (o instanceof ReservationBook.Outcome.Refused) {
                            throw new IllegalStateException("refused under a budget meant never to run out");
                        }
                        p.reservations().release(id);
                    }
                    return mine;
                }));
            }
            for (Future<long[]> f : parts) {
                for (long v : f.get()) {
                    all.add(v);
                }
            }
        } finally {
            pool.shutdown();
        }
        return all;
    }

    private void overshoot() throws Exception {
        long limit = 20_000_000;
        Path one = Files.createDirectories(dir.resolve("race-one"));
        Files.writeString(one.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\n");
        try (Engine p = open(one)) {
            report("8 threads, 1 process", p, limit, ReservationRace.race(p, "t", 8, 1000, 42));
        }
        Path two = Files.createDirectories(dir.resolve("race-two"));
        Files.writeString(two.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\nreservations:\n  shared: true\n");
        try (Engine p = open(two)) {
            ReservationRace.TwoProcesses r = ReservationRace.raceTwoProcesses(p, two, 4, 1000);
            List<ReservationRace.SessionResult> both = new ArrayList<>(r.mine());
            both.addAll(r.theirs());
            report("2 processes × 4 threads, shared", p, limit, both);
        }
    }

    private void pgOvershoot(PostgresBench pg) throws Exception {
        Path a = pg.home("pg-race-a");
        Path b = a.resolveSibling("pg-race-b");
        Files.createDirectories(b);
        Files.copy(a.resolve("plutus.yaml"), b.resolve("plutus.yaml"));
        String budget = "budgets:\n  global:\n    daily_usd: 20\nreservations:\n  shared: true\n";
        Files.writeString(a.resolve("budget.yaml"), budget);
        Files.writeString(b.resolve("budget.yaml"), budget);
        try (Engine hostA = open(a, pg.env()); Engine hostB = open(b, pg.env())) {
            ExecutorService two = Executors.newFixedThreadPool(2);
            Future<List<ReservationRace.SessionResult>> ra = two.submit(() -> ReservationRace.race(hostA, "a", 4, 1000, 1));
            Future<List<ReservationRace.SessionResult>> rb = two.submit(() -> ReservationRace.race(hostB, "b", 4, 1000, 2));
            List<ReservationRace.SessionResult> all = new ArrayList<>(ra.get());
            all.addAll(rb.get());
            two.shutdown();
            report("PostgreSQL, 2 hosts × 4 threads, shared", hostA, 20_000_000, all);
        }
    }

    /** Two daemons (two JVMs) on one PostgreSQL database, both driven at once over /v1/usage. */
    private void twoDaemons(PostgresBench pg) throws Exception {
        if (!Wrk.available()) {
            out.println("  2 daemons on one PostgreSQL: skipped (needs wrk: apt-get install wrk)");
            return;
        }
        Path a = pg.home("pg-daemon-a");
        Path b = a.resolveSibling("pg-daemon-b");
        Files.createDirectories(b);
        String limits = "ingest:\n  rate_limit:\n    requests_per_second: 1000000\n    burst: 1000000\n";
        Files.writeString(a.resolve("plutus.yaml"), limits + Files.readString(a.resolve("plutus.yaml")));
        Files.copy(a.resolve("plutus.yaml"), b.resolve("plutus.yaml"));
        String key;
        try (Engine p = open(a, pg.env())) {
            key = new ApiKeys(new ApiKeyStore(p.jdbc()), p.clock()).create("bench").secret();
        }
        String event = "{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"input_tokens\":1200,\"output_tokens\":800}";
        String batch = "[" + String.join(",", java.util.Collections.nCopies(1000, event)) + "]";
        try (DaemonProcess da = DaemonProcess.start(a, dir.resolve("pg-daemon-a.out"), pg.env());
             DaemonProcess db = DaemonProcess.start(b, dir.resolve("pg-daemon-b.out"), pg.env())) {
            java.net.URI ua = java.net.URI.create(da.info().baseUrl() + "/v1/usage");
            java.net.URI ub = java.net.URI.create(db.info().baseUrl() + "/v1/usage");
            for (String[] phase : new String[][] {{"single events", event, "8", "1"}, {"1,000-event batches", batch, "2", "1000"}}) {
                ExecutorService two = Executors.newFixedThreadPool(2);
                Future<Wrk.Result> fa = two.submit(() -> Wrk.run(ua, key, phase[1], Integer.parseInt(phase[2]), 10, dir));
                Future<Wrk.Result> fb = two.submit(() -> Wrk.run(ub, key, phase[1], Integer.parseInt(phase[2]), 10, dir));
                Wrk.Result ra = fa.get();
                Wrk.Result rb = fb.get();
                two.shutdown();
                long each = Long.parseLong(phase[3]);
                out.printf("  2 daemons on one PostgreSQL, %s: %,.0f + %,.0f = %,.0f events/s (p99 %s / %s per request)%n", phase[0],
                        ra.requests() * each / ra.seconds(), rb.requests() * each / rb.seconds(),
                        ra.requests() * each / ra.seconds() + rb.requests() * each / rb.seconds(), ra.p99(), rb.p99());
            }
        }
    }

    /** A fresh schema per home on the given PostgreSQL database; the password goes to the daemons by environment. */
    private static final class PostgresBench {
        private final String url;
        private final String base;
        private final String user;
        private final String password;
        private final Path dir;

        PostgresBench(String url, Path dir) {
            this.url = url;
            this.dir = dir;
            int q = url.indexOf('?');
            this.base = q < 0 ? url : url.substring(0, q);
            Map<String, String> params = new java.util.HashMap<>();
            if (q >= 0) {
                for (String kv : url.substring(q + 1).split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        params.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
            this.user = params.get("user");
            this.password = params.get("password");
        }

        Map<String, String> env() {
            return password == null ? Map.of() : Map.of("PLUTUS_STORE_PASSWORD", password);
        }

        Path home(String name) throws Exception {
            String schema = "bench_" + name.replace('-', '_') + "_" + Long.toHexString(System.nanoTime());
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + schema);
            }
            Path home = Files.createDirectories(dir.resolve(name));
            Files.writeString(home.resolve("plutus.yaml"), "store:\n  url: " + base + "?currentSchema=" + schema + "\n"
                    + (user == null ? "" : "  user: " + user + "\n"));
            return home;
        }
    }

    private void report(String what, Engine p, long limit, List<ReservationRace.SessionResult> sessions) {
        p.syncLedger();
        long spent = p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, ReservationRace.NOON).spentMicros();
        long bound = sessions.stream().mapToLong(ReservationRace.SessionResult::largestMicros).sum();
        int admitted = sessions.stream().mapToInt(ReservationRace.SessionResult::admitted).sum();
        out.printf("  race to a $20 cap, %s: %,d calls let through, spend %s, overshoot %s (bound: one call per session = %s)%s%n",
                what, admitted, Money.usd6(spent), Money.usd6(Math.max(0, spent - limit)), Money.usd6(bound),
                spent <= limit + bound ? "" : "  <-- OVER THE BOUND");
    }
}
