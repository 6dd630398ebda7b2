package dev.plutus.budget;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.bench.ReservationRace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hard caps under concurrency, for real: 8 threads × 1,000 calls on one SQLite file, and two
 * processes sharing one. Spend must end at most the limit plus the largest call of each session
 * (the calls in flight when the cap closed); the figures are printed.
 */
@org.junit.jupiter.api.Tag("store")
class ReservationStressTest {
    static final long LIMIT = 20_000_000; // $20

    static TestEngine open(Path home) {
        return TestEngine.open(dev.plutus.TestSupport.config(home, Map.of()).clock(Clock.fixed(ReservationRace.NOON, ZoneOffset.UTC)).build());
    }

    static long spent(TestEngine p) {
        p.syncLedger();
        return p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, ReservationRace.NOON).spentMicros();
    }

    @Test
    void eightThreadsRacingOneCapOvershootByLessThanOneCallEach(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\n");
        try (TestEngine p = open(home)) {
            List<ReservationRace.SessionResult> r = ReservationRace.race(p.engine(), "t", 8, 1000, 42);
            long spent = spent(p);
            long bound = r.stream().mapToLong(ReservationRace.SessionResult::largestMicros).sum();
            int admitted = r.stream().mapToInt(ReservationRace.SessionResult::admitted).sum();
            System.out.printf("reservations, 8 threads: %d calls admitted, spend $%s of $20 (overshoot $%s, bound $%s)%n", admitted,
                    dev.plutus.core.Money.microsToUsd(spent), dev.plutus.core.Money.microsToUsd(Math.max(0, spent - LIMIT)),
                    dev.plutus.core.Money.microsToUsd(bound));
            assertTrue(spent <= LIMIT + bound, "spend " + spent + " exceeds limit + one call per session " + (LIMIT + bound));
            assertTrue(spent >= LIMIT * 9 / 10, "the budget was actually used up: " + spent);
            assertTrue(admitted < 8000, "the cap stopped the sessions");
            assertEquals(0, p.heldMicros(ScopeRef.GLOBAL), "every hold ended with its call");
        }
    }

    @Test
    void twoProcessesSharingOneDatabaseHoldOneCap(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\nreservations:\n  shared: true\n");
        try (TestEngine p = open(home)) {
            ReservationRace.TwoProcesses race = ReservationRace.raceTwoProcesses(p.engine(), home, 4, 1000);
            List<ReservationRace.SessionResult> mine = race.mine();
            List<ReservationRace.SessionResult> theirs = race.theirs();
            assertEquals(4, theirs.size());
            long spent = spent(p);
            long bound = mine.stream().mapToLong(ReservationRace.SessionResult::largestMicros).sum()
                    + theirs.stream().mapToLong(ReservationRace.SessionResult::largestMicros).sum();
            int mineAdmitted = mine.stream().mapToInt(ReservationRace.SessionResult::admitted).sum();
            int theirsAdmitted = theirs.stream().mapToInt(ReservationRace.SessionResult::admitted).sum();
            System.out.printf("reservations, 2 processes × 4 threads: %d + %d calls admitted, spend $%s of $20 (overshoot $%s, bound $%s)%n",
                    mineAdmitted, theirsAdmitted, dev.plutus.core.Money.microsToUsd(spent),
                    dev.plutus.core.Money.microsToUsd(Math.max(0, spent - LIMIT)), dev.plutus.core.Money.microsToUsd(bound));
            assertTrue(spent <= LIMIT + bound, "spend " + spent + " exceeds limit + one call per session " + (LIMIT + bound));
            assertTrue(spent >= LIMIT * 9 / 10, "the budget was actually used up: " + spent);
            assertTrue(mineAdmitted > 0 && theirsAdmitted > 0, "both processes got calls through");
        }
    }
}
