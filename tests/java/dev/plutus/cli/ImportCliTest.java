package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.hermes.TelemetryFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plutus import hermes-telemetry} from the command line, on a real peer directory and a real home. */
@Tag("store")
class ImportCliTest {
    @Test
    void importsTheDatabaseConvertsTheBudgetAndSaysWhatItDid(@TempDir Path home, @TempDir Path peer) throws Exception {
        Instant now = Instant.now();
        try (TelemetryFixture f = TelemetryFixture.create(peer.resolve("telemetry.db"), 16)) {
            f.run("cron_nightly_1", "cron", "nightly", null, null, now.minus(Duration.ofMinutes(30)), null, "running")
                    .call("cron_nightly_1", now.minus(Duration.ofMinutes(20)), "anthropic", "claude-sonnet-4", 1000, 500, 2000, 0, 0, 0.02)
                    .tool("cron_nightly_1", now.minus(Duration.ofMinutes(19)), "terminal", true);
        }
        Files.writeString(peer.resolve("budget.yaml"), "budgets:\n  per_cron_job:\n    default: {daily_usd: 1.50}\n");

        PlutusCliTest.Result r = PlutusCliTest.run(home, "import", "hermes-telemetry", "--config", peer.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("model calls: 1 imported ($0.011 at Plutus prices), 0 already imported"), r.out());
        assertTrue(r.out().contains("tool calls: 1 imported"), r.out());
        assertTrue(r.out().contains("anthropic claude-sonnet-4: 1 calls, hermes-telemetry said $0.020, Plutus prices $0.011"), r.out());
        assertTrue(r.out().contains("Budget: wrote " + home.resolve("budget.yaml")), r.out());
        assertTrue(Files.readString(home.resolve("budget.yaml")).contains("per_cron_job:\n    default:\n      daily_usd: 1.5\n"));

        PlutusCliTest.Result again = PlutusCliTest.run(home, "import", "hermes-telemetry", "--config", peer.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("model calls: 0 imported ($0.00 at Plutus prices), 1 already imported"), again.out());
        assertTrue(again.out().contains("already holds the converted budget"), again.out());

        Files.writeString(peer.resolve("budget.yaml"), "budgets:\n  global: {daily_usd: 9}\n");
        PlutusCliTest.Result differs = PlutusCliTest.run(home, "import", "hermes-telemetry", "--config", peer.toString());
        assertTrue(differs.out().contains("exists and differs, left as it is"), differs.out());
        assertTrue(Files.readString(home.resolve("budget.yaml")).contains("per_cron_job"), "not overwritten without --force");
    }

    @Test
    void aMissingDatabaseIsOneClearLineAndExit2(@TempDir Path home, @TempDir Path peer) {
        PlutusCliTest.Result r = PlutusCliTest.run(home, "import", "hermes-telemetry", "--db", peer.resolve("x.db").toString(),
                "--config", peer.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("plutus import hermes-telemetry: " + peer.resolve("x.db") + ": no such file"), r.err());
    }
}
