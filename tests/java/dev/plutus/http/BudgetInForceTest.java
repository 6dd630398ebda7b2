package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.cli.PlutusCli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * With the daemon up, every view shows the budget it enforces: a refused budget.yaml is named with
 * its file, line and field in /status, /commands/budget (what /api/budget shows too) and `plutus budget`, while the
 * last good limits stay in force, also across a restart on the broken file.
 */
@org.junit.jupiter.api.Tag("store")
class BudgetInForceTest {
    private static final String GOOD = """
            budgets:
              global:
                daily_usd: 1.00
                monthly_usd: 20.00
              per_model:
                overrides:
                  claude-opus-4-7:
                    weekly_usd: 50.00
            """;
    private static final String DUPLICATE = "budgets:\n  global:\n    daily_usd: 1.00\n    daily_usd: 500.00\n";
    private static final String WHERE = "budget.yaml:4: budgets.global.daily_usd: duplicate key (first on line 3)";

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return TestSupport.JSON.readTree(out);
        }
    }

    static Result cli(Path home, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(1, List.of("--home", home.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine c = PlutusCli.commandLine(new ByteArrayInputStream(new byte[0]));
        c.setOut(new PrintWriter(out, true));
        c.setErr(new PrintWriter(err, true));
        return new Result(c.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    private static JsonNode budgetStatus(DaemonHarness d) throws Exception {
        HttpResponse<String> r = d.get("/status", d.token());
        assertEquals(200, r.statusCode(), r.body());
        return TestSupport.JSON.readTree(r.body()).path("budget");
    }

    /** Waits for the daemon's once-a-second reload to act on the file: two looks that find it the same. */
    private static JsonNode awaitState(DaemonHarness d, String state) throws Exception {
        long deadline = System.nanoTime() + 6_000_000_000L;
        JsonNode b = budgetStatus(d);
        while (!b.path("state").asText().equals(state) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            b = budgetStatus(d);
        }
        assertEquals(state, b.path("state").asText(), b.toString());
        return b;
    }

    private static BigDecimal globalDaily(JsonNode budget) {
        for (JsonNode s : budget.path("scopes")) {
            if (s.path("scope").asText().equals("global") && s.path("window").asText().equals("daily")) {
                return s.path("limit_usd").decimalValue();
            }
        }
        throw new AssertionError("no global daily limit in " + budget);
    }

    @Test
    void aRefusedFileIsNamedEverywhereAndTheLastGoodBudgetStaysInForceAcrossARestart(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", GOOD).start()) {
            JsonNode loaded = budgetStatus(d);
            assertEquals("file", loaded.path("in_force").asText(), loaded.toString());
            assertEquals("loaded", loaded.path("state").asText());

            Files.writeString(home.resolve("budget.yaml"), DUPLICATE);
            JsonNode refused = awaitState(d, "refused");
            assertTrue(refused.path("error").asText().endsWith(WHERE), refused.toString());
            assertEquals("file", refused.path("in_force").asText());
            assertTrue(refused.path("any_limit").asBoolean());
            assertEquals(loaded.path("digest").asText(), refused.path("digest").asText(), "the same budget is in force");

            JsonNode commandJson = TestSupport.JSON.readTree(d.post("/commands/budget?format=json", "", d.token()).body());
            assertEquals(0, new BigDecimal("1.00").compareTo(globalDaily(commandJson)), commandJson.toString());
            assertEquals(3, commandJson.path("scopes").size(), "every limit of the good file: " + commandJson);
            assertTrue(commandJson.path("error").asText().endsWith(WHERE), commandJson.toString());

            // `plutus budget` asks the daemon: the limits it enforces, not a fresh read of the refused file.
            Result text = cli(home, "budget");
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().contains("budget.yaml on disk is refused; the budget loaded before it stays in force"), text.out());
            assertTrue(text.out().contains(WHERE), text.out());
            assertTrue(text.out().contains("$1.00") && text.out().contains("$20.00") && text.out().contains("$50.00"), text.out());
            assertTrue(text.out().contains("Answered by the running daemon (pid " + ProcessHandle.current().pid()), text.out());
            JsonNode json = cli(home, "budget", "--json").json();
            assertEquals(0, new BigDecimal("1.00").compareTo(globalDaily(json)), json.toString());
            assertEquals("refused", json.path("budget_file").path("state").asText());
            assertEquals(ProcessHandle.current().pid(), json.path("daemon").path("pid").asLong());

            // A refusal exits non-zero, and changes nothing.
            Result badAmount = cli(home, "budget", "set", "global", "daily", "lots");
            assertEquals(1, badAmount.exit(), badAmount.out());
            Result onBroken = cli(home, "budget", "set", "global", "monthly", "30");
            assertEquals(1, onBroken.exit(), onBroken.out());
            assertTrue(onBroken.err().contains("duplicate key"), "a refusal goes to stderr: " + onBroken.err());
            assertEquals(DUPLICATE, Files.readString(home.resolve("budget.yaml")));
        }

        // A restart on the broken file enforces the last good copy, and says so.
        try (DaemonHarness d = DaemonHarness.start(home)) {
            JsonNode b = budgetStatus(d);
            assertEquals("last_good", b.path("in_force").asText(), b.toString());
            assertEquals("refused", b.path("state").asText());
            assertTrue(b.path("error").asText().endsWith(WHERE), b.toString());
            JsonNode json = cli(home, "budget", "--json").json();
            assertEquals(0, new BigDecimal("1.00").compareTo(globalDaily(json)), json.toString());
            Result text = cli(home, "budget");
            assertTrue(text.out().contains("the last good budget, saved in budget.last-good.yaml, is in force"), text.out());

            // Fixed through the daemon: in force at once, no waiting for the reload.
            Files.writeString(home.resolve("budget.yaml"), GOOD);
            awaitState(d, "loaded");
            Result set = cli(home, "budget", "set", "global", "daily", "2");
            assertEquals(0, set.exit(), set.out() + set.err());
            assertTrue(set.out().contains("Set global daily limit to $2.00. It is in force now."), set.out());
            assertEquals(0, new BigDecimal("2").compareTo(globalDaily(cli(home, "budget", "--json").json())));
            assertEquals("file", budgetStatus(d).path("in_force").asText());
        }
    }

    /**
     * `plutus budget set` on a refused budget.yaml would complete the broken text with the new
     * limit and write a file that drops every other limit in force: it is refused instead, naming
     * the file's problem, and neither the file nor the budget in force changes.
     */
    @Test
    void budgetSetOnARefusedFileIsRefusedAndDropsNoLimit(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", GOOD).start()) {
            String cut = "budgets:\n  global:\n    daily_usd:";
            Files.writeString(home.resolve("budget.yaml"), cut);
            JsonNode refused = awaitState(d, "refused");
            assertTrue(refused.path("error").asText().endsWith("budget.yaml:3: budgets.global.daily_usd: has no value (a file cut short,"
                    + " or a value left out): give it one or remove the key"), refused.toString());

            Result set = cli(home, "budget", "set", "global", "daily", "2");
            assertEquals(1, set.exit(), set.out() + set.err());
            assertTrue(set.err().contains("Not changed: " + home.resolve("budget.yaml") + " on disk is refused, and setting a limit in it"
                    + " would drop the limits it is meant to hold (the budget in force, also saved in budget.last-good.yaml, stays as it is)"),
                    set.err());
            assertTrue(set.err().contains("budgets.global.daily_usd: has no value"), set.err());
            assertTrue(set.err().contains("Fix the file first, then set the limit again."), set.err());
            assertEquals(cut, Files.readString(home.resolve("budget.yaml")), "the file is left as it was");
            JsonNode json = cli(home, "budget", "--json").json();
            assertEquals(0, new BigDecimal("1.00").compareTo(globalDaily(json)), json.toString());
            assertEquals(3, json.path("scopes").size(), "every limit in force stays: " + json);

            // Fixed, the edit goes through and into force at once.
            Files.writeString(home.resolve("budget.yaml"), GOOD);
            awaitState(d, "loaded");
            Result fixed = cli(home, "budget", "set", "global", "daily", "2");
            assertEquals(0, fixed.exit(), fixed.out() + fixed.err());
            JsonNode after = cli(home, "budget", "--json").json();
            assertEquals(0, new BigDecimal("2").compareTo(globalDaily(after)), after.toString());
            assertEquals(3, after.path("scopes").size(), after.toString());
        }
    }
}
