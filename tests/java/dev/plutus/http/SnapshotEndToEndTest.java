package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.core.HomeLayout;
import dev.plutus.hermes.HermesInstaller;
import dev.plutus.hermes.PluginManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdict snapshot end to end: the installed bridge loaded by Hermes's real plugin manager, a real
 * daemon and store. Under a $0.01 cap the tool is blocked on the very pre_tool_call after the call that
 * crossed it, although that call was only journaled and the snapshot had just allowed the session; and
 * once the daemon has counted the call the snapshot itself blocks, with the daemon's message.
 */
class SnapshotEndToEndTest {
    private static final Path HERMES_SRC = Path.of(System.getProperty("plutus.hermes.src", "/work/shared/hermes/upstream-306e2d23"));

    @Test
    void aCapOfOneCentBlocksTheToolRightAfterTheJournaledCallThatCrossedIt(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(HERMES_SRC.resolve("hermes_cli/plugins.py")), "Hermes's plugin manager not at " + HERMES_SRC);
        Path home = tmp.resolve("plutus");
        Path hermes = tmp.resolve("hermes");
        Files.createDirectories(hermes);
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets:\n  global:\n    daily_usd: 0.01\n").start()) {
            HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(home), PluginManifest.bundled(), Clock.systemUTC());
            installer.install(new HermesInstaller.BridgeSettings(10_000, "open", false, "plutus"));
            ProcessBuilder pb = new ProcessBuilder("python3", Path.of("tests/python/snapshot_driver.py").toAbsolutePath().toString(),
                    HERMES_SRC.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().remove("PLUTUS_HOME");
            pb.environment().put("HERMES_HOME", hermes.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            JsonNode r = TestSupport.JSON.readTree(out);
            assertTrue(r.path("allowed_from_snapshot").asBoolean(), "the session was allowed from the snapshot first: " + r);
            for (JsonNode a : r.path("answers")) {
                assertTrue(a.isNull(), "allowed while under the cap: " + r);
            }
            JsonNode blocked = r.path("right_after");
            assertEquals("block", blocked.path("action").asText(), "the pre_tool_call right after the crossing call: " + r);
            assertTrue(blocked.path("message").asText().contains("$0.01"), blocked.toString());
            JsonNode again = r.path("from_snapshot_after");
            assertEquals("block", again.path("action").asText(), "the snapshot blocks once it counted the call: " + r);
            assertEquals(blocked.path("message").asText(), again.path("message").asText(), "the daemon's very message");
            for (JsonNode e : r.path("sent")) {
                assertFalse(e.asText().contains("post_api_request"), "post_api_request was journaled, never sent: " + r.path("sent"));
            }
            assertEquals(1, d.plutus().jdbc().queryLong("SELECT COUNT(*) FROM llm_calls"), "the journaled call is stored");
        }
    }
}
