package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Sessions racing one hard cap under every interleaving jqwik can find: each session reserves, then
 * (later, after other sessions' steps) records the real cost, until it is refused.
 */
class ReservationProperties {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final List<ScopeRef> GLOBAL = List.of(ScopeRef.GLOBAL);

    /** One session's calls: what each really cost and what its reservation guessed. */
    record Call(long actual, long estimate) {}

    record Race(long limit, List<List<Call>> sessions, List<Integer> schedule) {}

    record Outcome(long spent, long largestCall, long underestimatesPerSession, long largestPerSessionSum) {}

    static BudgetConfig config(long limit) {
        return new BudgetConfig(Map.of(ScopeKind.GLOBAL, new ScopeLimits(new Limits(Map.of(Window.DAILY, limit)), Map.of())),
                BudgetConfig.DEFAULT_SOFT, BudgetConfig.DEFAULT_HARD, EnforcementMode.ENFORCE, EnforcementMode.WARN_ONLY,
                ZoneId.of("UTC"), DayOfWeek.MONDAY);
    }

    /** Plays the schedule: a session's turn either reserves its next call or records the one it holds. */
    static Outcome play(Race race, boolean reserve) {
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        BudgetConfig cfg = config(race.limit());
        ReservationBook book = new ReservationBook();
        int n = race.sessions().size();
        int[] next = new int[n];
        boolean[] holding = new boolean[n];
        boolean[] done = new boolean[n];
        long largest = 0;
        long under = 0;
        long perSession = 0;
        long[] sessionMaxUnder = new long[n];
        long[] sessionMax = new long[n];
        for (int turn : race.schedule()) {
            int s = turn % n;
            if (done[s]) {
                continue;
            }
            List<Call> calls = race.sessions().get(s);
            String id = s + ":" + next[s];
            if (!holding[s]) {
                if (next[s] >= calls.size()) {
                    done[s] = true;
                    continue;
                }
                Call c = calls.get(next[s]);
                boolean admitted;
                if (reserve) {
                    admitted = book.reserve(id, GLOBAL, c.estimate(), NOW, NOW.plusSeconds(600),
                            held -> ev.check(cfg, GLOBAL, NOW, held), ReservationBook.Elsewhere.NONE) instanceof ReservationBook.Outcome.Admitted;
                } else {
                    admitted = !(ev.check(cfg, GLOBAL, NOW).verdict() instanceof Verdict.Hard);
                }
                if (!admitted) {
                    done[s] = true;
                } else {
                    holding[s] = true;
                }
            } else {
                Call c = calls.get(next[s]);
                ledger.add(GLOBAL, NOW.toEpochMilli(), c.actual(), false, true);
                book.release(id);
                holding[s] = false;
                next[s]++;
                largest = Math.max(largest, c.actual());
                sessionMax[s] = Math.max(sessionMax[s], c.actual());
                sessionMaxUnder[s] = Math.max(sessionMaxUnder[s], c.actual() - c.estimate());
            }
        }
        // Calls still in flight when the schedule ends complete now, in session order.
        for (int s = 0; s < n; s++) {
            if (holding[s]) {
                Call c = race.sessions().get(s).get(next[s]);
                ledger.add(GLOBAL, NOW.toEpochMilli(), c.actual(), false, true);
                book.release(s + ":" + next[s]);
                largest = Math.max(largest, c.actual());
                sessionMax[s] = Math.max(sessionMax[s], c.actual());
                sessionMaxUnder[s] = Math.max(sessionMaxUnder[s], c.actual() - c.estimate());
            }
        }
        for (int s = 0; s < n; s++) {
            under += sessionMaxUnder[s];
            perSession += sessionMax[s];
        }
        assertEquals(0, book.heldMicros(ScopeRef.GLOBAL), "every hold ended");
        return new Outcome(ledger.spend(ScopeRef.GLOBAL, Window.DAILY, NOW).spentMicros(), largest, under, perSession);
    }

    /** The bound: the limit plus the largest call each session had in flight. */
    @Property(tries = 400)
    void spendStaysWithinTheLimitPlusOneCallPerSession(@ForAll("noisyRaces") Race race) {
        Outcome o = play(race, true);
        assertTrue(o.spent() <= race.limit() + o.largestPerSessionSum(), o + " limit " + race.limit());
    }

    /** Reservations do better: past the limit by at most one call, plus what the estimates missed. */
    @Property(tries = 400)
    void overshootIsOneCallPlusWhatTheEstimatesMissed(@ForAll("noisyRaces") Race race) {
        Outcome o = play(race, true);
        assertTrue(o.spent() <= race.limit() + o.largestCall() + o.underestimatesPerSession(), o + " limit " + race.limit());
    }

    /** With exact estimates, whatever the interleaving, spend passes the limit by less than one call. */
    @Property(tries = 400)
    void exactEstimatesOvershootByLessThanOneCall(@ForAll("exactRaces") Race race) {
        Outcome o = play(race, true);
        assertTrue(o.spent() <= race.limit() || o.spent() < race.limit() + o.largestCall(), o + " limit " + race.limit());
    }

    /** The same race checked without reservations: every session passes before any records, and the cap is overshot eightfold. */
    @Example
    void withoutReservationsTheRaceOvershootsByACallPerSession() {
        List<List<Call>> sessions = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            sessions.add(List.of(new Call(100, 100)));
        }
        List<Integer> schedule = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int s = 0; s < 8; s++) {
                schedule.add(s);
            }
        }
        Race race = new Race(150, sessions, schedule);
        assertEquals(800, play(race, false).spent(), "plain checks let all eight through");
        assertEquals(200, play(race, true).spent(), "reservations let two through: the second still fit under 150");
    }

    @Provide
    Arbitrary<Race> exactRaces() {
        return races(Arbitraries.longs().between(1, 5_000).map(a -> new Call(a, a)));
    }

    @Provide
    Arbitrary<Race> noisyRaces() {
        return races(Combinators.combine(Arbitraries.longs().between(0, 5_000), Arbitraries.longs().between(1, 5_000))
                .as(Call::new));
    }

    private static Arbitrary<Race> races(Arbitrary<Call> call) {
        Arbitrary<List<List<Call>>> sessions = call.list().ofMinSize(1).ofMaxSize(30).list().ofMinSize(1).ofMaxSize(8);
        Arbitrary<Long> limit = Arbitraries.longs().between(0, 60_000);
        Arbitrary<List<Integer>> schedule = Arbitraries.integers().between(0, 1_000).list().ofMinSize(0).ofMaxSize(600);
        return Combinators.combine(limit, sessions, schedule).as(Race::new);
    }
}
