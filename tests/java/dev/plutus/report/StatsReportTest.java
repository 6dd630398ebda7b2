package dev.plutus.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import dev.plutus.store.StatsQueries.CronRuns;
import dev.plutus.store.StatsQueries.DayCost;
import dev.plutus.store.StatsQueries.SessionRow;
import dev.plutus.store.StatsQueries.SessionTotals;
import dev.plutus.store.StatsQueries.ToolTotals;
import dev.plutus.store.UsageTotals;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /stats from constructed totals: the exact text people read and the JSON programs read. */
class StatsReportTest {
    private static StatsRange range(StatsWindow w) {
        return StatsRange.rolling(w, java.time.Instant.parse("2026-11-24T12:00:00Z"), ZoneId.of("UTC"));
    }

    static final String RULE56 = "=".repeat(56) + "\n";
    static final String RULE72 = "=".repeat(72) + "\n";
    static final SessionTotals NO_SESSIONS = new SessionTotals(0, 0, 0, 0, 0, 0, 0);

    private static UsageTotals usage(String provider, String model, String cronJob, long calls, long estimated, long unpriced,
                                     long input, long output, long cacheRead, long costMicros) {
        return new UsageTotals(provider, model, cronJob, calls, estimated, unpriced, input, output, cacheRead, 0, 0, costMicros, 0);
    }

    @Test
    void theSummaryShowsEveryTotalWithCostToTheMicroDollar() {
        UsageTotals u = new UsageTotals(null, null, null, 12, 2, 1, 1000, 500, 20_000, 300, 40, 1_234_567, 18_000);
        SessionTotals s = new SessionTotals(3, 1, 2, 1, 0, 3, 270_000);
        List<ToolTotals> tools = List.of(new ToolTotals("terminal", 7, 1, 1750), new ToolTotals("read_file", 12, 0, 480));
        Rendered r = StatsReport.summary(range(StatsWindow.LAST_24_HOURS), u, s, tools);
        assertEquals("Plutus — last 24 h, rolling, times in UTC\n" + RULE56 + """
                Sessions     : 3 (1 subagents) with model calls
                Success rate : 66.7% of the 3 that ended (ok=2, failed=1)
                API calls    : 12 (2 estimated, 1 unpriced)
                Tool calls   : 19
                Tokens in    : 21,300 (uncached 1,000, cache read 20,000, cache write 300)
                Tokens out   : 500 (reasoning 40)
                Cost         : ~$1.23
                Avg latency  : 1.5s
                Avg duration : 1.5m (3 ended)

                Top tools:
                Tool       Calls  Failures  Avg ms
                ----------------------------------
                terminal       7         1   250ms
                read_file     12         0    40ms

                1 call(s) used models with no known price and are counted at $0: see /stats models, then add prices to pricing.yaml or run /setup pricing auto.
                """, r.text());
        assertEquals("{\"window\":\"24h\",\"from\":\"2026-11-23T12:00:00Z\",\"to\":\"2026-11-24T12:00:00.001Z\",\"zone\":\"UTC\",\"usage\":{\"calls\":12,\"estimated_calls\":2,\"unpriced_calls\":1,\"input_tokens\":1000,"
                + "\"output_tokens\":500,\"cache_read_tokens\":20000,\"cache_write_tokens\":300,\"reasoning_tokens\":40,"
                + "\"cost_usd\":1.234567,\"latency_ms\":18000,\"latency_calls\":12,\"avg_latency_ms\":1500,\"provisional_calls\":0,\"provisional_usd\":0.000000},\"sessions\":{\"sessions\":3,\"subagents\":1,\"ok\":2,\"failed\":1,"
                + "\"running\":0,\"ended\":3,\"avg_duration_ms\":90000},\"tools\":[{\"tool\":\"terminal\",\"calls\":7,\"failures\":1,\"timed_calls\":7,\"avg_ms\":250},"
                + "{\"tool\":\"read_file\",\"calls\":12,\"failures\":0,\"timed_calls\":12,\"avg_ms\":40}]}", r.json().toString());
    }

    @Test
    void anAuxiliaryTaskNameIsCutAndMadeTerminalSafe() {
        UsageTotals u = new UsageTotals(null, null, null, 2, 0, 0, 1000, 500, 0, 0, 0, 2_000, 0);
        String hostile = "compression\u001b[2J\nAPI calls    : 0" + "x".repeat(500);
        Rendered r = StatsReport.summary(range(StatsWindow.LAST_24_HOURS), u, NO_SESSIONS, List.of(),
                List.of(new dev.plutus.store.StatsQueries.AuxiliaryTotals(hostile, 2, 2_000)));
        String line = r.text().lines().filter(l -> l.startsWith("  auxiliary")).findFirst().orElseThrow(() -> new AssertionError(r.text()));
        assertEquals(1, r.text().lines().filter(l -> l.startsWith("API calls")).count(), r.text());
        org.junit.jupiter.api.Assertions.assertFalse(line.contains("\u001b"), line);
        org.junit.jupiter.api.Assertions.assertTrue(line.contains("compression\\u001b[2J\\u000aAPI calls    : 0xxx"), line);
        org.junit.jupiter.api.Assertions.assertTrue(line.contains("…"), line);
        org.junit.jupiter.api.Assertions.assertTrue(line.length() < 140, line);
    }

    @Test
    void aQuietWindowSaysNotApplicableAndZeroSpendIsShownAsZero() {
        Rendered r = StatsReport.summary(range(StatsWindow.LAST_30_DAYS), UsageTotals.empty(), NO_SESSIONS, List.of());
        assertEquals("Plutus — last 30 days, rolling, times in UTC\n" + RULE56 + """
                Sessions     : 0 with model calls
                Success rate : n/a (none ended)
                API calls    : 0
                Tool calls   : 0
                Tokens in    : 0 (uncached 0, cache read 0, cache write 0)
                Tokens out   : 0
                Cost         : $0.00
                Avg latency  : n/a
                Avg duration : n/a
                """, r.text());
        assertEquals("0.000000", r.json().path("usage").path("cost_usd").decimalValue().toPlainString());
        assertEquals("[]", r.json().path("tools").toString());
    }

    @Test
    void modelsAlignALongModelNameAndSayUnpricedWhereNoPriceMatched() {
        List<UsageTotals> rows = List.of(
                usage("openrouter", "qwen/qwen3-coder-480b-a35b-instruct", null, 3, 1, 0, 1200, 300, 0, 2_500_000),
                usage("deepseek", "deepseek-v4-pro", null, 10, 0, 10, 5000, 700, 0, 0));
        Rendered r = StatsReport.models(range(StatsWindow.LAST_7_DAYS), rows);
        String footer = """

                Rows are grouped by provider, then by calls. 'unpriced' means no price entry matched:
                run /setup pricing auto, or add the model to pricing.yaml.
                """;
        assertEquals("Plutus — models (last 7 days, rolling, times in UTC)\n" + RULE72 + """
                Provider    Model                                Calls  Real  Est  Unpriced      Cost
                -------------------------------------------------------------------------------------
                openrouter  qwen/qwen3-coder-480b-a35b-instruct      3     2    1         0     $2.50
                deepseek    deepseek-v4-pro                         10    10    0        10  unpriced
                """ + footer, r.text());
        assertEquals("{\"provider\":\"deepseek\",\"model\":\"deepseek-v4-pro\",\"calls\":10,\"estimated_calls\":0,\"unpriced_calls\":10,"
                + "\"input_tokens\":5000,\"output_tokens\":700,\"cache_read_tokens\":0,\"cache_write_tokens\":0,\"reasoning_tokens\":0,"
                + "\"cost_usd\":0.000000,\"latency_ms\":0,\"latency_calls\":0,\"avg_latency_ms\":null,\"provisional_calls\":0,\"provisional_usd\":0.000000}", r.json().path("models").get(1).toString());
        assertEquals("week", r.json().path("window").asText());

        assertEquals("Plutus — models (last 7 days, rolling, times in UTC)\n" + RULE72 + "No model calls in this window.\n" + footer,
                StatsReport.models(range(StatsWindow.LAST_7_DAYS), List.of()).text());
    }

    @Test
    void providersShowTheShareOfEstimatedCalls() {
        Rendered r = StatsReport.providers(range(StatsWindow.LAST_24_HOURS), List.of(
                usage("anthropic", null, null, 8, 2, 0, 100, 10, 0, 10_000_000),
                usage("ollama", null, null, 1, 1, 1, 0, 0, 0, 0)));
        assertEquals("Plutus — providers (last 24 h, rolling, times in UTC)\n" + RULE72 + """
                Provider   Calls  Real  Est  Est%  Unpriced    Cost
                ---------------------------------------------------
                anthropic      8     6    2   25%         0  $10.00
                ollama         1     0    1  100%         1   $0.00

                Est% = share of calls whose provider returned no usage (tokens estimated locally).
                Under on_estimated: warn_only, a hard verdict that rests on estimates is lowered to soft.
                """, r.text());
        assertEquals(2, r.json().path("providers").size());
    }

    @Test
    void cronJobsJoinTheirRunsWithTheirUsageAndAJobWithoutCallsCostsNothing() {
        Instant at = Instant.parse("2026-11-24T06:00:00Z");
        List<CronRuns> runs = List.of(new CronRuns("d200f53be09d", 4, 3, 1, 4, 480_000, at), new CronRuns("nightly", 1, 0, 0, 0, 0, at));
        List<UsageTotals> byJob = List.of(usage(null, null, "d200f53be09d", 8, 0, 0, 10_000, 2_000, 50_000, 345_678),
                usage(null, null, "a1b2c3d4e5f6", 3, 0, 0, 1_000, 100, 0, 14_000_000), usage(null, null, "", 50, 0, 0, 1, 1, 0, 99_000_000));
        Rendered r = StatsReport.cron(range(StatsWindow.LAST_24_HOURS), runs, byJob, java.util.Map.of("a1b2c3d4e5f6", "repo-health"));
        assertEquals("Plutus — cron jobs (last 24 h, rolling, times in UTC)\n" + RULE72 + """
                Job          ID            Runs  OK  Fail  Calls  Tok-in  Tok-out    Cost  Avg dur
                ----------------------------------------------------------------------------------
                repo-health  a1b2c3d4e5f6     -   -     -      3   1,000      100  $14.00      n/a
                -            d200f53be09d     4   3     1      8  60,000    2,000   $0.35     2.0m
                -            nightly          1   0     0      0       0        0   $0.00      n/a

                Cost includes work the job delegated to subagents. Runs are counted from the sessions Hermes marks as cron runs; '-' where none was seen, though the job's calls carried its id.
                """, r.text(), "every job with spend, dearest first, its runs unknown where Hermes marked no cron session; calls of no job left out");
        assertEquals("0.345678", r.json().path("cron_jobs").get(1).path("usage").path("cost_usd").decimalValue().toPlainString());
        assertTrue(r.json().path("cron_jobs").get(0).path("runs").isNull(), r.json().toString());
        assertEquals(0, r.json().path("cron_jobs").get(2).path("usage").path("calls").asInt());
        assertTrue(StatsReport.cron(range(StatsWindow.LAST_30_DAYS), List.of(), List.of(), java.util.Map.of()).text()
                .contains("No cron job ran or spent in this window.\n"));
    }

    @Test
    void toolsShowTheirFailureShare() {
        Rendered r = StatsReport.tools(range(StatsWindow.LAST_24_HOURS), List.of(new ToolTotals("terminal", 3, 1, 3000), new ToolTotals("web_search", 0, 0, 0)));
        assertEquals("Plutus — tools (last 24 h, rolling, times in UTC)\n" + RULE72 + """
                Tool        Calls  Failures  Fail%        Avg ms
                ------------------------------------------------
                terminal        3         1  33.3%        1000ms
                web_search      0         0     0%  not measured
                """, r.text());
        assertEquals("Plutus — tools (last 24 h, rolling, times in UTC)\n" + RULE72 + "No tool calls in this window.\n",
                StatsReport.tools(range(StatsWindow.LAST_24_HOURS), List.of()).text());
    }

    @Test
    void aToolWithoutAMeasuredDurationIsNotShownAsZeroMilliseconds() {
        Rendered r = StatsReport.tools(range(StatsWindow.LAST_24_HOURS), List.of(new ToolTotals("grep", 4, 0, 300, 2),
                new ToolTotals("web_search", 2, 0, 0, 0)));
        assertTrue(r.text().lines().anyMatch(l -> l.startsWith("grep") && l.endsWith(" 150ms (of 2 measured)")),
                "averaged over the 2 timed calls, not the 4: " + r.text());
        assertTrue(r.text().lines().anyMatch(l -> l.startsWith("web_search") && l.endsWith(" not measured")), r.text());
        assertFalse(r.text().contains(" 0ms"), r.text());
        assertEquals(150, r.json().path("tools").get(0).path("avg_ms").asLong());
        assertTrue(r.json().path("tools").get(1).path("avg_ms").isNull(), r.json().toString());
        assertEquals(0, r.json().path("tools").get(1).path("timed_calls").asLong());
    }

    @Test
    void sessionsAreShownInTheUsersZoneWithEstimatedCostMarked() {
        List<SessionRow> rows = List.of(
                new SessionRow("20261124_101500_a1b2c3", "telegram", "claude-sonnet-4-6", "ok", Instant.parse("2026-11-24T09:15:00Z"),
                        Instant.parse("2026-11-24T09:20:00Z"), 4, 1_500_000, 1),
                new SessionRow("s2", null, null, "running", Instant.parse("2026-11-24T11:00:00Z"), null, 0, 0, 0));
        Rendered r = StatsReport.sessions(range(StatsWindow.LAST_24_HOURS), rows, ZoneId.of("Europe/Berlin"));
        assertEquals("Plutus — sessions (last 24 h, rolling, times in UTC)\n" + RULE72 + """
                Started              Session                 Platform  Model              Status   Calls    Cost
                ------------------------------------------------------------------------------------------------
                2026-11-24 10:15:00  20261124_101500_a1b2c3  telegram  claude-sonnet-4-6  ok           4  ~$1.50
                2026-11-24 12:00:00  s2                      -         -                  running      0   $0.00
                """, r.text());
        assertEquals("{\"session_id\":\"s2\",\"platform\":null,\"model\":null,\"status\":\"running\",\"started_at\":\"2026-11-24T11:00:00Z\","
                + "\"calls\":0,\"cost_usd\":0.000000}", r.json().path("sessions").get(1).toString());
    }

    @Test
    void longSessionIdsAreCutInTheTablesAndWholeInTheJson() {
        String huge = ("agent-run_" + "0123456789abcdef".repeat(11)).substring(0, 180);
        String cron = "cron_d200f53be09d_20260101_030000_012345"; // 40: kept whole
        List<SessionRow> rows = List.of(new SessionRow(huge, "discord", "gpt-5.1", "ok", Instant.parse("2026-11-24T09:15:00Z"),
                Instant.parse("2026-11-24T09:20:00Z"), 2, 250_000, 0), new SessionRow(cron, "cron", "gpt-5.1", "ok",
                Instant.parse("2026-11-24T10:15:00Z"), Instant.parse("2026-11-24T10:20:00Z"), 1, 1_000, 0));
        Rendered r = StatsReport.sessions(range(StatsWindow.LAST_24_HOURS), rows, ZoneId.of("UTC"));
        String cutId = "agent-run_0123456789abcd…bcdef0123456789";
        assertEquals(40, cutId.length());
        assertTrue(huge.startsWith(cutId.substring(0, 24)) && huge.endsWith(cutId.substring(25)), "its start and its end");
        assertTrue(r.text().contains("2026-11-24 09:15:00  " + cutId + "  discord"), r.text());
        assertTrue(r.text().contains("2026-11-24 10:15:00  " + cron + "  cron  "), r.text());
        assertTrue(r.text().endsWith("(ids over 40 characters are cut in the middle; --json has them whole)\n"), r.text());
        assertTrue(r.text().lines().allMatch(l -> l.length() <= 130), "no line 180 characters wide: " + r.text());
        assertEquals(huge, r.json().path("sessions").get(0).path("session_id").asText());

        LlmCall call = new LlmCall("e1", Instant.parse("2026-11-24T12:00:01Z"), huge, huge, "cli", null, null, "anthropic",
                "claude-sonnet-4-6", null, new TokenUsage(100, 20, 0, 0, 0, 0), false, 4_321, true, "anthropic/claude-sonnet-4-6", 800);
        Rendered raw = StatsReport.raw(List.of(call), ZoneId.of("UTC"));
        assertTrue(raw.text().contains("2026-11-24 12:00:01  " + cutId + "  anthropic"), raw.text());
        assertTrue(raw.text().contains("--json has them whole"), raw.text());
        assertEquals(huge, raw.json().path("calls").get(0).path("session_id").asText());
        assertTrue(!StatsReport.sessions(range(StatsWindow.LAST_24_HOURS), rows.subList(1, 2), ZoneId.of("UTC")).text().contains("cut"),
                "no note when nothing was cut");
        // A list cut short says so, so it is not read as every session of the window.
        Rendered some = StatsReport.sessions(range(StatsWindow.LAST_24_HOURS), rows, 104, ZoneId.of("UTC"));
        assertTrue(some.text().contains("The 2 latest started of 104 sessions active in this window"), some.text());
        assertEquals(104, some.json().path("active_sessions").asLong());
        assertTrue(!r.text().contains("latest started of"), "no note when the list is whole: " + r.text());
    }

    @Test
    void dailyCostListsEveryDayAndNamesTheZone() {
        Rendered r = StatsReport.daily(StatsRange.rolling(StatsWindow.LAST_7_DAYS, java.time.Instant.parse("2026-11-24T12:00:00Z"), ZoneId.of("Asia/Kolkata")), List.of(new DayCost(LocalDate.parse("2026-11-23"), 0, 0),
                new DayCost(LocalDate.parse("2026-11-24"), 1234, 98_765_432)), ZoneId.of("Asia/Kolkata"));
        assertEquals("Plutus — cost per day (last 7 days, rolling, times in Asia/Kolkata)\n" + RULE72 + """
                Day         Calls    Cost
                -------------------------
                2026-11-23      0   $0.00
                2026-11-24  1,234  $98.77
                """, r.text());
        assertEquals("{\"window\":\"week\",\"from\":\"2026-11-17T12:00:00Z\",\"to\":\"2026-11-24T12:00:00.001Z\",\"zone\":\"Asia/Kolkata\",\"days\":[{\"day\":\"2026-11-23\",\"calls\":0,\"cost_usd\":0.000000},"
                + "{\"day\":\"2026-11-24\",\"calls\":1234,\"cost_usd\":98.765432}]}", r.json().toString());
    }

    @Test
    void rawCallsFlagEstimatedAndUnpricedOnes() {
        LlmCall priced = new LlmCall("e1", Instant.parse("2026-11-24T12:00:01Z"), "s1", "s1", "cli", null, null, "anthropic",
                "claude-sonnet-4-6", null, new TokenUsage(100, 20, 1000, 0, 0, 0), false, 4_321, true, "anthropic/claude-sonnet-4-6", 800);
        LlmCall guessed = new LlmCall("e2", Instant.parse("2026-11-24T12:00:02Z"), null, null, "cli", null, null, "ollama",
                "llama3", null, TokenUsage.of(50, 5), true, 0, false, null, 100);
        Rendered r = StatsReport.raw(List.of(priced, guessed), ZoneId.of("UTC"));
        assertEquals("Plutus — last 2 model calls (times in UTC)\n" + RULE56 + """
                Time                 Session  Provider   Model                 In  Out     Cost  Flags
                ---------------------------------------------------------------------------------------------
                2026-11-24 12:00:01  s1       anthropic  claude-sonnet-4-6  1,100   20  $0.0043
                2026-11-24 12:00:02  -        ollama     llama3                50    5    $0.00  est unpriced
                """, r.text());
        assertEquals("Plutus — last 0 model calls (times in UTC)\n" + RULE56 + "No model calls recorded.\n", StatsReport.raw(List.of(), ZoneId.of("UTC")).text());
    }
}
