package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import dev.plutus.cli.PlutusCliTest.Result;
import dev.plutus.http.PlutusDaemon;
import dev.plutus.http.ServeOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI behaves like one: errors on stderr with a non-zero exit, hints that work as printed, the daemon asked when it runs. */
class CliBehaviourTest {
    @Test
    void errorsGoToStderrWithExit1AndANearMissGetsDidYouMean(@TempDir Path home) {
        Result stats = PlutusCliTest.run(home, "stats", "todya");
        assertEquals(1, stats.exit(), stats.out());
        assertEquals("", stats.out());
        assertTrue(stats.err().startsWith("plutus stats: unknown report or window 'todya' (did you mean 'today'?)"), stats.err());

        Result setup = PlutusCliTest.run(home, "setup", "pricing", "atuo");
        assertEquals(1, setup.exit(), setup.out());
        assertTrue(setup.err().contains("(did you mean 'auto'?)"), setup.err());
        assertTrue(setup.err().contains("usage: plutus setup pricing auto|minimal|skip"), "terminal syntax: " + setup.err());
        assertFalse(setup.err().contains("/setup"), setup.err());

        Result range = PlutusCliTest.run(home, "stats", "week", "--from", "2026-01-01");
        assertEquals(2, range.exit(), "a window and --from together are a usage error: " + range.err());
    }

    @Test
    void terminalOutputUsesTerminalSyntax(@TempDir Path home) {
        Result r = PlutusCliTest.run(home, "setup");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("run plutus setup pricing auto"), r.out());
        assertTrue(r.out().contains("run plutus setup budget default"), r.out());
        assertFalse(r.out().matches("(?s).*(?<![\\w/.~-])/setup.*"), r.out());
    }

    @Test
    void statsFromToIsARangeInTheBudgetZone(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "timezone: Asia/Tokyo\nbudgets: {}\n");
        Result r = PlutusCliTest.run(home, "stats", "--from", "2026-03-01", "--to", "2026-03-02 12:00", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals("2026-02-28T15:00:00Z", r.json().path("from").asText());
        assertEquals("2026-03-02T03:00:00Z", r.json().path("to").asText());
        assertEquals("Asia/Tokyo", r.json().path("zone").asText());
        Result text = PlutusCliTest.run(home, "stats", "models", "--from", "2026-03-01");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().startsWith("Plutus — models (2026-03-01 00:00 to "), text.out());
        Result bad = PlutusCliTest.run(home, "stats", "--from", "March");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--from 'March' is not a date"), bad.err());
    }

    @Test
    void budgetUnsetRemovesALimitAndABadOneExitsNonZero(@TempDir Path home) throws Exception {
        assertEquals(0, PlutusCliTest.run(home, "budget", "set", "global", "daily", "5").exit());
        assertEquals(0, PlutusCliTest.run(home, "budget", "set", "global", "monthly", "100").exit());
        Result unset = PlutusCliTest.run(home, "budget", "unset", "global", "daily");
        assertEquals(0, unset.exit(), unset.err());
        assertTrue(unset.out().startsWith("Removed the global daily limit."), unset.out());
        assertFalse(Files.readString(home.resolve("budget.yaml")).contains("daily_usd"));
        assertTrue(Files.readString(home.resolve("budget.yaml")).contains("monthly_usd: 100"));
        Result again = PlutusCliTest.run(home, "budget", "unset", "global", "daily");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("no global daily limit"), again.err());
    }

    @Test
    void serveOnABusyPortSaysSoInOneLine(@TempDir Path home) throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result r = PlutusCliTest.run(home, "serve", "--port", Integer.toString(busy.getLocalPort()));
            assertEquals(1, r.exit());
            assertEquals("", r.out());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("127.0.0.1:" + busy.getLocalPort() + " is in use"), r.err());
        }
    }

    @Test
    void readOnlyCommandsAskTheRunningDaemon(@TempDir Path home) throws Exception {
        TestSupport.onTestStore(home);
        try (PlutusDaemon d = PlutusDaemon.start(new ServeOptions("127.0.0.1", 0, 4), TestSupport.config(home).build())) {
            Result stats = PlutusCliTest.run(home, "stats", "--json");
            assertEquals(0, stats.exit(), stats.err());
            assertEquals(d.info().pid(), stats.json().path("daemon").path("pid").asLong(), stats.out());
            Result bad = PlutusCliTest.run(home, "stats", "weak");
            assertEquals(1, bad.exit(), "a refusal the daemon sends exits 1 too: " + bad.out());
            assertTrue(bad.err().contains("did you mean 'week'?"), bad.err());
            assertTrue(bad.err().contains("plutus stats"), "in terminal syntax: " + bad.err());
        }
    }

    @Test
    void installHermesSetsAStartingBudgetUnlessDeclinedAndHintsCarryTheHome(@TempDir Path tmp) throws Exception {
        Path hermes = tmp.resolve("hermes");
        Files.createDirectories(hermes);
        Path home = tmp.resolve("plutus");
        Result r = PlutusCliTest.run("", "install", "hermes", "--home", home.toString(), "--hermes-home", hermes.toString(),
                "--launcher", "plutus");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.readString(home.resolve("budget.yaml")).contains("daily_usd: 5.00"));
        assertTrue(r.out().contains("plutus budget set global daily 20 --home " + home), r.out());
        assertTrue(r.out().contains("`plutus serve --home " + home + "`"), r.out());

        Path declined = tmp.resolve("plutus2");
        Result no = PlutusCliTest.run("", "install", "hermes", "--home", declined.toString(), "--hermes-home", hermes.toString(),
                "--no-default-budget");
        assertEquals(0, no.exit(), no.err());
        assertFalse(Files.exists(declined.resolve("budget.yaml")));
        assertTrue(no.out().contains("nothing is stopped"), no.out());
    }

    @Test
    void shellHooksMergeIntoTheUsersOwnHooksAndQuickCommandsInsteadOfDuplicatingThem(@TempDir Path tmp) throws Exception {
        Path hermes = tmp.resolve("hermes");
        Files.createDirectories(hermes);
        String mine = """
                model: anthropic/claude-sonnet-4-6
                hooks:
                  pre_tool_call:
                    - command: "python3 /home/me/audit.py"   # my audit hook
                quick_commands:
                  deploy:
                    type: exec
                    command: "make deploy"
                  stats:
                    type: exec
                    command: "my-stats"
                """;
        Files.writeString(hermes.resolve("config.yaml"), mine);
        Path home = tmp.resolve("plutus");
        String[] install = {"install", "hermes", "--home", home.toString(), "--hermes-home", hermes.toString(), "--shell-hooks",
                "--no-default-budget", "--launcher", "plutus"};
        Result r = PlutusCliTest.run("", install);
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("\nhooks:\n"), "no top-level block to paste: " + r.out());
        assertTrue(r.out().contains("Your quick command 'stats' is kept"), r.out());
        assertEquals(mine, Files.readString(hermes.resolve("config.yaml")), "nothing written without consent");
        String merged = Files.readString(hermes.resolve("config.yaml.plutus-merged"));
        assertEquals(1, merged.lines().filter(l -> l.equals("hooks:")).count(), merged);
        assertEquals(1, merged.lines().filter(l -> l.equals("quick_commands:")).count(), merged);
        assertTrue(merged.contains("- command: \"python3 /home/me/audit.py\"   # my audit hook"), merged);
        assertTrue(merged.contains(hermes.resolve("plugins/plutus/shell_hook.py").toString()), merged);
        assertTrue(merged.contains("command: \"my-stats\""), merged);
        assertTrue(merged.contains("plutus budget --home " + home), merged);
        java.util.Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(merged);
        assertEquals(2, ((List<?>) ((java.util.Map<?, ?>) yaml.get("hooks")).get("pre_tool_call")).size(), merged);
        assertEquals("make deploy", ((java.util.Map<?, ?>) ((java.util.Map<?, ?>) yaml.get("quick_commands")).get("deploy")).get("command"));

        String[] write = java.util.Arrays.copyOf(install, install.length + 1);
        write[install.length] = "--write-config";
        Result w = PlutusCliTest.run("", write);
        assertEquals(0, w.exit(), w.err());
        assertEquals(merged, Files.readString(hermes.resolve("config.yaml")));
        try (var files = Files.list(hermes)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("config.yaml.plutus-bak-")), "backed up first");
        }
        Result again = PlutusCliTest.run("", write);
        assertEquals(merged, Files.readString(hermes.resolve("config.yaml")), "running it again adds nothing: " + again.out());
    }
}
