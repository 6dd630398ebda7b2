package dev.plutus.budget;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.core.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hosts sharing one store, each admitting its sessions' calls from claimed slices where it can,
 * under random interleavings of reservations, recorded results, passing time (claims lapse) and
 * upkeep: the cap holds as the issue bounds it, and once every call has ended and every claim has
 * lapsed nothing stays held, so whatever budget is left is there for anyone.
 */
@net.jqwik.api.Tag("store")
@net.jqwik.api.lifecycle.AddLifecycleHook(dev.plutus.SkipWithoutTestStore.class)
class SharedClaimProperties {
    static final Instant NOON = Instant.parse("2026-12-01T12:00:00Z");
    static final String MODEL = "claude-sonnet-4-6";

    /** A session's calls: prompt tokens (the reservation's estimate) and the output the call really produced. */
    record Call(long prompt, long output) {}

    /**
     * {@code steps}: each picks a session (its turn: reserve the next call, or record the one in
     * flight), or with a negative value moves time on by that many hundred milliseconds and has
     * every host republish its lapsed claims.
     */
    record Race(int hosts, long limitCents, List<List<Call>> sessions, List<Integer> steps) {}

    @Property(tries = 30)
    void hostsSharingAStoreHoldOneCapAndLeaveNothingHeld(@ForAll("noisyRaces") Race race) throws Exception {
        long[] o = play(race);
        assertTrue(o[0] <= o[1] + o[2], "spent " + o[0] + " > limit " + o[1] + " + one call per session " + o[2]);
    }

    /** With exact estimates, claims or not, the hosts between them pass the cap by less than one call. */
    @Property(tries = 30)
    void withExactEstimatesHostsPassTheCapByLessThanOneCall(@ForAll("exactRaces") Race race) throws Exception {
        long[] o = play(race);
        assertTrue(o[0] <= o[1] || o[0] < o[1] + o[3], "spent " + o[0] + " passes limit " + o[1] + " by a call of " + o[3] + " or more");
    }

    /**
     * A host that has not folded in the other's spend lately (it recorded nothing) must not hand out
     * more than its claim: one session reserving many calls at once on host A while host B spent.
     */
    @net.jqwik.api.Example
    void aHostHandsOutNoMoreThanItsClaimWhileBlindToTheOthersSpend() throws Exception {
        Path dir = sharedHome(1);
        TestSupport.MutableClock clock = new TestSupport.MutableClock(NOON, ZoneOffset.UTC);
        try (TestEngine a = TestEngine.open(TestSupport.config(dir, Map.of()).clock(clock).build());
             TestEngine b = TestEngine.open(TestSupport.config(dir, Map.of()).clock(clock).build())) {
            assertInstanceOf(ReservationBook.Outcome.Admitted.class, a.reserve(new CallIntent("a:0", "a", "cli", "anthropic", MODEL, 1000, null)));
            long largest = 0;
            for (int i = 0; i < 25; i++) {
                String id = "b:" + i;
                if (b.reserve(new CallIntent(id, "b", "cli", "anthropic", MODEL, 1000, null)) instanceof ReservationBook.Outcome.Admitted) {
                    largest = Math.max(largest, b.record(new CallEvent(id, clock.instant(), "b", "cli", "anthropic", MODEL, null,
                            new TokenUsage(1000, 1024, 0, 0, 0, 0), false, 0, null)).call().costMicros());
                }
            }
            int admitted = 0;
            for (int i = 1; i <= 60; i++) {
                if (a.reserve(new CallIntent("a:" + i, "a", "cli", "anthropic", MODEL, 1000, null)) instanceof ReservationBook.Outcome.Admitted) {
                    admitted++;
                }
            }
            a.syncLedger();
            long spent = a.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, clock.instant()).spentMicros();
            long exposure = spent + a.heldMicros(ScopeRef.GLOBAL) + b.heldMicros(ScopeRef.GLOBAL);
            assertTrue(spent > 300_000, "host B spent a good part of the budget first: " + spent);
            assertTrue(admitted > 0 && admitted < 60, "host A admitted " + admitted + " of 60");
            assertTrue(exposure < 1_000_000 + largest, "spent and held " + exposure + " pass the $1 cap by a call or more");
        } finally {
            deleteTree(dir);
        }
    }

    /** Far from the cap nearly every reservation comes out of a claim; at the cap the store refuses, and the claim is gone. */
    @net.jqwik.api.Example
    void claimsSpareTheStoreFarFromTheCapAndTheStoreDecidesAtIt() throws Exception {
        Path dir = sharedHome(2);
        TestSupport.MutableClock clock = new TestSupport.MutableClock(NOON, ZoneOffset.UTC);
        try (TestEngine p = TestEngine.open(TestSupport.config(dir, Map.of()).clock(clock).build())) {
            int admitted = 0;
            long largest = 0;
            for (int i = 0; i < 1_000; i++) {
                String id = "c:" + i;
                long storeBefore = p.reservationPaths().get("store");
                var o = p.reserve(new CallIntent(id, "s", "cli", "anthropic", MODEL, 1000, null));
                if (o instanceof ReservationBook.Outcome.Refused) {
                    assertEquals(storeBefore + 1, p.reservationPaths().get("store"), "the refusal was decided in the store");
                    break;
                }
                admitted++;
                largest = Math.max(largest, p.record(new CallEvent(id, clock.instant(), "s", "cli", "anthropic", MODEL, null,
                        new TokenUsage(1000, 1024, 0, 0, 0, 0), false, 0, null)).call().costMicros());
                if (i == 49) {
                    assertTrue(p.reservationPaths().get("store") <= 4, "the first 50 calls asked the store "
                            + p.reservationPaths().get("store") + " times");
                }
            }
            long spent = p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, clock.instant()).spentMicros();
            assertTrue(admitted > 50 && spent >= 2_000_000 && spent < 2_000_000 + largest, admitted + " calls, spent " + spent);
            assertTrue(p.reservationPaths().get("store") > 8, "near the cap the store decided: " + p.reservationPaths());
        } finally {
            deleteTree(dir);
        }
    }

    /** A check whose publish fails leaves neither a hold nor a claim behind: nothing unpublished is handed out. */
    @net.jqwik.api.Example
    @net.jqwik.api.Tag("sqlite-file")
    void aFailedPublishLeavesNoHoldAndNoClaim() throws Exception {
        Path dir = sharedHome(100);
        TestSupport.MutableClock clock = new TestSupport.MutableClock(NOON, ZoneOffset.UTC);
        try (TestEngine p = TestEngine.open(EngineConfig.builder(new HomeLayout(dir)).clock(clock).environment(Map.of()).build());
             var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + new HomeLayout(dir).database())) {
            c.createStatement().execute("CREATE TRIGGER refuse_holds BEFORE INSERT ON reservation_holds BEGIN SELECT RAISE(ABORT, 'injected'); END");
            org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> p.reserve(new CallIntent("c:0", "s", "cli", "anthropic", MODEL, 1000, null)));
            assertEquals(0, p.heldMicros(ScopeRef.GLOBAL), "the failed check's hold was taken back");
            c.createStatement().execute("DROP TRIGGER refuse_holds");
            long store = p.reservationPaths().get("store");
            assertInstanceOf(ReservationBook.Outcome.Admitted.class, p.reserve(new CallIntent("c:1", "s", "cli", "anthropic", MODEL, 1000, null)));
            assertEquals(store + 1, p.reservationPaths().get("store"), "no claim survived the failure: the store was asked");
            assertInstanceOf(ReservationBook.Outcome.Admitted.class, p.reserve(new CallIntent("c:2", "s", "cli", "anthropic", MODEL, 1000, null)));
            assertEquals(store + 1, p.reservationPaths().get("store"), "the new claim covers the next call");
        } finally {
            deleteTree(dir);
        }
    }

    /** The holds table keeps live holds only: rows of ended holds go at once, a dead process's rows with the daily purge. */
    @net.jqwik.api.Example
    void theStoreKeepsRowsForLiveHoldsOnly() throws Exception {
        Path dir = sharedHome(100);
        TestSupport.MutableClock clock = new TestSupport.MutableClock(NOON, ZoneOffset.UTC);
        EngineConfig cfg = TestSupport.config(dir, Map.of()).clock(clock).build();
        try (TestEngine p = TestEngine.open(cfg);
             dev.plutus.store.Database db = dev.plutus.store.StoreSettings.load(cfg.home().settingsFile())
                     .open(cfg.home().database(), 1, cfg.environment())) {
            for (int s = 0; s < 40; s++) {
                String id = "api:s" + s;
                assertInstanceOf(ReservationBook.Outcome.Admitted.class, p.reserve(new CallIntent(id, "s" + s, "cli", "anthropic", MODEL, 1000, null)));
                p.record(new CallEvent(id, clock.instant(), "s" + s, "cli", "anthropic", MODEL, null, new TokenUsage(1000, 500, 0, 0, 0, 0),
                        false, 0, null));
            }
            assertTrue(db.jdbc().queryLong("SELECT COUNT(*) FROM reservation_holds") > 0, "claims are published while they last");
            db.jdbc().update("INSERT INTO reservation_holds(owner, scope, micros, refreshed_at) VALUES ('dead', 'global', 5000, ?)",
                    clock.instant().minus(Duration.ofDays(2)).toEpochMilli());
            clock.advance(Duration.ofSeconds(3));
            p.republishLapsedClaims();
            assertEquals(1, db.jdbc().queryLong("SELECT COUNT(*) FROM reservation_holds"), "only the dead process's row is left");
            p.purgeIfDue();
            assertEquals(0, db.jdbc().queryLong("SELECT COUNT(*) FROM reservation_holds"), "the daily purge dropped it");
        } finally {
            deleteTree(dir);
        }
    }

    /** Plays the race; returns spent, limit, the sum of each session's largest call, and the largest call, in micro-dollars. */
    private static long[] play(Race race) throws Exception {
        Path dir = Files.createTempDirectory("plutus-claims");
        TestSupport.MutableClock clock = new TestSupport.MutableClock(NOON, ZoneOffset.UTC);
        List<TestEngine> hosts = new ArrayList<>();
        try {
            Files.writeString(dir.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: " + race.limitCents() / 100.0
                    + "\nreservations:\n  shared: true\n  expected_output_tokens: 1024\n  claim: 2s\n");
            for (int h = 0; h < race.hosts(); h++) {
                hosts.add(TestEngine.open(TestSupport.config(dir, Map.of()).clock(clock).build()));
            }
            int n = race.sessions().size();
            int[] next = new int[n];
            boolean[] holding = new boolean[n];
            boolean[] stopped = new boolean[n];
            long[] largest = new long[n];
            for (int step : race.steps()) {
                if (step < 0) {
                    // Upkeep republishes lapsed claims; it does not fold in others' spend, which hosts see late in earnest.
                    clock.advance(Duration.ofMillis(-step * 100L));
                    for (TestEngine p : hosts) {
                        p.republishLapsedClaims();
                    }
                    continue;
                }
                int s = step % n;
                if (!stopped[s]) {
                    largest[s] = Math.max(largest[s], turn(hosts.get(s % race.hosts()), race, s, next, holding, stopped));
                }
            }
            for (int s = 0; s < n; s++) {
                if (holding[s]) {
                    largest[s] = Math.max(largest[s], turn(hosts.get(s % race.hosts()), race, s, next, holding, stopped));
                }
            }
            TestEngine judge = hosts.get(0);
            judge.syncLedger();
            long limit = race.limitCents() * 10_000;
            long spent = judge.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, clock.instant()).spentMicros();

            clock.advance(Duration.ofSeconds(3));
            for (TestEngine p : hosts) {
                p.syncLedger();
                p.republishLapsedClaims();
            }
            for (int s = 0; s < n; s++) {
                assertEquals(0, judge.heldInStoreMicros(new ScopeRef(ScopeKind.SESSION, "s" + s)), "session s" + s + " still has money published as held");
            }
            assertEquals(0, judge.heldInStoreMicros(ScopeRef.GLOBAL), "money still published as held after every call ended and every claim lapsed");
            // A call that fits in what is left must now pass on every host: no claim or hold outlived its call.
            for (int h = 0; h < hosts.size(); h++) {
                var o = hosts.get(h).reserve(new CallIntent("probe-" + h, "probe-" + h, "cli", "anthropic", MODEL, 0, 0L));
                if (spent < limit) {
                    assertInstanceOf(ReservationBook.Outcome.Admitted.class, o, "host " + h + " refused with " + (limit - spent) + " µ$ left");
                    hosts.get(h).release("probe-" + h);
                } else {
                    assertInstanceOf(ReservationBook.Outcome.Refused.class, o, "host " + h + " admitted past the cap");
                }
            }
            return new long[] {spent, limit, java.util.Arrays.stream(largest).sum(), java.util.Arrays.stream(largest).max().orElse(0)};
        } finally {
            for (TestEngine p : hosts) {
                p.close();
            }
            deleteTree(dir);
        }
    }

    /** One session's turn; returns the cost of the call it recorded (0 if none). */
    private static long turn(TestEngine p, Race race, int s, int[] next, boolean[] holding, boolean[] stopped) {
        List<Call> calls = race.sessions().get(s);
        String id = "api:s" + s + ":" + next[s];
        if (!holding[s]) {
            if (next[s] >= calls.size()) {
                stopped[s] = true;
                return 0;
            }
            var o = p.reserve(new CallIntent(id, "s" + s, "cli", "anthropic", MODEL, calls.get(next[s]).prompt(), null));
            if (o instanceof ReservationBook.Outcome.Refused) {
                stopped[s] = true;
            } else {
                holding[s] = true;
            }
            return 0;
        }
        Call c = calls.get(next[s]);
        var rc = p.record(new CallEvent(id, p.now(), "s" + s, "cli", "anthropic", MODEL, null,
                new TokenUsage(c.prompt(), c.output(), 0, 0, 0, 0), false, 0, null));
        holding[s] = false;
        next[s]++;
        assertEquals(0, p.heldMicros(new ScopeRef(ScopeKind.SESSION, "s" + s)), "the recorded call's hold ended");
        return rc.call().costMicros();
    }

    @Provide
    Arbitrary<Race> noisyRaces() {
        return races(Combinators.combine(Arbitraries.longs().between(0, 4_000), Arbitraries.longs().between(0, 3_000)).as(Call::new), 1);
    }

    /** Every call produces exactly the output its reservation assumed, so reservations are the real costs. */
    @Provide
    Arbitrary<Race> exactRaces() {
        return races(Arbitraries.longs().between(0, 4_000).map(p -> new Call(p, 1024)), 2);
    }

    private static Arbitrary<Race> races(Arbitrary<Call> call, int minHosts) {
        Arbitrary<List<List<Call>>> sessions = call.list().ofMinSize(1).ofMaxSize(25).list().ofMinSize(1).ofMaxSize(6);
        Arbitrary<Integer> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(40, Arbitraries.integers().between(0, 1_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-15, -1)));
        return Combinators.combine(Arbitraries.integers().between(minHosts, 3), Arbitraries.longs().between(0, 120), sessions,
                step.list().ofMaxSize(300)).as(Race::new);
    }

    /** A fresh home (jqwik has no @TempDir) whose budget.yaml caps global spend a day, with reservations shared. */
    private static Path sharedHome(int dailyUsd) throws java.io.IOException {
        Path dir = Files.createTempDirectory("plutus-claims");
        Files.writeString(dir.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: " + dailyUsd + "\nreservations:\n  shared: true\n");
        return dir;
    }

    /** jqwik tries share no @TempDir: each makes its own home and removes it. */
    private static void deleteTree(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
