package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.cli.PlutusCliTest.Result;
import dev.plutus.core.HomeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI prints is true as printed: budgets land where calls are, missing homes are not made up, hints run. */
@org.junit.jupiter.api.Tag("store")
class CliTruthTest {
    private static final String JOBS = """
            {"jobs": [{"id": "d200f53be09d", "name": "nightly-digest"}, {"id": "a1b2c3d4e5f6", "name": "repo-health"},
             {"id": "a93c04d1e6f2", "name": "Remind me to renew the TLS certificate"}]}
            """;

    /** A Hermes home with two cron jobs, and a Plutus home installed for it (so the Hermes home is recorded). */
    private static Path installed(Path tmp) throws Exception {
        Path hermes = CliFixture.hermesHome(tmp, "hermes two");
        Files.createDirectories(hermes.resolve("cron"));
        Files.writeString(hermes.resolve("cron/jobs.json"), JOBS);
        Path home = tmp.resolve("plutus");
        Result r = CliFixture.install(home, hermes, "--no-default-budget");
        assertTrue(r.out().contains("Recorded the Hermes home " + hermes + " in " + home.resolve("hermes_home")), r.out());
        return home;
    }

    @Test
    void aCronJobBudgetSetByNameIsKeyedByTheJobsIdAndAnUnknownNameIsRefused(@TempDir Path tmp) throws Exception {
        Path home = installed(tmp);
        Result set = PlutusCliTest.run(home, "budget", "set", "cron_job", "nightly-digest", "daily", "0.1");
        assertEquals(0, set.exit(), set.err());
        assertTrue(set.out().startsWith("Set cron job d200f53be09d (nightly-digest) daily limit to $0.10."), set.out());
        String yaml = Files.readString(home.resolve("budget.yaml"));
        assertTrue(yaml.contains("d200f53be09d:"), "keyed by the id the calls carry: " + yaml);
        assertFalse(yaml.contains("nightly-digest"), yaml);
        Result shown = PlutusCliTest.run(home, "budget", "cron");
        assertTrue(shown.out().contains("cron_job d200f53be09d (nightly-digest)"), "the name beside the id: " + shown.out());
        JsonNode scope = PlutusCliTest.run(home, "budget", "--json").json().path("scopes").get(0);
        assertEquals("nightly-digest", scope.path("name").asText(), scope.toString());

        Result typo = PlutusCliTest.run(home, "budget", "set", "cron_job", "nightly-digets", "daily", "0.1");
        assertEquals(1, typo.exit(), typo.out());
        assertEquals("", typo.out());
        assertTrue(typo.err().contains("no cron job 'nightly-digets' in Hermes's cron/jobs.json (did you mean 'nightly-digest'?)"),
                typo.err());
        assertTrue(typo.err().contains("repo-health (a1b2c3d4e5f6)"), "lists the jobs there are: " + typo.err());

        // A name with spaces, quoted in the shell, is one word; "cron" is the word the reports use for the scope.
        Result spaced = PlutusCliTest.run(home, "budget", "set", "cron_job", "Remind me to renew the TLS certificate", "daily", "1");
        assertEquals(0, spaced.exit(), spaced.err());
        assertTrue(spaced.out().startsWith("Set cron job a93c04d1e6f2 (Remind me to renew the TLS certificate) daily limit to $1.00."),
                spaced.out());
        Result scopeWord = PlutusCliTest.run(home, "budget", "set", "cron", "nightly-digest", "daily", "0.5");
        assertEquals(1, scopeWord.exit(), scopeWord.out());
        assertTrue(scopeWord.err().contains("unknown scope 'cron' (did you mean 'cron_job'?)"), scopeWord.err());

        Result byName = PlutusCliTest.run(home, "budget", "unset", "cron_job", "nightly-digest", "daily");
        assertEquals(0, byName.exit(), byName.err());
        assertTrue(byName.out().startsWith("Removed the cron job d200f53be09d (nightly-digest) daily limit."), byName.out());
    }

    @Test
    void aBudgetFileNamingACronJobByNameIsRefusedWithFileLineAndField(@TempDir Path tmp) throws Exception {
        Path home = installed(tmp);
        Files.writeString(home.resolve("budget.yaml"), """
                budgets:
                  per_cron_job:
                    overrides:
                      repo-health:
                        daily_usd: 1
                """);
        Result r = PlutusCliTest.run(home, "budget");
        assertTrue(r.out().contains("budget.yaml:4: budgets.per_cron_job.overrides.repo-health: is the name of cron job a1b2c3d4e5f6"),
                r.out() + r.err());
        assertTrue(r.out().contains("write a1b2c3d4e5f6 instead of repo-health"), r.out());
    }

    @Test
    void statsCronListsEveryJobWithSpendEvenWithoutACronSession(@TempDir Path tmp) throws Exception {
        Path home = installed(tmp);
        TestSupport.onTestStore(home);
        java.time.Instant at = java.time.Instant.now().minusSeconds(60);
        try (var p = TestSupport.open(home, java.time.Clock.systemUTC())) {
            // A call carrying a cron job id, in a session Hermes never marked as a cron run.
            p.sessions().reported("s-plain", null, "d200f53be09d", null, "openai", "gpt-4.1", at);
            p.record(new dev.plutus.core.CallEvent("c1", at, "s-plain", "cli", "openai", "gpt-4.1", null,
                    new dev.plutus.core.TokenUsage(1000, 100, 0, 0, 0, 0), false, 0, new java.math.BigDecimal("14.00")));
        }
        Result r = PlutusCliTest.run(home, "stats", "cron", "month");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("No cron"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("nightly-digest") && l.contains("d200f53be09d") && l.contains("$14.00")),
                r.out());
    }

    @Test
    void readOnlyCommandsOnAMissingHomeSaySoAndCreateNothing(@TempDir Path tmp) {
        Path typo = tmp.resolve("typo");
        for (List<String> args : List.of(List.of("stats"), List.of("budget"), List.of("status"), List.of("runway"), List.of("setup"),
                List.of("price", "--model", "gpt-4.1", "--input", "5"))) {
            List<String> all = new java.util.ArrayList<>(args);
            all.add("--home");
            all.add(typo.toString());
            Result r = PlutusCliTest.run("", all.toArray(String[]::new));
            assertEquals(1, r.exit(), args + ": " + r.out());
            assertEquals("", r.out(), args.toString());
            assertTrue(r.err().contains(": no Plutus home at " + typo + " (`plutus install hermes --home " + typo + "` creates one"),
                    args + ": " + r.err());
            assertFalse(Files.exists(typo), args + " created " + typo);
        }
    }

    @Test
    void aBudgetSetWithNoDaemonSaysItIsSavedNotInForce(@TempDir Path home) {
        Result r = PlutusCliTest.run(home, "budget", "set", "global", "daily", "1");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("in force now"), r.out());
        assertTrue(r.out().contains("Saved in budget.yaml; no daemon runs for " + home + ", so nothing enforces it until one does:"
                + " start it with plutus serve --home " + home + "."), r.out());
    }

    @Test
    void anAbsurdAmountIsEchoedShortWithSeparatorsAndNamesTheUnsetCommand(@TempDir Path home) {
        Result huge = PlutusCliTest.run(home, "budget", "set", "global", "daily", "1e9999");
        assertEquals(1, huge.exit());
        assertTrue(huge.err().length() < 400, huge.err().length() + " characters: " + huge.err().substring(0, 200));
        assertTrue(huge.err().contains("$1e9999 is over the largest limit Plutus takes ($1,000,000,000 per window)"), huge.err());
        assertTrue(huge.err().contains("remove it with plutus budget --home " + home + " unset global daily"), huge.err());
        assertFalse(huge.err().contains("budget.yaml"), huge.err());

        Result big = PlutusCliTest.run(home, "budget", "set", "global", "daily", "2000000000");
        assertTrue(big.err().contains("$2,000,000,000 is over the largest limit"), big.err());

        Result tiny = PlutusCliTest.run(home, "budget", "set", "global", "daily", "1e-9999");
        assertEquals(1, tiny.exit());
        assertTrue(tiny.err().length() < 400, tiny.err().length() + " characters");
    }

    @Test
    void installRecordsTheHermesHomeAndReinstallingElsewhereSaysWhereCallsNowGo(@TempDir Path tmp) throws Exception {
        Path home = installed(tmp);
        Path hermes = tmp.resolve("hermes two");
        assertEquals(hermes.toString(), Files.readString(home.resolve("hermes_home")).strip());
        assertEquals(hermes, new HomeLayout(home).hermesHome(java.util.Map.of("HERMES_HOME", "/elsewhere")),
                "the recorded home wins over the environment");

        Path other = tmp.resolve("plutus-b");
        Result again = CliFixture.install(other, hermes, "--no-default-budget");
        assertTrue(again.out().contains("Hermes's calls are now recorded into " + other + ", no longer into " + home
                + "; that home keeps its data"), again.out());
    }

    @Test
    void uninstallRemovesTheMergeProposalAndShellHooksSayCreateWhenThereIsNoConfig(@TempDir Path tmp) throws Exception {
        Path hermes = CliFixture.hermesHome(tmp, "hermes");
        Path home = tmp.resolve("plutus");
        Result hooks = CliFixture.install(home, hermes, "--shell-hooks", "--no-default-budget");
        assertTrue(hooks.out().contains("Next: create " + hermes.resolve("config.yaml") + " (it does not exist yet) holding the block"),
                hooks.out());

        Files.writeString(hermes.resolve("config.yaml"), "hooks:\n  on_session_start: []\n");
        Result merged = CliFixture.install(home, hermes, "--shell-hooks", "--no-default-budget");
        assertTrue(Files.exists(hermes.resolve("config.yaml.plutus-merged")), merged.out());
        Result gone = CliFixture.uninstall(home, hermes);
        assertFalse(Files.exists(hermes.resolve("config.yaml.plutus-merged")), "its hooks ran the deleted plugin: " + gone.out());
    }

    @Test
    void statsHelpKeepsTokensWholeAndListsOnlyItsOwnOptions() {
        Result r = PlutusCliTest.run("", "stats", "--help");
        assertEquals(0, r.exit());
        assertFalse(r.out().contains("--litellm-url") || r.out().contains("--openrouter-url"), r.out());
        for (String broken : List.of("budget.\n", "~/.\n", "THH:\n")) {
            assertFalse(r.out().contains(broken), "wrapped mid-token at '" + broken.strip() + "': " + r.out());
        }
        assertTrue(PlutusCliTest.run("", "setup", "--help").out().contains("--litellm-url"), "setup fetches prices, so it keeps them");
    }

    @Test
    void aPortHeldByAnotherPlutusDaemonIsNamedAsSuchAndUtcReadsUtc(@TempDir Path tmp) throws Exception {
        try (var d = CliFixture.daemon(Files.createDirectories(tmp.resolve("busy")))) {
            Path mine = Files.createDirectories(tmp.resolve("mine"));
            Result r = PlutusCliTest.run(mine, "serve", "--port", Integer.toString(d.info().port()));
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().contains("is in use by another Plutus daemon (pid " + d.info().pid()), r.err());
        }
        Path home = Files.createDirectories(tmp.resolve("utc"));
        Files.writeString(home.resolve("budget.yaml"), "timezone: Etc/UTC\nbudgets: {}\n");
        Result stats = PlutusCliTest.run(home, "stats", "24h");
        assertTrue(stats.out().contains("times in UTC") && !stats.out().contains("Etc/UTC"), stats.out());
    }
}
