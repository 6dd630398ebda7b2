package dev.plutus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.Verdict;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API as a JVM application uses it: a home on disk, calls recorded, holds taken and budgets answered. */
class PlutusTest {
    private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");

    private static Plutus open(Path home) {
        return Plutus.open(PlutusConfig.builder(new PlutusHome(home)).clock(Clock.fixed(NOON, ZoneOffset.UTC))
                .environment(Map.of()).upkeep(false).build());
    }

    @Test
    void aCronRunsSpendCountsTowardItsJobsBudget(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), """
                budgets:
                  per_cron_job:
                    overrides:
                      job1:
                        daily_usd: 0.0001
                """);
        try (Plutus p = open(home)) {
            String run = "cron_job1_20261124_030000";
            p.record(new CallEvent("e1", NOON, run, "cron", "anthropic", "claude-sonnet-4-6", null, TokenUsage.of(100_000, 100_000),
                    false, 10, null));
            Verdict.Hard hard = assertInstanceOf(Verdict.Hard.class, p.checkSession(run).verdict());
            assertEquals(ScopeKind.CRON_JOB, hard.cause().scope().kind());
            assertEquals("job1", hard.cause().scope().id());
        }
    }

    @Test
    void aHoldIsTakenBeforeTheCallAndEndsWithItsRecordOrItsRelease(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 100\n");
        try (Plutus p = open(home)) {
            assertInstanceOf(ReservationBook.Outcome.Admitted.class,
                    p.reserve(new CallIntent("c1", "s", "api", "anthropic", "claude-sonnet-4-6", 2_000, 1_000L)));
            assertTrue(p.release("c1"), "the failed call's hold goes back");
            assertFalse(p.release("c1"), "and only once");
            p.reserve(new CallIntent("c2", "s", "api", "anthropic", "claude-sonnet-4-6", 2_000, 1_000L));
            assertFalse(p.record(new CallEvent("c2", NOON, "s", "api", "anthropic", "claude-sonnet-4-6", null,
                    TokenUsage.of(2_000, 500), false, 10, null)).duplicate());
            assertFalse(p.release("c2"), "recording the call ended its hold");
        }
    }

    @Test
    void aVerdictThatCannotBeComputedIsUnknownNeverOk(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 100\n");
        try (Plutus p = open(home)) {
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("plutus.db"));
                 var s = c.createStatement()) {
                s.execute("ALTER TABLE sessions RENAME TO sessions_gone");
            }
            Verdict.Unknown unknown = assertInstanceOf(Verdict.Unknown.class, p.checkSession("never-seen").verdict());
            assertEquals("unknown", unknown.level().label());
            assertTrue(unknown.reason().contains("the store failed"), unknown.reason());
        }
    }

    @Test
    void aFirstStartOnARefusedBudgetFileAnswersUnknownNeverOk(@TempDir Path home) throws Exception {
        // The user meant a $1 budget; a key written twice refuses the file, and there is no earlier good copy.
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1\n    daily_usd: 1\n");
        try (Plutus p = open(home)) {
            Verdict.Unknown unknown = assertInstanceOf(Verdict.Unknown.class, p.checkSession("s").verdict());
            assertTrue(unknown.reason().contains("budget.yaml is refused and no earlier good budget is known"), unknown.reason());
            assertTrue(unknown.reason().contains("duplicate key"), unknown.reason());
            ReservationBook.Outcome o = p.reserve(new CallIntent("c1", "s", "api", "anthropic", "claude-sonnet-4-6", 2_000, 1_000L));
            assertInstanceOf(ReservationBook.Outcome.Refused.class, o, "nothing is held on an unknown verdict");
            assertInstanceOf(Verdict.Unknown.class, o.check().verdict());
            // Spend is still recorded, and counts once the file is fixed.
            p.record(new CallEvent("e1", NOON, "s", "api", "anthropic", "claude-sonnet-4-6", null, TokenUsage.of(400_000, 0),
                    false, 10, null));
        }
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1\n");
        try (Plutus p = open(home)) {
            assertInstanceOf(Verdict.Hard.class, p.checkSession("s").verdict());
        }
    }
}
