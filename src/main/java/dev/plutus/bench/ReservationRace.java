package dev.plutus.bench;

import dev.plutus.hermes.HermesHost;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.TokenUsage;
import dev.plutus.budget.ReservationBook;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sessions racing one hard cap as Hermes runs them: each reserves before a call, makes it (its real
 * output length differs from the reservation's guess), records it, and stops at the first refusal.
 * Used by {@code plutus bench --suite reserve} and the stress tests; {@link #main} is the second
 * process of the two-process run.
 */
public final class ReservationRace {
    public static final Instant NOON = Instant.parse("2026-12-01T12:00:00Z");

    private ReservationRace() {}

    /** Per session: calls admitted, the largest real cost among them. */
    public record SessionResult(int admitted, long largestMicros) {}

    public static List<SessionResult> race(Engine p, String prefix, int sessions, int callsEach, long seed) throws Exception {
        return race(p, prefix, sessions, callsEach, seed, () -> { });
    }

    /** As {@link #race(Engine, String, int, int, long)}; {@code firstAdmitted} runs once, when the first call is admitted. */
    static List<SessionResult> race(Engine p, String prefix, int sessions, int callsEach, long seed, Runnable firstAdmitted)
            throws Exception {
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<SessionResult>> futures = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                String session = prefix + "-s" + s;
                SplittableRandom rnd = new SplittableRandom(seed + s);
                futures.add(pool.submit(() -> {
                    int admitted = 0;
                    long largest = 0;
                    for (int i = 0; i < callsEach; i++) {
                        String id = "api:" + session + ":" + i;
                        long prompt = 1000 + rnd.nextInt(2000);
                        var o = p.reservations().reserve(new CallIntent(id, session, "cron", "anthropic", "claude-sonnet-4-6", prompt, null));
                        if (o instanceof ReservationBook.Outcome.Refused) {
                            break;
                        }
                        admitted++;
                        if (told.compareAndSet(false, true)) {
                            firstAdmitted.run();
                        }
                        // Real output runs from a tenth to three times the 1,024 tokens the reservation assumed.
                        long output = 100 + rnd.nextInt(3000);
                        RecordedCall rc = p.recorder().record(new CallEvent(id, p.clock().instant(), session, "cron", "anthropic", "claude-sonnet-4-6", null,
                                new TokenUsage(prompt, output, 0, 0, 0, 0), false, 0, null));
                        largest = Math.max(largest, rc.call().costMicros());
                    }
                    return new SessionResult(admitted, largest);
                }));
            }
            List<SessionResult> out = new ArrayList<>();
            for (Future<SessionResult> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** Both sides of a two-process race on one home: this process's sessions and the other's. */
    public record TwoProcesses(List<SessionResult> mine, List<SessionResult> theirs) {}

    /**
     * Starts a second JVM on {@code home} running {@code sessionsEach} sessions, waits until it has
     * opened the database and had its first call admitted, then both race.
     */
    public static TwoProcesses raceTwoProcesses(Engine p, Path home, int sessionsEach, int callsEach) throws Exception {
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ReservationRace.class.getName(),
                home.toString(), "other", Integer.toString(sessionsEach), Integer.toString(callsEach), "7")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            if (!"ready".equals(in.readLine())) {
                throw new IllegalStateException("the second process did not start");
            }
            other.getOutputStream().write("go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            other.getOutputStream().flush();
            // This process starts once the other has a call through: started together, a warm process can take the
            // writers' lock turn after turn and spend the whole budget before the other's first call is looked at.
            List<String> early = new ArrayList<>();
            for (String line; (line = in.readLine()) != null && !"admitted".equals(line); ) {
                early.add(line);
            }
            List<SessionResult> mine = race(p, "mine", sessionsEach, callsEach, 99);
            List<SessionResult> theirs = new ArrayList<>();
            List<String> lines = new ArrayList<>(early);
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
            for (String line : lines) {
                String[] f = line.trim().split(" ");
                if (f.length == 2 && f[0].matches("\\d+")) {
                    theirs.add(new SessionResult(Integer.parseInt(f[0]), Long.parseLong(f[1])));
                }
            }
            if (!other.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || other.exitValue() != 0 || theirs.size() != sessionsEach) {
                throw new IllegalStateException("the second process failed (exit " + (other.isAlive() ? "none" : other.exitValue()) + ")");
            }
            return new TwoProcesses(mine, theirs);
        } finally {
            other.destroy();
        }
    }

    /**
     * args: home prefix sessions callsEach seed; prints ready, waits for a line on stdin, prints admitted at its first call
     * admitted, then one line per session: admitted largestMicros.
     */
    public static void main(String[] args) throws Exception {
        try (Engine p = Engine.open(EngineConfig.builder(new HomeLayout(Path.of(args[0]))).clock(Clock.fixed(NOON, ZoneOffset.UTC))
                .environment(java.util.Map.of()).build())) {
            // Open first, then wait for the parent's word: both processes race from the same moment.
            System.out.println("ready");
            System.out.flush();
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
            List<SessionResult> results = race(p, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
                    () -> {
                        System.out.println("admitted");
                        System.out.flush();
                    });
            for (SessionResult r : results) {
                System.out.println(r.admitted() + " " + r.largestMicros());
            }
        }
    }
}
