package dev.plutus.http;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.hermes.HermesInstaller;
import dev.plutus.hermes.PluginManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** Hermes without Python plugins: the printed hooks: block, run as Hermes runs it, reaches the daemon. */
@org.junit.jupiter.api.Tag("store")
class ShellHookEndToEndTest {
    @Test
    void theSnippetsCommandsRecordCallsAndBlockToolsOverBudget(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Files.createDirectories(home);
        Files.writeString(home.resolve("budget.yaml"), """
                budgets:
                  global:
                    daily_usd: 0.01
                timezone: UTC
                """);
        Path hermes = tmp.resolve("hermes");
        Files.createDirectories(hermes);
        byte[] config = Files.readAllBytes(TestSupport.hermesFixture("config.example.yaml"));
        Files.write(hermes.resolve("config.yaml"), config);
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(home), PluginManifest.bundled(), Clock.systemUTC());
        installer.installForShellHooks(new HermesInstaller.BridgeSettings(10_000, "open", false, "plutus"));
        assertEquals(new String(config, StandardCharsets.UTF_8), Files.readString(hermes.resolve("config.yaml")),
                "config.yaml is the user's to edit: the plugin is not enabled as well");

        Map<String, Object> snippet = new Yaml().load(installer.shellHooksSnippet("python3", "plutus"));
        @SuppressWarnings("unchecked")
        Map<String, List<Map<String, Object>>> hooks = (Map<String, List<Map<String, Object>>>) snippet.get("hooks");
        assertEquals(PluginManifest.bundled().hooks(), List.copyOf(hooks.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, String>> quick = (Map<String, Map<String, String>>) snippet.get("quick_commands");
        assertEquals("plutus stats", quick.get("stats").get("command"));
        String command = (String) hooks.get("pre_tool_call").get(0).get("command");

        double now = System.currentTimeMillis() / 1000.0;
        ObjectNode call = (ObjectNode) TestSupport.hermesJson("shell-hook-stdin-post_api_request.json");
        ((ObjectNode) call.get("extra")).put("started_at", now - 7).put("ended_at", now - 1);
        JsonNode tool = TestSupport.hermesJson("shell-hook-stdin-pre_tool_call.json");
        try (DaemonProcess daemon = DaemonProcess.start(TestSupport.onTestStore(home), tmp.resolve("daemon.log"))) {
            assertEquals("{}", run(command, call.toString()), "post_api_request answers nothing");
            JsonNode block = TestSupport.JSON.readTree(run(command, tool.toString()));
            assertEquals("block", block.path("action").asText(), block.toString());
            assertTrue(block.path("message").asText().contains("global daily"), block.toString());
        }
        // The daemon is gone: the event is spooled, the tool runs (fail open), the output is still JSON.
        assertEquals("{}", run(command, tool.toString().replace("toolu_01HvY3kq8Qm2ZtWc4nRj6EaB", "toolu_later")));
        try (TestEngine p = TestSupport.open(home, Clock.systemUTC())) {
            assertEquals(1, p.calls().count(), "the post_api_request went through the shell hook into the store");
        }
        try (var spooled = Files.list(home.resolve("spool"))) {
            assertFalse(spooled.toList().isEmpty(), "the event sent while the daemon was down waits in the spool");
        }
    }

    /** Runs a hook command the way Hermes does: split into words, no shell, JSON on stdin. */
    private static String run(String command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command.split(" ")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
