package dev.plutus.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallOrigin;
import dev.plutus.core.TokenUsage;
import dev.plutus.report.Rendered;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /stats and /budget over a real store: the words mean the windows they name, and the numbers what was measured. */
class StatsAndBudgetViewsTest {
    /** 10:00 in New York (UTC-5 in November): "today" there began at 05:00 UTC, ten hours after a rolling 24 h began. */
    private static final Instant NOW = Instant.parse("2026-11-24T15:00:00Z");
    private static final String BUDGET = "timezone: America/New_York\nbudgets:\n  global:\n    daily_usd: 5\n    monthly_usd: 100\n";

    private static TestEngine open(Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), BUDGET);
        return TestSupport.open(home, new TestSupport.MutableClock(NOW, ZoneOffset.UTC));
    }

    private static void call(TestEngine p, String id, Instant at, String session, long latencyMs, String usd) {
        p.record(new CallEvent(id, at, session, "cli", "anthropic", "claude-sonnet-4-6", null, new TokenUsage(1000, 100, 0, 0, 0, 0),
                false, latencyMs, new BigDecimal(usd)));
    }

    private static JsonNode stats(TestEngine p, String args) {
        Rendered r = p.commands().run("stats", args);
        assertEquals(false, r.refused(), r.text());
        return r.json();
    }

    @Test
    void todayIsTheCalendarDayInTheBudgetZoneAnd24hIsRollingAndBothSayTheirZone() throws Exception {
        try (TestEngine p = open(Files.createTempDirectory("plutus-stats"))) {
            p.engine().sessions().observe("s", "cli", "claude-sonnet-4-6", "anthropic", NOW.minusSeconds(3600 * 14));
            call(p, "yesterday-evening", Instant.parse("2026-11-24T03:00:00Z"), "s", 1000, "1.00"); // 22:00 on the 23rd in New York
            call(p, "this-morning", Instant.parse("2026-11-24T14:00:00Z"), "s", 1000, "2.00");
            assertEquals(1, stats(p, "today").path("usage").path("calls").asInt());
            assertEquals(2, stats(p, "24h").path("usage").path("calls").asInt());
            assertEquals("America/New_York", stats(p, "today").path("zone").asText());
            assertEquals("2026-11-24T05:00:00Z", stats(p, "today").path("from").asText());
            Rendered text = p.commands().run("stats", "");
            assertTrue(text.text().startsWith("Plutus — today, 2026-11-24 America/New_York\n"), text.text());
            assertTrue(p.commands().run("stats", "providers 24h").text().contains("times in America/New_York"));
        }
    }

    @Test
    void aSessionStartedLastWeekThatSpendsTodayCountsToday() throws Exception {
        try (TestEngine p = open(Files.createTempDirectory("plutus-stats"))) {
            p.engine().sessions().observe("old", "cli", "claude-sonnet-4-6", "anthropic", NOW.minusSeconds(86_400 * 6));
            call(p, "today", NOW.minusSeconds(600), "old", 1000, "2.00");
            assertEquals(1, stats(p, "today").path("sessions").path("sessions").asInt());
            JsonNode rows = stats(p, "sessions today").path("sessions");
            assertEquals(1, rows.size());
            assertEquals("old", rows.get(0).path("session_id").asText());
        }
    }

    @Test
    void averageLatencyLeavesOutCallsWhoseLatencyWasNotMeasured() throws Exception {
        try (TestEngine p = open(Files.createTempDirectory("plutus-stats"))) {
            call(p, "a", NOW.minusSeconds(3 * 3600), null, 5000, "0.01");
            call(p, "b", NOW.minusSeconds(3 * 3600), null, 0, "0.01");
            call(p, "c", NOW.minusSeconds(3 * 3600), null, 0, "0.01");
            p.engine().rollups().catchUp(); // the hour is rolled up: the rollup must keep the count of measured calls too
            call(p, "d", NOW.minusSeconds(60), null, 3000, "0.01");
            call(p, "e", NOW.minusSeconds(60), null, 0, "0.01");
            JsonNode u = stats(p, "24h").path("usage");
            assertEquals(5, u.path("calls").asInt());
            assertEquals(2, u.path("latency_calls").asInt());
            assertEquals(4000, u.path("avg_latency_ms").asLong());
            assertTrue(p.commands().run("stats", "24h").text().contains("Avg latency  : 4.0s (of 2 measured)"));
        }
    }

    @Test
    void aToolAverageLeavesOutCallsWhoseDurationWasNotMeasured() throws Exception {
        try (TestEngine p = open(Files.createTempDirectory("plutus-stats"))) {
            p.recordTool(new dev.plutus.core.ToolCall("t1", NOW.minusSeconds(3 * 3600), "s", "terminal", "ok", null, 900));
            p.recordTool(new dev.plutus.core.ToolCall("t2", NOW.minusSeconds(3 * 3600), "s", "terminal", "ok", null, 0));
            p.recordTool(new dev.plutus.core.ToolCall("w1", NOW.minusSeconds(3 * 3600), "s", "web_search", "ok", null, 0));
            p.engine().rollups().catchUp(); // rolled up: the hour must keep the count of timed calls too
            p.recordTool(new dev.plutus.core.ToolCall("t3", NOW.minusSeconds(60), "s", "terminal", "ok", null, 300));
            p.recordTool(new dev.plutus.core.ToolCall("w2", NOW.minusSeconds(60), "s", "web_search", "ok", null, 0));
            JsonNode tools = stats(p, "tools 24h").path("tools");
            JsonNode terminal = tools.get(0);
            assertEquals("terminal", terminal.path("tool").asText());
            assertEquals(3, terminal.path("calls").asInt());
            assertEquals(2, terminal.path("timed_calls").asInt());
            assertEquals(600, terminal.path("avg_ms").asLong(), "(900 + 300) / 2 timed calls, not / 3");
            assertTrue(tools.get(1).path("avg_ms").isNull(), tools.toString());
            String text = p.commands().run("stats", "tools 24h").text();
            assertTrue(text.lines().anyMatch(l -> l.startsWith("web_search") && l.endsWith("not measured")), text);
            assertTrue(text.lines().anyMatch(l -> l.startsWith("terminal") && l.endsWith("600ms (of 2 measured)")), text);
        }
    }

    @Test
    void fromAndToAreReadInTheBudgetZoneAndADateAsToIncludesThatDay() throws Exception {
        try (TestEngine p = open(Files.createTempDirectory("plutus-stats"))) {
            call(p, "20th-late", Instant.parse("2026-11-21T04:30:00Z"), null, 0, "1.00"); // 23:30 on the 20th in New York
            call(p, "21st", Instant.parse("2026-11-21T15:00:00Z"), null, 0, "2.00");
            call(p, "22nd", Instant.parse("2026-11-22T15:00:00Z"), null, 0, "4.00");
            assertEquals("1.000000", stats(p, "from 2026-11-20 to 2026-11-20").path("usage").path("cost_usd").decimalValue().toPlainString());
            assertEquals("3.000000", stats(p, "from 2026-11-20 to 2026-11-21").path("usage").path("cost_usd").decimalValue().toPlainString());
            assertEquals("2.000000", stats(p, "from 2026-11-21T09:00 to 2026-11-21T11:00").path("usage").path("cost_usd")
                    .decimalValue().toPlainString());
            assertEquals(2, stats(p, "models from 2026-11-21").path("models").get(0).path("calls").asInt());
            Rendered bad = p.commands().run("stats", "from 2026-11-31");
            assertTrue(bad.refused());
            assertTrue(bad.text().contains("'2026-11-31' is not a date"), bad.text());
            Rendered typo = p.commands().run("stats", "modles");
            assertTrue(typo.refused());
            assertTrue(typo.text().contains("did you mean 'models'?"), typo.text());
        }
    }

    @Test
    void workspacesTaskTypesAndCronJobsByTheirHermesNames(@TempDir Path tmp) throws Exception {
        Path hermes = tmp.resolve("hermes");
        Path home = hermes.resolve("plutus");
        Files.createDirectories(home);
        Files.createDirectories(hermes.resolve("cron"));
        Files.copy(TestSupport.hermesFixture("cron-jobs.example.json"), hermes.resolve("cron/jobs.json"));
        try (TestEngine p = open(home)) {
            CallOrigin ops = new CallOrigin("key_1", "ops", "summarise", "api", 1100, false);
            p.record(new CallEvent("w1", NOW.minusSeconds(60), null, "api", "openai", "gpt-4.1", null, new TokenUsage(1000, 100, 0, 0, 0, 0),
                    false, 0, new BigDecimal("0.50"), ops));
            p.record(new CallEvent("w2", NOW.minusSeconds(60), null, "api", "openai", "gpt-4.1", null, new TokenUsage(1000, 100, 0, 0, 0, 0),
                    false, 0, new BigDecimal("0.25"), new CallOrigin("key_1", "research", "summarise", "api", 1100, false)));
            call(p, "hermes", NOW.minusSeconds(60), null, 0, "1.00");
            JsonNode ws = stats(p, "workspaces today").path("workspaces");
            assertEquals(3, ws.size(), ws.toString());
            assertEquals(List.of("default", "ops", "research"), List.of(ws.get(0).path("workspace").asText(""), ws.get(1).path("workspace").asText(),
                    ws.get(2).path("workspace").asText()), "dearest first; Hermes's own calls are in 'default', as the dashboard says");
            Rendered wsText = p.commands().run("stats", "workspaces today");
            assertTrue(wsText.text().lines().anyMatch(l -> l.strip().startsWith("default ")), wsText.text());
            assertFalse(wsText.text().lines().anyMatch(l -> l.strip().startsWith("- ")), "one spelling, not '-': " + wsText.text());
            JsonNode tasks = stats(p, "task_types today").path("task_types");
            assertEquals("summarise", tasks.get(1).path("task_type").asText());
            assertEquals(2, tasks.get(1).path("calls").asInt());

            SlashCommands withNames = SlashCommands.of(p.engine(), p.runway(),
                    new dev.plutus.hermes.CronJobNames(dev.plutus.hermes.CronJobNames.hermesHome(home, java.util.Map.of())));
            p.engine().sessions().observe("cron_d200f53be09d_20261124_143000", "cron", "deepseek-v4-pro", "deepseek", NOW.minusSeconds(600));
            Rendered cron = withNames.run("stats", "cron today");
            assertTrue(cron.text().contains("nightly-digest  d200f53be09d"), cron.text());
            assertEquals("nightly-digest", cron.json().path("cron_jobs").get(0).path("name").asText());
        }
    }

    @Test
    void budgetsListHardBreachesFirstWithAForecastAtTodaysPace() throws Exception {
        Path home = Files.createTempDirectory("plutus-budget");
        Files.writeString(home.resolve("budget.yaml"), BUDGET);
        try (TestEngine p = TestSupport.open(home, new TestSupport.MutableClock(NOW, ZoneOffset.UTC))) {
            p.commands().run("budget", "set provider openai daily 0.10");
            call(p, "morning", Instant.parse("2026-11-24T10:00:00Z"), null, 0, "3.00"); // 05:00 in New York
            p.record(new CallEvent("o", NOW.minusSeconds(60), null, "cli", "openai", "gpt-4.1", null, new TokenUsage(10, 1, 0, 0, 0, 0), false,
                    0, new BigDecimal("0.20")));
            Rendered r = p.commands().run("budget", "");
            JsonNode scopes = r.json().path("scopes");
            assertEquals("provider", scopes.get(0).path("scope").asText(), "the hard breach comes first: " + r.text());
            assertEquals("at_cap", scopes.get(0).path("forecast").path("outlook").asText());
            JsonNode daily = null;
            for (JsonNode s : scopes) {
                if (s.path("scope").asText().equals("global") && s.path("window").asText().equals("daily")) {
                    daily = s;
                }
            }
            // $3.20 in the ten hours since midnight in New York ($7.68/day): the $1.80 left goes in 5 h 37 min 30 s, before midnight.
            assertEquals("before_reset", daily.path("forecast").path("outlook").asText(), r.text());
            assertEquals("2026-11-24T20:37:30Z", daily.path("forecast").path("hits_cap_at").asText());
            assertEquals("7.680000", daily.path("forecast").path("burn_usd_per_day").decimalValue().toPlainString());
            assertTrue(r.text().contains("cap at 2026-11-24 15:37 EST ($7.68/day)"), r.text());
            // The $96.80 left of the month lasts 12.6 days at that pace, past the reset on 1 December.
            JsonNode monthly = scopes.get(scopes.size() - 1);
            assertEquals("monthly", monthly.path("window").asText());
            assertEquals("holds", monthly.path("forecast").path("outlook").asText(), r.text());
            assertTrue(r.text().contains("times in America/New_York"), r.text());
            assertEquals("America/New_York", r.json().path("zone").asText());
        }
    }

    @Test
    void budgetUnsetRemovesOneLimitAndLeavesTheRest() throws Exception {
        Path home = Files.createTempDirectory("plutus-budget");
        try (TestEngine p = open(home)) {
            Rendered r = p.commands().run("budget", "unset global daily");
            assertEquals(false, r.refused(), r.text());
            assertEquals("timezone: America/New_York\nbudgets:\n  global:\n    monthly_usd: 100\n", Files.readString(home.resolve("budget.yaml")));
            assertEquals(1, r.json().path("scopes").size());
            Rendered again = p.commands().run("budget", "unset global daily");
            assertTrue(again.refused());
            assertTrue(again.text().contains("no global daily limit"), again.text());
            Rendered typo = p.commands().run("budget", "unset global mothly");
            assertTrue(typo.text().contains("did you mean 'monthly'?"), typo.text());
        }
    }

    @Test
    void budgetUnsetOfAScopesLastLimitRemovesTheEmptiedEntries() throws Exception {
        Path home = Files.createTempDirectory("plutus-budget");
        try (TestEngine p = open(home)) {
            Path yaml = home.resolve("budget.yaml");
            assertEquals(false, p.commands().run("budget", "set provider gemini daily 1").refused());
            Rendered provider = p.commands().run("budget", "unset provider gemini daily");
            assertEquals(false, provider.refused(), provider.text());
            assertEquals(BUDGET, Files.readString(yaml));

            // Two overrides: only the emptied one goes, overrides: and the scope stay.
            p.commands().run("budget", "set model gpt-4.1 monthly 0.40");
            p.commands().run("budget", "set model claude-x daily 2");
            Rendered model = p.commands().run("budget", "unset model gpt-4.1 monthly");
            assertEquals(false, model.refused(), model.text());
            assertEquals(BUDGET + "  per_model:\n    overrides:\n      claude-x:\n        daily_usd: 2.00\n", Files.readString(yaml));
            assertEquals(false, p.commands().run("budget", "unset model claude-x daily").refused());
            assertEquals(BUDGET, Files.readString(yaml));

            // The default goes, the overrides beside it stay.
            p.commands().run("budget", "set provider daily 3");
            p.commands().run("budget", "set provider openai daily 1");
            Rendered dflt = p.commands().run("budget", "unset provider daily");
            assertEquals(false, dflt.refused(), dflt.text());
            assertEquals(BUDGET + "  per_provider:\n    overrides:\n      openai:\n        daily_usd: 1.00\n", Files.readString(yaml));
            p.commands().run("budget", "unset provider openai daily");

            // The global scope's last window takes global: with it; no scope left is "no budget", said explicitly.
            assertEquals(false, p.commands().run("budget", "unset global daily").refused());
            Rendered global = p.commands().run("budget", "unset global monthly");
            assertEquals(false, global.refused(), global.text());
            assertEquals("timezone: America/New_York\nbudgets: {}\n", Files.readString(yaml));
            assertEquals(0, global.json().path("scopes").size(), global.text());
        }
    }

    @Test
    void aModelIsShownAsBudgetYamlSpellsItAndUnsetTakesEitherSpelling() throws Exception {
        Path home = Files.createTempDirectory("plutus-budget");
        try (TestEngine p = open(home)) {
            assertEquals(false, p.commands().run("budget", "set model gpt-4.1 monthly 0.40").refused());
            Rendered status = p.commands().run("budget", "");
            assertTrue(status.text().contains("model gpt-4.1 "), status.text());
            assertTrue(!status.text().contains("gpt-4-1"), status.text());
            JsonNode model = null;
            for (JsonNode s : status.json().path("scopes")) {
                if (s.path("scope").asText().equals("model")) {
                    model = s;
                }
            }
            assertEquals("gpt-4.1", model == null ? null : model.path("id").asText(), status.json().toString());
            Rendered unset = p.commands().run("budget", "unset model gpt-4-1 monthly");
            assertEquals(false, unset.refused(), unset.text());
            assertEquals(BUDGET, Files.readString(home.resolve("budget.yaml")));
        }
    }
}
