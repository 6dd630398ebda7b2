package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.cli.PlutusCliTest.Result;
import dev.plutus.http.PlutusDaemon;
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
        assertTrue(setup.err().contains("usage: plutus setup --home " + home + " pricing auto|minimal|skip"),
                "terminal syntax, for this home: " + setup.err());
        assertFalse(setup.err().contains("/setup"), setup.err());

        Result range = PlutusCliTest.run(home, "stats", "week", "--from", "2026-01-01");
        assertEquals(2, range.exit(), "a window and --from together are a usage error: " + range.err());
    }

    @Test
    void terminalOutputUsesTerminalSyntax(@TempDir Path home) {
        Result r = PlutusCliTest.run(home, "setup");
        assertEquals(0, r.exit(), r.err());
        String flag = " --home " + dev.plutus.core.HomeLayout.shellQuoted(home.toString());
        assertTrue(r.out().contains("run plutus setup" + flag + " pricing auto"), r.out());
        assertTrue(r.out().contains("run plutus setup" + flag + " budget default"), r.out());
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
        assertEquals(2, bad.exit(), "a usage error: " + bad.err());
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
        try (PlutusDaemon d = CliFixture.daemon(home)) {
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
        Path hermes = CliFixture.hermesHome(tmp, "hermes");
        Path home = tmp.resolve("plutus");
        Result r = CliFixture.install(home, hermes, "--launcher", "plutus");
        assertTrue(Files.readString(home.resolve("budget.yaml")).contains("daily_usd: 5.00"));
        assertTrue(r.out().contains("plutus budget set global daily 20 --home " + home), r.out());
        assertTrue(r.out().contains("`plutus serve --home " + home + "`"), r.out());

        Path declined = tmp.resolve("plutus2");
        Result no = CliFixture.install(declined, hermes, "--no-default-budget");
        assertFalse(Files.exists(declined.resolve("budget.yaml")));
        assertTrue(no.out().contains("nothing is stopped"), no.out());
    }

    @Test
    void shellHooksMergeIntoTheUsersOwnHooksAndQuickCommandsInsteadOfDuplicatingThem(@TempDir Path tmp) throws Exception {
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
        Path hermes = CliFixture.hermesHome(tmp, "hermes", mine);
        Path home = tmp.resolve("plutus");
        String[] options = {"--shell-hooks", "--no-default-budget", "--launcher", "plutus"};
        Result r = CliFixture.install(home, hermes, options);
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

        String[] write = java.util.Arrays.copyOf(options, options.length + 1);
        write[options.length] = "--write-config";
        CliFixture.install(home, hermes, write);
        assertEquals(merged, Files.readString(hermes.resolve("config.yaml")));
        assertTrue(CliFixture.configBackups(hermes) > 0, "backed up first");
        Result again = CliFixture.install(home, hermes, write);
        assertEquals(merged, Files.readString(hermes.resolve("config.yaml")), "running it again adds nothing: " + again.out());
    }

    @Test
    void hintsNameANonDefaultHomeSoTheyWorkAsPrinted(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("my plutus");
        Files.createDirectories(home);
        String flag = "--home '" + home + "'";
        Result setup = PlutusCliTest.run(home, "setup");
        assertEquals(0, setup.exit(), setup.err());
        assertTrue(setup.out().contains("run plutus setup " + flag + " pricing auto"), setup.out());
        Result status = PlutusCliTest.run(home, "status");
        assertEquals(3, status.exit(), status.err());
        assertTrue(status.out().contains("Start it with `plutus serve " + flag + "`"), status.out());
        Result budget = PlutusCliTest.run(home, "budget");
        assertEquals(0, budget.exit(), budget.err());
        assertTrue(budget.out().contains("Set one with plutus budget " + flag + " set global daily"), budget.out());
        // As printed, the hint runs against this home: it parses and writes the budget here.
        Result followed = PlutusCliTest.run("", "budget", "--home", home.toString(), "set", "global", "daily", "5");
        assertEquals(0, followed.exit(), followed.err());
        assertTrue(Files.readString(home.resolve("budget.yaml")).contains("daily_usd: 5"));
    }

    @Test
    void rangeMistakesAreOneLineNamingTheOptionWithExit2(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "timezone: America/New_York\nbudgets: {}\n");
        usageError(home, "--to needs --from", "stats", "--to", "2026-03-07");
        usageError(home, "--from '2026-03-01T10:00' and --to '2026-03-01 10:00' are the same time", "stats", "--from", "2026-03-01T10:00",
                "--to", "2026-03-01 10:00");
        usageError(home, "--to '2026-03-01' ends the range (2026-03-02 00:00) before --from '2026-03-07'", "stats", "--from", "2026-03-07",
                "--to", "2026-03-01");
        usageError(home, "--from '2026-03-08T02:30' does not exist in America/New_York: the clocks jump from 02:00 to 03:00", "stats",
                "--from", "2026-03-08T02:30");
        usageError(home, "--from '2026-11-01T01:30' happens twice in America/New_York", "stats", "--from", "2026-11-01T01:30",
                "--to", "2026-11-02");
        usageError(home, "--from/--to give the range, so 'week' cannot as well", "stats", "week", "--from", "2026-03-01");
        usageError(home, "--from 'March' is not a date", "stats", "--from", "March");

        Result offset = PlutusCliTest.run(home, "stats", "--from", "2026-11-01T01:30-05:00", "--to", "2026-11-02", "--json");
        assertEquals(0, offset.exit(), "the offset the message suggests is accepted: " + offset.err());
        assertEquals("2026-11-01T06:30:00Z", offset.json().path("from").asText());
    }

    private static void usageError(Path home, String message, String... args) {
        Result r = PlutusCliTest.run(home, args);
        assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line, not the whole help: " + r.err());
        assertTrue(r.err().startsWith("plutus stats: " + message), r.err());
    }

    @Test
    void everyHelpAndUsageTextUsesTerminalSyntax() {
        List<String> slashes = new java.util.ArrayList<>();
        helpTexts(PlutusCli.commandLine(java.io.InputStream.nullInputStream()), slashes);
        assertEquals(List.of(), slashes);
    }

    private static void helpTexts(picocli.CommandLine c, List<String> slashes) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![\\w/.~:-])/(stats|budget|setup|runway)\\b(?![./-])")
                .matcher(c.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF));
        while (m.find()) {
            slashes.add(c.getCommandSpec().qualifiedName() + ": " + m.group());
        }
        c.getSubcommands().values().forEach(sub -> helpTexts(sub, slashes));
    }

    @Test
    void uninstallRemovesExactlyTheShellHooksAndQuickCommandsPlutusAdded(@TempDir Path tmp) throws Exception {
        String mine = """
                model: anthropic/claude-sonnet-4-6   # mine
                hooks:
                  pre_tool_call:
                    - command: "python3 /home/me/audit.py"   # my audit hook
                quick_commands:
                  deploy:
                    type: exec
                    command: "make deploy"
                display:
                  skin: mono
                """;
        Path hermes = CliFixture.hermesHome(tmp, "hermes", mine);
        Path config = hermes.resolve("config.yaml");
        Path home = tmp.resolve("plutus");
        CliFixture.install(home, hermes, "--shell-hooks", "--write-config", "--no-default-budget", "--launcher", "plutus");
        assertTrue(Files.readString(config).contains("shell_hook.py"));
        assertTrue(Files.readString(config).contains("plutus budget --home " + home));

        Result out = CliFixture.uninstall(home, hermes);
        assertEquals(mine, Files.readString(config), "the user's hooks, commands and every other byte as they were: " + out.out());
        assertTrue(out.out().contains("shell hooks from hooks:"), out.out());
        assertTrue(out.out().contains("quick commands stats, budget, setup"), out.out());
        assertFalse(Files.exists(hermes.resolve("plugins/plutus")));

        // The printed block pasted into a file without hooks: goes whole, its two comment lines too.
        dev.plutus.hermes.HermesInstaller installer = new dev.plutus.hermes.HermesInstaller(hermes,
                new dev.plutus.core.HomeLayout(home), dev.plutus.hermes.PluginManifest.bundled(), java.time.Clock.systemUTC());
        Files.writeString(config, "model: x\n" + installer.shellHooksSnippet("python3", "plutus", " --home " + home));
        Files.createDirectories(installer.pluginDir());
        Result pasted = CliFixture.uninstall(home, hermes);
        assertEquals("model: x\n", Files.readString(config), pasted.out());
    }

    @Test
    void reinstallingForAnotherHomeRepointsPlutusEntriesAndANoOpLeavesTheFileAlone(@TempDir Path tmp) throws Exception {
        Path hermes = CliFixture.hermesHome(tmp, "hermes", """
                hooks:
                  pre_tool_call:
                    - command: "python3 /home/me/audit.py"
                quick_commands:
                  stats:
                    type: exec
                    command: "my-stats"
                """);
        Path config = hermes.resolve("config.yaml");
        Path a = tmp.resolve("home-a");
        Path b = tmp.resolve("home-b");
        for (Path home : List.of(a, b)) {
            CliFixture.install(home, hermes, "--shell-hooks", "--write-config", "--no-default-budget", "--launcher", "plutus");
        }
        String after = Files.readString(config);
        assertFalse(after.contains(a.toString()), "no quick command left on home A: " + after);
        assertTrue(after.contains("plutus budget --home " + b), after);
        assertTrue(after.contains("command: \"my-stats\""), "the user's own /stats stays: " + after);

        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_500_000_000_000L);
        Files.setLastModifiedTime(config, old);
        long backups = CliFixture.configBackups(hermes);
        Files.deleteIfExists(hermes.resolve("config.yaml.plutus-merged"));
        for (boolean write : new boolean[] {true, false}) {
            List<String> options = new java.util.ArrayList<>(List.of("--shell-hooks", "--no-default-budget", "--launcher", "plutus"));
            if (write) {
                options.add("--write-config");
            }
            Result again = CliFixture.install(b, hermes, options.toArray(String[]::new));
            assertTrue(again.out().contains("left as it is"), again.out());
        }
        assertEquals(after, Files.readString(config));
        assertEquals(old, Files.getLastModifiedTime(config), "not rewritten when nothing changes");
        assertFalse(Files.exists(hermes.resolve("config.yaml.plutus-merged")), "no proposal when there is nothing to merge");
        assertEquals(backups, CliFixture.configBackups(hermes));
    }
}
