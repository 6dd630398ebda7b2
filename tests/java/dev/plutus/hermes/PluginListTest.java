package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginListTest {
    private static final HermesInstaller.BridgeSettings SETTINGS = new HermesInstaller.BridgeSettings(250, "open", false, "plutus");

    @Test
    void installWarnsAboutAHermesHookTimeoutBelowTheBridgesWorstCase(@TempDir Path hermes) throws Exception {
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(hermes.resolve("plutus")),
                PluginManifest.bundled(), Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));
        Files.writeString(hermes.resolve("config.yaml"), "plugins:\n  enabled: []\n  hook_callback_timeout: 0.5\n");
        List<String> report = installer.install(SETTINGS);
        String warning = report.stream().filter(l -> l.contains("hook_callback_timeout")).findFirst().orElseThrow(() -> new AssertionError(report.toString()));
        assertTrue(warning.contains("is 0.5 s") && warning.contains("worst case of 1000 ms") && warning.contains("125 ms"), warning);

        for (String fine : List.of("plugins:\n  enabled: []\n  hook_callback_timeout: 30\n",
                "plugins:\n  enabled: []\n  hook_callback_timeout: 0\n", "plugins:\n  enabled: []\n")) {
            Files.writeString(hermes.resolve("config.yaml"), fine);
            assertTrue(installer.install(SETTINGS).stream().noneMatch(l -> l.contains("hook_callback_timeout")), fine);
        }
    }

    @Test
    void aHookTimeoutHermesReplacesByItsDefaultIsTakenAs30Seconds(@TempDir Path hermes) throws Exception {
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(hermes.resolve("plutus")),
                PluginManifest.bundled(), Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));
        HermesInstaller.BridgeSettings slow = new HermesInstaller.BridgeSettings(20_000, "open", false, "plutus");
        for (String config : Arrays.asList(null, "model: x\n", "plugins:\n  hook_callback_timeout:\n",
                "plugins:\n  hook_callback_timeout: null\n", "plugins:\n  hook_callback_timeout: -5\n",
                "plugins:\n  hook_callback_timeout: soon\n")) {
            Files.deleteIfExists(hermes.resolve("config.yaml"));
            if (config != null) {
                Files.writeString(hermes.resolve("config.yaml"), config);
            }
            List<String> report = installer.install(slow);
            String warning = report.stream().filter(l -> l.contains("hook_callback_timeout")).findFirst()
                    .orElseThrow(() -> new AssertionError(config + ": " + report));
            assertTrue(warning.contains("default of 30 s") && warning.contains("worst case of 80000 ms")
                    && warning.contains("7500 ms"), warning);
        }
        Files.writeString(hermes.resolve("config.yaml"), "plugins:\n  hook_callback_timeout: 0\n");
        assertTrue(installer.install(slow).stream().noneMatch(l -> l.contains("hook_callback_timeout")), "0: no limit");
    }

    @Test
    void installOnTheCommentedExampleConfigAddsExactlyOneLine(@TempDir Path hermes) throws Exception {
        byte[] original = Files.readAllBytes(TestSupport.hermesFixture("config.example.yaml"));
        Files.write(hermes.resolve("config.yaml"), original);
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(hermes.resolve("plutus")),
                PluginManifest.bundled(), Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));

        List<String> report = installer.install(SETTINGS);
        assertTrue(report.get(0).startsWith("Installed the Plutus plugin"), report.toString());

        List<String> before = lines(original);
        List<String> after = lines(Files.readAllBytes(hermes.resolve("config.yaml")));
        assertEquals(before.size() + 1, after.size());
        List<String> added = new ArrayList<>(after);
        for (String l : before) {
            added.remove(l);
        }
        assertEquals(List.of("    - plutus"), added);
        int at = after.indexOf("    - plutus");
        assertEquals("    - disk-cleanup", after.get(at - 1));
        assertEquals(List.of("disk-cleanup", "plutus"), PluginList.enabledNames(String.join("\n", after)));
        assertTrue(Files.exists(hermes.resolve("config.yaml.plutus-bak-20261124T120000Z")));
        assertTrue(Arrays.equals(original, Files.readAllBytes(hermes.resolve("config.yaml.plutus-bak-20261124T120000Z"))));

        Path plugin = hermes.resolve("plugins/plutus");
        assertTrue(Files.readString(plugin.resolve("plugin.yaml")).contains("name: plutus"));
        assertTrue(Files.readString(plugin.resolve("__init__.py")).contains("def register(ctx"));
        assertTrue(Files.readString(plugin.resolve("bridge.json")).contains("\"fail_mode\" : \"open\""));

        // Re-running changes nothing.
        byte[] installed = Files.readAllBytes(hermes.resolve("config.yaml"));
        List<String> again = installer.install(SETTINGS);
        assertTrue(again.get(0).contains("up to date"), again.toString());
        assertTrue(again.get(1).contains("already"), again.toString());
        assertTrue(Arrays.equals(installed, Files.readAllBytes(hermes.resolve("config.yaml"))));

        // A changed setting is a clean upgrade of bridge.json only.
        List<String> upgrade = installer.install(new HermesInstaller.BridgeSettings(400, "closed", true, "plutus"));
        assertTrue(upgrade.get(0).startsWith("Upgraded") && upgrade.get(0).contains("1 file written"), upgrade.toString());

        // Uninstall gives back the original bytes and removes the plugin directory.
        installer.uninstall();
        assertTrue(Arrays.equals(original, Files.readAllBytes(hermes.resolve("config.yaml"))));
        assertFalse(Files.exists(plugin));
    }

    @Test
    void flowListsMissingKeysAndEmptyFilesAreHandled() {
        assertEquals("plugins:\n  enabled: [a, plutus]   # mine\n",
                PluginList.enable("plugins:\n  enabled: [a]   # mine\n", "plutus"));
        assertEquals("plugins:\n  enabled: [plutus]\n", PluginList.enable("plugins:\n  enabled: []\n", "plutus"));
        assertEquals("plugins:\n  enabled: [a]   # mine\n",
                PluginList.disable("plugins:\n  enabled: [a, plutus]   # mine\n", "plutus"));
        assertEquals("model: x\nplugins:\n  enabled:\n    - plutus\n  disabled: []\n",
                PluginList.enable("model: x\nplugins:\n  disabled: []\n", "plutus"));
        String none = "model: x  # keep\n";
        String added = PluginList.enable(none, "plutus");
        assertTrue(added.startsWith(none), added);
        assertEquals(List.of("plutus"), PluginList.enabledNames(added));
        assertEquals(List.of("plutus"), PluginList.enabledNames(PluginList.enable("", "plutus")));
        // Items at the same indentation as their key are a list too.
        assertEquals("plugins:\n  enabled:\n  - a\n  - plutus\nother: 1\n",
                PluginList.enable("plugins:\n  enabled:\n  - a\nother: 1\n", "plutus"));
    }

    @Test
    void brokenConfigIsRefusedWithoutWriting(@TempDir Path hermes) throws Exception {
        String broken = "plugins:\n  enabled: [a\nmodel: {\n";
        Files.writeString(hermes.resolve("config.yaml"), broken);
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(hermes.resolve("plutus")),
                PluginManifest.bundled(), Clock.systemUTC());
        assertThrows(ConfigException.class, () -> installer.install(SETTINGS));
        assertEquals(broken, Files.readString(hermes.resolve("config.yaml")));
        try (Stream<Path> s = Files.list(hermes)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().contains("plutus-bak")).count());
        }
    }

    private static List<String> lines(byte[] b) {
        return new ArrayList<>(Arrays.asList(new String(b, StandardCharsets.UTF_8).split("\n", -1)));
    }
}
