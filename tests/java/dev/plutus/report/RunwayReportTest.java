package dev.plutus.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.provider.LiveBalance;
import dev.plutus.runway.ProviderConfig;
import dev.plutus.provider.ProviderKind;
import dev.plutus.runway.ProviderRunway;
import dev.plutus.runway.ProviderRunway.Source;
import dev.plutus.provider.RateLimitStatus;
import dev.plutus.runway.RunwayConfig;
import dev.plutus.runway.RunwayView;
import dev.plutus.runway.SetupHints;
import dev.plutus.runway.SpendSummary;
import dev.plutus.store.RunwayStore.AlertRow;
import dev.plutus.store.RunwayStore.Snapshot;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /runway from a constructed view: the ranked table, the notes under it, JSON and the HTML page. */
class RunwayReportTest {
    static final Instant AT = Instant.parse("2026-11-24T12:00:00Z");
    static final ZoneId UTC = ZoneId.of("UTC");

    private static ProviderConfig config(String name, ProviderKind kind, String flagship, String fast) {
        return new ProviderConfig(name, kind, null, List.of(), null, List.of(name), flagship, fast, name, null, null, null);
    }

    private static RunwayConfig runwayConfig(boolean apply) {
        return new RunwayConfig(List.of(), false, Duration.ofMinutes(5), Duration.ofSeconds(10), Map.of(), null,
                new RunwayConfig.Router(apply, Duration.ofMinutes(90), false), new RunwayConfig.Alerts(null, null, null, null));
    }

    /** Given in the wrong order on purpose: the report ranks by runway. */
    private static List<ProviderRunway> providers() {
        ProviderRunway anthropic = new ProviderRunway(config("anthropic", ProviderKind.ANTHROPIC, null, null), Source.UNKNOWN,
                null, null, null, null, null, SpendSummary.NONE, 0, null, null, null, null, null);
        ProviderRunway deepseek = new ProviderRunway(config("deepseek", ProviderKind.DEEPSEEK, "deepseek-reasoner", "deepseek-chat"),
                Source.ESTIMATE, 2_000_000L, 10_000_000L, null,
                new RateLimitStatus("allowed", List.of(
                        new RateLimitStatus.Window("requests", 1000L, 250L, null, Instant.parse("2026-11-24T12:00:30Z"), null),
                        new RateLimitStatus.Window("5h", null, null, new BigDecimal("0.425"), null, null)), 30L),
                "HTTP 503 from deepseek <balance>", new SpendSummary(1_000_000, 8_000_000, 8_000_000, 8_000_000, 8_000_000),
                1_142_857, BigDecimal.ZERO, new BigDecimal("1.8"), LocalDate.parse("2026-11-25"), Instant.parse("2026-11-20T08:00:00Z"), null);
        ProviderRunway openrouter = new ProviderRunway(config("openrouter", ProviderKind.OPENROUTER, "qwen3-max", "qwen3-coder"),
                Source.LIVE, 12_340_000L, null, new LiveBalance(12_340_000L, 20_000_000L, 7_660_000L, false, true, "credits"), null, null,
                new SpendSummary(500_000, 3_500_000, 3_000_000, 9_000_000, 7_660_000), 500_000, new BigDecimal("16.7"),
                new BigDecimal("24.6"), LocalDate.parse("2026-12-19"), null, AT);
        return List.of(anthropic, deepseek, openrouter);
    }

    private static RunwayView view(boolean apply) {
        Map<String, List<Snapshot>> history = Map.of("deepseek", List.of(
                new Snapshot(Instant.parse("2026-11-22T12:00:00Z"), "deepseek", "estimate", 5_000_000L, 1_000_000, new BigDecimal("5")),
                new Snapshot(Instant.parse("2026-11-23T12:00:00Z"), "deepseek", "unknown", null, 1_000_000, null),
                new Snapshot(Instant.parse("2026-11-24T12:00:00Z"), "deepseek", "estimate", 2_000_000L, 1_142_857, new BigDecimal("1.8"))));
        List<AlertRow> alerts = List.of(new AlertRow("deepseek", "days_left", true, AT, "deepseek has 1.8 days of runway left"));
        List<ProviderRunway> providers = providers();
        // What the monitor works out for each provider; anthropic (no balance API, never calibrated) has a step.
        SetupHints hints = new SetupHints(null);
        Map<String, String> steps = new java.util.HashMap<>();
        for (ProviderRunway r : providers) {
            String step = hints.nextStep(r, true, null);
            if (step != null) {
                steps.put(r.name(), step);
            }
        }
        return new RunwayView(AT, UTC, runwayConfig(apply), providers, history, alerts, steps);
    }

    @Test
    void theTableRanksProvidersByRunwayAndTheNotesSayWhereEachFigureComesFrom() {
        assertEquals("""
                Runway — 2026-11-24 12:00 UTC

                provider      left  source    burn/day  trend   days left  runs out    today     7d    30d  all time
                ----------------------------------------------------------------------------------------------------
                openrouter  $12.34  live         $0.50  +16.7%       24.6  2026-12-19  $0.50  $3.50  $9.00     $7.66
                deepseek     $2.00  estimate     $1.14  steady        1.8  2026-11-25  $1.00  $8.00  $8.00     $8.00
                anthropic        ?  unknown      $0.00  -               ?  -           $0.00  $0.00  $0.00     $0.00

                  openrouter: $12.34 of $20.00, used $7.66 — credits
                  deepseek: HTTP 503 from deepseek <balance> (showing the estimate)
                  deepseek: rate limits allowed: requests 250/1,000 left (resets 11-24 12:00:30), 5h 43% used; retry after 30 s
                  deepseek: estimate: budget $10.00 − $8.00 recorded (calibrated 2026-11-20 08:00)
                  deepseek: history: █ ▁ $5.00 → $2.00 over 3 snapshots since 2026-11-22 12:00
                  anthropic: no balance API: read the balance in its console and run `plutus runway calibrate anthropic=<balance>` (or set budget_usd in runway.yaml)

                ⚠ deepseek has 1.8 days of runway left

                Router: primary openrouter/qwen3-max, delegation deepseek/deepseek-chat, fallbacks deepseek/deepseek-reasoner -> deepseek/deepseek-chat (plan only; router.apply: true writes it, or run `plutus route`)
                """, RunwayReport.render(view(false)).text());
        assertTrue(RunwayReport.render(view(true)).text().endsWith(" deepseek/deepseek-chat (applied every 90m)\n"));
    }

    @Test
    void theJsonCarriesExactAmountsAndNullsForWhatIsUnknown() {
        JsonNode j = RunwayReport.render(view(false)).json();
        assertEquals("2026-11-24T12:00:00Z", j.path("at").asText());
        JsonNode ps = j.path("providers");
        assertEquals(List.of("openrouter", "deepseek", "anthropic"), List.of(ps.get(0).path("provider").asText(),
                ps.get(1).path("provider").asText(), ps.get(2).path("provider").asText()));
        assertEquals("{\"rank\":2,\"provider\":\"deepseek\",\"kind\":\"deepseek\",\"source\":\"estimate\",\"remaining_usd\":2.000000,"
                + "\"budget_usd\":10.000000,\"burn_usd_per_day\":1.142857,\"trend_pct\":0,\"days_left\":1.8,\"exhausts_on\":\"2026-11-25\","
                + "\"spend_usd\":{\"today\":1.000000,\"7d\":8.000000,\"prev_7d\":8.000000,\"30d\":8.000000,\"all\":8.000000},"
                + "\"rate_limits\":{\"status\":\"allowed\",\"retry_after_s\":30,\"windows\":[{\"name\":\"requests\",\"limit\":1000,"
                + "\"remaining\":250,\"resets_at\":\"2026-11-24T12:00:30Z\"},{\"name\":\"5h\",\"utilization\":0.425}]},"
                + "\"error\":\"HTTP 503 from deepseek <balance>\",\"next_step\":null,\"calibrated_at\":\"2026-11-20T08:00:00Z\",\"fetched_at\":null,"
                + "\"history\":[{\"at\":\"2026-11-22T12:00:00Z\",\"remaining_usd\":5.000000,\"days_left\":5},"
                + "{\"at\":\"2026-11-23T12:00:00Z\",\"remaining_usd\":null},"
                + "{\"at\":\"2026-11-24T12:00:00Z\",\"remaining_usd\":2.000000,\"days_left\":1.8}]}", ps.get(1).toString());
        JsonNode unknown = ps.get(2);
        assertTrue(unknown.path("remaining_usd").isNull());
        assertTrue(unknown.path("trend_pct").isNull());
        assertTrue(unknown.path("days_left").isNull());
        assertEquals("0.000000", unknown.path("burn_usd_per_day").decimalValue().toPlainString());
        assertEquals("{\"provider\":\"deepseek\",\"kind\":\"days_left\",\"message\":\"deepseek has 1.8 days of runway left\","
                + "\"since\":\"2026-11-24T12:00:00Z\"}", j.path("alerts").get(0).toString());
        assertEquals("{\"apply\":false,\"primary\":\"openrouter/qwen3-max\",\"delegation\":\"deepseek/deepseek-chat\","
                + "\"fallbacks\":[\"deepseek/deepseek-reasoner\",\"deepseek/deepseek-chat\"],\"reasons\":["
                + "\"#1 openrouter: $12.34 live, 24.6 days left; ranked by days left\",\"#2 deepseek: $2.00 estimate, 1.8 days left; ranked by days left\","
                + "\"anthropic: not routed (no flagship/fast models in runway.yaml)\"]}", j.path("router").toString());
    }

    @Test
    void subCentAmountsKeepTwoSignificantDigitsAndTheCalibrateHintCarriesTheHome(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        ProviderRunway tiny = new ProviderRunway(config("anthropic", ProviderKind.ANTHROPIC, null, null), Source.UNKNOWN,
                null, null, null, null, null, new SpendSummary(2_400, 2_400, 2_400, 2_400, 2_400), 2_400, null, null, null, null, null);
        dev.plutus.core.HomeLayout home = new dev.plutus.core.HomeLayout(tmp.resolve("my plutus"));
        String step = new dev.plutus.runway.SetupHints(home.dir()).nextStep(tiny, true, null);
        RunwayView v = new RunwayView(AT, UTC, runwayConfig(false), List.of(tiny), Map.of(), List.of(), Map.of("anthropic", step));
        String text = RunwayReport.render(v, home).text();
        assertTrue(text.lines().anyMatch(l -> l.startsWith("anthropic") && l.contains("$0.0024") && !l.contains("$0.00 ")),
                "Money.display, not cents: " + text);
        assertTrue(text.contains("run `plutus runway calibrate anthropic=<balance> --home '" + home.dir() + "'`"), text);
        assertTrue(RunwayReport.html(v, home).contains("$0.0024"));
    }

    @Test
    void withNothingToWatchItSaysWhereToListProviders() {
        RunwayView empty = new RunwayView(AT, ZoneId.of("Asia/Kolkata"), runwayConfig(false), List.of(), Map.of(), List.of());
        assertEquals("""
                Runway — 2026-11-24 17:30 Asia/Kolkata

                No providers to watch: no provider key was found (environment or Hermes .env) and nothing is recorded.
                List providers in runway.yaml in PLUTUS_HOME (see the README).
                """, RunwayReport.render(empty).text());
        assertEquals("{\"at\":\"2026-11-24T12:00:00Z\",\"zone\":\"Asia/Kolkata\",\"providers\":[],\"alerts\":[]}",
                RunwayReport.render(empty).json().toString(), "no router without a routable provider");
    }

    @Test
    void theHtmlPageEscapesWhatProvidersSayAndNeedsNothingFromOutside() {
        String html = RunwayReport.html(view(false));
        assertTrue(html.contains("<div class=\"note err\">HTTP 503 from deepseek &lt;balance&gt; (showing the estimate)</div>"), html);
        assertFalse(html.contains("<balance>"));
        assertTrue(html.contains("<td class=\"n\">$2.00<div class=\"bar low\"><span style=\"width:20%\"></span></div></td>"),
                "money left as a share of the budget, red while an alert is active");
        assertTrue(html.contains("<td class=\"n\">$12.34</td>"), "no bar without a budget");
        assertTrue(html.contains("<path d=\"M0,2 L120,22\""), "history drawn from the known points only");
        assertTrue(html.indexOf("data-provider=\"openrouter\"") < html.indexOf("data-provider=\"deepseek\""));
        assertFalse(html.contains("src="), "no outside resources");
        assertFalse(html.contains("href="), "no outside resources");
        assertEquals("a &amp; b &lt;i&gt; &quot;q&quot;", RunwayReport.esc("a & b <i> \"q\""));
    }

    @Test
    void theSparklineScalesBetweenTheLowestAndHighestKnownPoint() {
        List<Snapshot> h = List.of(snap(8_000_000L), snap(6_000_000L), snap(null), snap(4_000_000L), snap(1_000_000L));
        assertEquals("█▆ ▄▁", RunwayReport.spark(h));
        assertEquals("██", RunwayReport.spark(List.of(snap(3L), snap(3L))), "flat is full height");
    }

    private static Snapshot snap(Long remaining) {
        return new Snapshot(AT, "p", "live", remaining, 0, null);
    }
}
