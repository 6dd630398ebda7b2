package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's warm-up before it is published runs the verdict path and leaves no trace a host or a count could see. */
class VerdictWarmUpTest {

    @Test
    void theWarmUpAnswersNothingCountsNothingAndStoresNothing(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1\n  per_session:\n    default:\n      daily_usd: 0.5\n");
        try (TestEngine p = TestSupport.open(home, java.time.Clock.systemUTC())) {
            var verdictsBefore = p.engine().gate().verdictCounts();
            int rounds = VerdictWarmUp.run(p.engine().gate(), p.engine().pricing());
            assertTrue(rounds > 0, "it ran");
            assertEquals(verdictsBefore, p.engine().gate().verdictCounts(), "peeked verdicts are not counted as answered");
            assertTrue(p.hooks().counters().snapshot().values().stream().allMatch(n -> n == 0), p.hooks().counters().snapshot().toString());
            assertEquals(0, p.engine().jdbc().queryLong("SELECT COUNT(*) FROM sessions"), "no session stored");
            assertEquals(0, p.engine().jdbc().queryLong("SELECT COUNT(*) FROM llm_calls"), "no call stored");
        }
    }
}
