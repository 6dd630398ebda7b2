package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.core.CallEvent;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.ToolCall;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: {@code /api/explore} (ranges in the budget zone, filters, buckets that add up) and
 * {@code /api/session} (a session's calls and tools), against a real daemon, behind the read-only token.
 */
@org.junit.jupiter.api.Tag("store")
class DashboardExploreApiTest {
    private static final Instant START = Instant.parse("2026-03-10T09:30:00Z"); // 10:30 in Berlin

    @Test
    void rangesFiltersAndDrillDown(@TempDir Path home) throws Exception {
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), START));
        java.nio.file.Files.createDirectories(home.resolve("hermes/cron"));
        java.nio.file.Files.writeString(home.resolve("hermes/cron/jobs.json"), "{\"jobs\": [{\"id\": \"d200f53be09d\", \"name\": \"nightly-digest\"}]}");
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets:\n  global:\n    daily_usd: 100\ntimezone: Europe/Berlin\n")
                .env(java.util.Map.of("HERMES_HOME", home.resolve("hermes").toString())).clock(clock).start()) {
            record(d, "a", "2026-03-09T22:30:00Z", "s1", "cli", "anthropic", "claude-sonnet-4-6", "1.00");      // 23:30 yesterday in Berlin
            record(d, "b", "2026-03-09T23:30:00Z", "s2", "telegram", "deepseek", "deepseek-v4-flash", "0.25"); // 00:30 today in Berlin
            record(d, "c", "2026-03-10T09:00:00Z", "s1", "cli", "anthropic", "claude-sonnet-4-6", "0.125");
            record(d, "d", "2026-03-05T12:00:00Z", "cron_d200f53be09d_20260305_120000", "cron", "openai", "gpt-5.1", "2");
            d.plutus().recorder().recordTool(new ToolCall("t1", Instant.parse("2026-03-10T09:00:01Z"), "s1", "terminal", "ok", null, 120));
            d.plutus().recorder().recordTool(new ToolCall("t2", Instant.parse("2026-03-09T23:30:01Z"), "s2", "web_search", "error", "tool_error", 800));
            String key = d.apiKeys().create("explore").secret();
            HttpResponse<String> ingested = d.post("/v1/usage", "{\"provider\":\"openrouter\",\"model\":\"x/y\",\"cost_usd\":0.5,"
                    + "\"workspace\":\"prod\",\"task_type\":\"summarize\",\"timestamp\":\"2026-03-10T08:00:00Z\"}", key);
            assertEquals(200, ingested.statusCode(), ingested.body());

            JsonNode today = explore(d, "range=today");
            assertEquals("Europe/Berlin", today.path("zone").asText());
            assertEquals("2026-03-09T23:00:00Z", today.path("from").asText(), "today starts at midnight in the budget zone");
            assertUsd("0.875", today.path("totals"), "b + c + the ingested call; a was yesterday in Berlin");
            assertEquals("hour", today.path("bucket").asText());
            assertAddsUp(today);

            JsonNode day = explore(d, "range=24h");
            assertUsd("1.875", day.path("totals"), "the rolling 24 h hold a too");
            assertEquals(25, day.path("buckets").size(), "hour bars clipped to the 24 h: a part hour, 23 hours, a part hour");
            assertEquals(day.path("from").asText(), day.path("buckets").get(0).path("start").asText());
            assertAddsUp(day);
            assertEquals(2, day.path("sessions").path("count").asInt(), "s1 and s2 (the ingested call has no session): " + day.path("sessions"));

            JsonNode week = explore(d, "range=7d");
            assertUsd("3.875", week.path("totals"), "every call");
            assertEquals("day", week.path("bucket").asText());
            assertEquals(8, week.path("buckets").size());
            assertAddsUp(week);

            JsonNode anthropic = explore(d, "range=7d&provider=anthropic");
            assertUsd("1.125", anthropic.path("totals"), "a + c");
            assertEquals(1, anthropic.path("sessions").path("count").asInt());
            assertEquals("s1", anthropic.path("sessions").path("rows").get(0).path("session_id").asText());
            assertEquals(4, anthropic.path("options").path("providers").size(), "every provider stays a choice: " + anthropic.path("options"));
            assertEquals("terminal", anthropic.path("tools").get(0).path("tool").asText());
            assertEquals(1, anthropic.path("tools").size(), "only the tools of sessions with a matching call");
            assertAddsUp(anthropic);
            assertUsd("0.5", explore(d, "range=7d&workspace=prod").path("totals"), "the /v1/usage workspace");
            assertUsd("3.375", explore(d, "range=7d&workspace=default").path("totals"),
                    "calls from hooks name no workspace: 'default', where /v1/usage puts such calls, as plutus stats workspaces shows them");
            assertUsd("0", explore(d, "range=7d&workspace=-").path("totals"), "'-' is no workspace");
            assertUsd("0.5", explore(d, "range=7d&task_type=summarize").path("totals"), "the /v1/usage task type");
            assertUsd("3.375", explore(d, "range=7d&task_type=-").path("totals"), "calls from hooks name no task type");
            assertUsd("0", explore(d, "range=7d&workspace=prod&task_type=-").path("totals"), "filters combine");
            assertEquals("[{\"workspace\":\"default\",\"cost\":\"3.375\"},{\"workspace\":\"prod\",\"cost\":\"0.5\"}]",
                    breakdown(week.path("workspaces"), "workspace"), "dearest first, adding up to the total");
            assertEquals("[{\"task_type\":\"-\",\"cost\":\"3.375\"},{\"task_type\":\"summarize\",\"cost\":\"0.5\"}]",
                    breakdown(week.path("task_types"), "task_type"), week.toString());
            assertEquals("[\"-\",\"summarize\"]", week.path("options").path("task_types").toString());
            assertUsd("0.25", explore(d, "range=7d&platform=telegram").path("totals"), "b");
            assertUsd("2", explore(d, "range=7d&model=gpt-5.1").path("totals"), "d");
            assertUsd("0", explore(d, "range=7d&provider=anthropic&platform=telegram").path("totals"), "filters combine");

            JsonNode fifth = explore(d, "from=2026-03-05&to=2026-03-05");
            assertUsd("2", fifth.path("totals"), "d alone");
            assertEquals(24, fifth.path("buckets").size(), "one day, by the hour");
            assertEquals("custom", fifth.path("range").asText());
            assertUsd("1.875", explore(d, "from=" + URLEncoder.encode("2026-03-09T23:00", StandardCharsets.UTF_8)).path("totals"),
                    "from 23:00 Berlin time (22:00 UTC) to now: a, b, c and the ingested call");
            assertEquals("{\"d200f53be09d\":\"nightly-digest\"}", week.path("cron_job_names").toString(), "Hermes's names, for every id on the page");
            assertEquals("nightly-digest", week.path("cron_jobs").get(0).path("name").asText(), week.path("cron_jobs").toString());
            assertEquals("d200f53be09d", week.path("cron_jobs").get(0).path("cron_job_id").asText());
            JsonNode cronSession = week.path("sessions").path("rows").get(2);
            assertEquals("nightly-digest", cronSession.path("cron_job_name").asText(), "a cron run's session names its job: " + cronSession);

            JsonNode rows = week.path("rows");
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode r : rows) {
                sum = sum.add(r.path("cost_usd").decimalValue());
            }
            assertEquals(0, new BigDecimal("3.875").compareTo(sum), "the CSV rows add up to the cost card: " + rows);

            for (String bad : new String[] {"range=1y", "from=yesterday", "to=2026-03-01", "from=2026-03-05&to=2026-03-01", "from=2020-01-01"}) {
                HttpResponse<String> r = d.get("/api/explore?" + bad, d.readToken());
                assertEquals(400, r.statusCode(), bad + ": " + r.body());
                assertTrue(TestSupport.JSON.readTree(r.body()).path("error").asText().length() > 10, r.body());
            }
            assertEquals(401, d.get("/api/explore?range=24h", null).statusCode(), "the dashboard token is needed");
            assertEquals(401, d.get("/api/session?id=s1", "not-the-token").statusCode());

            HttpResponse<String> s1 = d.get("/api/session?id=s1", d.readToken());
            assertEquals(200, s1.statusCode(), s1.body());
            JsonNode session = TestSupport.JSON.readTree(s1.body());
            assertEquals(2, session.path("calls").size(), session.toString());
            assertEquals("2026-03-09T22:30:00Z", session.path("calls").get(0).path("at").asText(), "oldest first");
            assertUsd("1.125", session, "its calls");
            assertEquals(1, session.path("tools").size());
            assertEquals("terminal", session.path("tools").get(0).path("tool").asText());
            assertEquals("cli", session.path("platform").asText());
            assertEquals(404, d.get("/api/session?id=nope", d.readToken()).statusCode());
            assertEquals(400, d.get("/api/session", d.readToken()).statusCode());
        }
    }

    /**
     * Times the clocks skip or repeat are read as {@code plutus stats --from/--to} reads them (one
     * parser): a 400 naming the offsets to use, never a guess; with the offset given, the range is
     * exact. And {@code /api/summary?range=today} is the calendar day in the budget zone, as on the CLI.
     */
    @Test
    void newYorkClockChangesAndTodayOnTheSummary(@TempDir Path home) throws Exception {
        Instant noon = Instant.parse("2026-11-02T17:00:00Z"); // 12:00 EST, the day after the clocks went back
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets:\n  global:\n    daily_usd: 100\ntimezone: America/New_York\n")
                .clock(clock).start()) {
            record(d, "edt", "2026-11-01T05:45:00Z", "s1", "cli", "anthropic", "claude-sonnet-4-6", "1.00");  // 01:45 EDT
            record(d, "est", "2026-11-01T06:45:00Z", "s1", "cli", "anthropic", "claude-sonnet-4-6", "0.25");  // 01:45 EST, an hour later
            record(d, "late", "2026-11-02T03:00:00Z", "s2", "cli", "anthropic", "claude-sonnet-4-6", "0.5"); // 22:00 on the 1st in New York
            record(d, "today", "2026-11-02T15:00:00Z", "s2", "cli", "anthropic", "claude-sonnet-4-6", "0.125");

            HttpResponse<String> gap = d.get("/api/explore?from=2026-03-08T02:30&to=2026-03-08T03:00", d.readToken());
            assertEquals(400, gap.statusCode(), gap.body());
            assertEquals("from '2026-03-08T02:30' does not exist in America/New_York: the clocks jump from 02:00 to 03:00 that day; give a time"
                    + " outside the gap, or one with its offset (2026-03-08T03:00-04:00)", TestSupport.JSON.readTree(gap.body()).path("error").asText());
            HttpResponse<String> twice = d.get("/api/explore?from=2026-11-01T01:30", d.readToken());
            assertEquals(400, twice.statusCode(), "not silently EDT: " + twice.body());
            assertEquals("from '2026-11-01T01:30' happens twice in America/New_York (the clocks go back that night); add the offset:"
                    + " 2026-11-01T01:30-04:00 (the first) or 2026-11-01T01:30-05:00 (the second)",
                    TestSupport.JSON.readTree(twice.body()).path("error").asText());

            JsonNode first = explore(d, "from=" + URLEncoder.encode("2026-11-01T01:30-04:00", StandardCharsets.UTF_8) + "&to="
                    + URLEncoder.encode("2026-11-01T01:30-05:00", StandardCharsets.UTF_8));
            assertEquals("2026-11-01T05:30:00Z", first.path("from").asText());
            assertEquals("2026-11-01T06:30:00Z", first.path("to").asText());
            assertUsd("1.00", first.path("totals"), "the first 01:45 (EDT) alone");
            JsonNode night = explore(d, "from=2026-11-01&to=2026-11-01");
            assertEquals(25, night.path("buckets").size(), night.toString());
            assertEquals("11-01 01:00 EDT", night.path("buckets").get(1).path("label").asText());
            assertEquals("11-01 01:00 EST", night.path("buckets").get(2).path("label").asText());
            assertUsd("1.00", night.path("buckets").get(1), "01:45 EDT");
            assertUsd("0.25", night.path("buckets").get(2), "01:45 EST");

            JsonNode today = summary(d, "today");
            assertEquals("today", today.path("window").asText(), today.toString());
            assertEquals("2026-11-02T05:00:00Z", today.path("from").asText(), "midnight in New York, as plutus stats today");
            assertUsd("0.125", today.path("usage"), "only the call made today in New York");
            JsonNode day = summary(d, "24h");
            assertTrue(day.path("from").asText().startsWith("2026-11-01T17:00"), "the rolling 24 h (the clock runs): " + day.path("from"));
            assertUsd("0.625", day.path("usage"), "22:00 yesterday is in the last 24 h");
            assertUsd("0.125", TestSupport.JSON.readTree(d.get("/api/sessions?range=today", d.readToken()).body()).path("sessions").get(0),
                    "every earlier endpoint reads today the same way");
            for (String bad : new String[] {"day", "week", "1y", "Today"}) {
                HttpResponse<String> r = d.get("/api/summary?range=" + bad, d.readToken());
                assertEquals(400, r.statusCode(), "docs/dashboard-api.md: an unknown range is a 400: " + bad + " " + r.body());
                assertEquals("range must be today, 24h, 7d or 30d, got '" + bad + "'", TestSupport.JSON.readTree(r.body()).path("error").asText());
            }
        }
    }

    private static JsonNode summary(DaemonHarness d, String range) throws Exception {
        HttpResponse<String> r = d.get("/api/summary?range=" + range, d.readToken());
        assertEquals(200, r.statusCode(), range + ": " + r.body());
        return TestSupport.JSON.readTree(r.body());
    }

    /** Each group's key and cost, as compact JSON. */
    private static String breakdown(JsonNode groups, String key) {
        com.fasterxml.jackson.databind.node.ArrayNode out = TestSupport.JSON.createArrayNode();
        groups.forEach(g -> out.addObject().put(key, g.path(key).asText()).put("cost", g.path("cost_usd").decimalValue().stripTrailingZeros().toPlainString()));
        return out.toString();
    }

    private static JsonNode explore(DaemonHarness d, String query) throws Exception {
        HttpResponse<String> r = d.get("/api/explore?" + query, d.readToken());
        assertEquals(200, r.statusCode(), query + ": " + r.body());
        return TestSupport.JSON.readTree(r.body());
    }

    private static void assertUsd(String expected, JsonNode o, String why) {
        assertEquals(0, new BigDecimal(expected).compareTo(o.path("cost_usd").decimalValue()), why + ": " + o);
    }

    /** The bars, the provider rows and the model rows each add up to the totals. */
    private static void assertAddsUp(JsonNode o) {
        BigDecimal total = o.path("totals").path("cost_usd").decimalValue();
        long calls = o.path("totals").path("calls").asLong();
        for (String part : new String[] {"buckets", "providers", "models", "rows"}) {
            BigDecimal sum = BigDecimal.ZERO;
            long n = 0;
            for (JsonNode b : o.path(part)) {
                sum = sum.add(b.path("cost_usd").decimalValue());
                n += b.path("calls").asLong();
            }
            assertEquals(0, total.compareTo(sum), part + " add up to the total: " + o);
            assertEquals(calls, n, part + " count every call: " + o);
        }
    }

    private static void record(DaemonHarness d, String id, String at, String session, String platform, String provider, String model, String usd) {
        d.plutus().recorder().record(new CallEvent(id, Instant.parse(at), session, platform, provider, model, null,
                new TokenUsage(1000, 200, 0, 0, 0, 0), false, 900, new BigDecimal(usd)));
    }
}
