package dev.plutus.cli;

import dev.plutus.CallEvent;
import dev.plutus.CallIntent;
import dev.plutus.Money;
import dev.plutus.Plutus;
import dev.plutus.PlutusConfig;
import dev.plutus.PlutusHome;
import dev.plutus.TokenUsage;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
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
final class ReservationBenchmark {
    private final Path dir;
    private final PrintWriter out;

    ReservationBenchmark(Path dir, PrintWriter out) {
        this.dir = dir;
        this.out = out;
    }

    void run(int ops) throws Exception {
        out.println("Reservations (reserve = hold the expected cost and answer the verdict with everything held counted):");
        latency("in memory", false, ops);
        latency("shared (database)", true, Math.min(ops, 20_000));
        overshoot();
        out.flush();
    }

    private static Plutus open(Path home) {
        return Plutus.open(PlutusConfig.builder(new PlutusHome(home)).clock(Clock.fixed(ReservationRace.NOON, ZoneOffset.UTC))
                .environment(Map.of()).build());
    }

    private void latency(String label, boolean shared, int ops) throws Exception {
        Path home = Files.createDirectories(dir.resolve(shared ? "shared" : "local"));
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1000000\n  per_session:\n    default:\n"
                + "      daily_usd: 100000\nreservations:\n  shared: " + shared + "\n");
        try (Plutus p = open(home)) {
            for (int s = 0; s < 8; s++) {
                p.record(new CallEvent("seed-" + s, ReservationRace.NOON, "bench-s" + s, "cli", "anthropic", "claude-sonnet-4-6", null,
                        TokenUsage.of(1000, 100), false, 10, new BigDecimal("0.01")));
            }
            for (int threads : new int[] {1, 4}) {
                LatencySample warm = drive(p, threads, Math.min(ops, 5_000), "warm-" + threads);
                LatencySample s = drive(p, threads, ops, "run-" + threads);
                out.printf("  %-18s %d thread%s: %,d reservations, p50 %s p99 %s (warm-up p99 %s)%n", label, threads, threads == 1 ? " " : "s",
                        ops, LatencySample.micros(s.percentile(50)), LatencySample.micros(s.percentile(99)),
                        LatencySample.micros(warm.percentile(99)));
            }
        }
    }

    private static LatencySample drive(Plutus p, int threads, int ops, String prefix) throws Exception {
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
                        var o = p.reserve(new CallIntent(id, "bench-s" + thread, "cli", "anthropic", "claude-sonnet-4-6", 2000, null));
                        mine[i] = System.nanoTime() - t0;
                        if (o instanceof ReservationBook.Outcome.Refused) {
                            throw new IllegalStateException("refused under a budget meant never to run out");
                        }
                        p.release(id);
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
        try (Plutus p = open(one)) {
            report("8 threads, 1 process", p, limit, ReservationRace.race(p, "t", 8, 1000, 42));
        }
        Path two = Files.createDirectories(dir.resolve("race-two"));
        Files.writeString(two.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\nreservations:\n  shared: true\n");
        try (Plutus p = open(two)) {
            ReservationRace.TwoProcesses r = ReservationRace.raceTwoProcesses(p, two, 4, 1000);
            List<ReservationRace.SessionResult> both = new ArrayList<>(r.mine());
            both.addAll(r.theirs());
            report("2 processes × 4 threads, shared", p, limit, both);
        }
    }

    private void report(String what, Plutus p, long limit, List<ReservationRace.SessionResult> sessions) {
        p.syncLedger();
        long spent = p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, ReservationRace.NOON).spentMicros();
        long bound = sessions.stream().mapToLong(ReservationRace.SessionResult::largestMicros).sum();
        int admitted = sessions.stream().mapToInt(ReservationRace.SessionResult::admitted).sum();
        out.printf("  race to a $20 cap, %s: %,d calls let through, spend %s, overshoot %s (bound: one call per session = %s)%s%n",
                what, admitted, Money.usd6(spent), Money.usd6(Math.max(0, spent - limit)), Money.usd6(bound),
                spent <= limit + bound ? "" : "  <-- OVER THE BOUND");
    }
}
