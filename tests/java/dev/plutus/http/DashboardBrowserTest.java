package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.core.CallEvent;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.ToolCall;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in real headless Chromium against a real daemon: it loads without console errors,
 * shows what the store holds, switches range, and leaves a screenshot in target/dashboard/.
 */
@org.junit.jupiter.api.Tag("store")
class DashboardBrowserTest {
    static final Path ARTIFACTS = Path.of("target", "dashboard");
    /** Ids as long as real ones get: a Fireworks model path, a session id with a UUID in it. */
    private static final String LONG_MODEL = "accounts/fireworks/models/llama-v3p1-405b-instruct-long-context";
    private static final String LONG_SESSION = "session_20260101_093012_4f9c2a7e-1b3d-4e5f-9a8b-7c6d5e4f3a2b_tg";
    /** A session id far past any column: 180 characters without a space, as a host that nests ids writes them. */
    private static final String HUGE_SESSION = ("agent-run_" + "0123456789abcdef".repeat(11)).substring(0, 180);

    @Test
    void dashboardShowsTheStoredNumbersWithNoConsoleErrors(@TempDir Path home, @TempDir Path profile, @TempDir Path downloads) throws Exception {
        requireBrowser();
        HttpServer fake = fakeDeepSeek();
        writeConfig(home, fake);
        Path hermes = cronJobs(home, Map.of("d200f53be09d", "nightly-digest"));
        Clock clock = noonToday();
        Instant now = clock.instant();
        try (DaemonHarness d = DaemonHarness.in(home).env(Map.of("DEEPSEEK_API_KEY", "sk-test", "HERMES_HOME", hermes.toString()))
                .clock(clock).start();
             WebDriver browser = new WebDriver(profile, downloads)) {
            record(d, "c1", now.minus(Duration.ofHours(1)), "s1", "cli", "anthropic", "claude-sonnet-4-6", "3.456789");
            record(d, "c2", now.minus(Duration.ofHours(2)), "s1", "cli", "anthropic", "claude-sonnet-4-6", "1.000001");
            // Hermes names a cron run's session after its job id; the page names the job as cron/jobs.json does.
            record(d, "c3", now.minus(Duration.ofHours(3)), "cron_d200f53be09d_20260101_030000", "cron", "deepseek", "deepseek-v4-flash", "0.012345");
            record(d, "c4", now.minus(Duration.ofDays(3)), "s3", "cli", "openrouter", "anthropic/claude-sonnet-4.6", "7.5");
            d.plutus().recorder().recordTool(new ToolCall("t1", now.minus(Duration.ofHours(1)), "s1", "terminal", "ok", null, 120));
            d.plutus().recorder().recordTool(new ToolCall("t2", now.minus(Duration.ofHours(1)), "s1", "web_search", "error", "tool_error", 800));
            ingest(d, now.minus(Duration.ofMinutes(30)), "prod", "summarize", "0.5");

            browser.open(d.info().baseUrl() + "/?range=7d");
            browser.waitFor("return document.body.dataset.loaded >= '1'", Duration.ofSeconds(30));
            JsonNode shown = browser.script(SHOWN);
            assertEquals("$12.47", shown.path("cost").asText(), "3.456789 + 1.000001 + 0.012345 + 7.5 + 0.5 = 12.469135");
            assertEquals("5", shown.path("calls").asText());
            assertEquals("7d", shown.path("range").asText());
            assertTrue(contains(shown.path("models"), "anthropic claude-sonnet-4-6 2 0") && contains(shown.path("models"), "$4.46"), shown.toString());
            assertTrue(contains(shown.path("models"), "deepseek deepseek-v4-flash 1") && contains(shown.path("models"), "$0.012"), shown.toString());
            assertTrue(contains(shown.path("runway"), "deepseek $12.50 live"), shown.toString());
            // What to do for a provider not set up is the server's text (plutus runway prints it too), for this home.
            JsonNode credits = TestSupport.JSON.readTree(d.get("/api/credits/status", d.readToken()).body());
            String step = "";
            for (JsonNode p : credits.path("providers")) {
                step = p.path("provider").asText().equals("openai") ? p.path("next_step").asText() : step;
            }
            assertTrue(step.startsWith("no balance API: read the balance in its console and run `plutus runway calibrate openai=<balance> --home "
                    + home.toAbsolutePath() + "`"), "OpenAI has no balance API: calibrate, in this (non-default) home: " + credits);
            assertTrue(contains(shown.path("runway"), step.replace("`", "")), "the page shows the server's step: " + shown);
            assertTrue(browser.script("return document.querySelector('#runway .todo code').innerText").asText()
                    .startsWith("plutus runway calibrate openai=<balance> --home "), "the command is code to copy");
            assertEquals(0, shown.path("runwayErrors").asInt(), "no red error pill for a provider that is only not set up");
            assertTrue(contains(shown.path("budget"), "global daily $4.97 $20.00"), shown.toString());
            // The forecast is the server's, at today's pace and in the CLI's words, not one the page works out itself.
            JsonNode forecast = new com.fasterxml.jackson.databind.ObjectMapper().readTree(d.get("/api/budget", d.readToken()).body())
                    .path("scopes").get(0).path("forecast");
            assertTrue(forecast.path("text").asText().startsWith("holds ("), forecast.toString());
            assertTrue(contains(shown.path("budget"), forecast.path("text").asText()), shown + " shows " + forecast);
            assertTrue(shown.path("zone").asText().contains("times in UTC"), "the zone is shown: " + shown);
            assertTrue(!browser.script("return document.body.innerText").asText().contains("Etc/"), "Etc/UTC is shown as UTC everywhere on the page");
            assertEquals(List.of("nightly-digest 1 $0.012"), list(shown.path("cron")), "the cron job by its name, not d200f53be09d");
            assertEquals("cron job d200f53be09d", browser.script("return document.querySelector('#cron td .id').title").asText());
            assertTrue(contains(shown.path("sessions"), "cron · nightly-digest"), "a cron session names its job: " + shown);
            assertEquals(List.of("default 4 $11.97", "prod 1 $0.50"), list(shown.path("workspaces")),
                    "hook calls name no workspace: 'default', as plutus stats workspaces shows them: " + shown);
            assertEquals(List.of("- (none named) 4 $11.97", "summarize 1 $0.50"), list(shown.path("taskTypes")), shown.toString());
            assertTrue(contains(shown.path("tools"), "terminal") && contains(shown.path("tools"), "web_search"), shown.toString());
            assertEquals(3, shown.path("sessions").size(), "s1, s2, s3 (the ingested call has no session)");
            assertEquals(8, shown.path("buckets").asInt(), "a bar per calendar day the 7 days touch: clipped first day, 6 whole, today");
            assertChartAgreesWithCards(browser);
            assertEquals("Cost per day", shown.path("chartTitle").asText());

            browser.click("button[data-range='24h']");
            browser.waitFor("return document.body.dataset.range === '24h' && document.body.dataset.loaded >= '2'", Duration.ofSeconds(20));
            assertEquals("$4.97", browser.script("return document.getElementById('cost').innerText").asText(), "the 3-day-old call is out");
            JsonNode hours = browser.script(SHOWN);
            assertEquals("Cost per hour", hours.path("chartTitle").asText());
            assertEquals(25, hours.path("buckets").asInt(), "24 h from noon: the hour bars are clipped to the range (noon to noon)");
            assertChartAgreesWithCards(browser);

            // Filters: each one narrows every card, table and bar, and the address keeps it.
            choose(browser, "provider", "deepseek");
            JsonNode deepseek = browser.script(SHOWN);
            assertEquals("$0.012", deepseek.path("cost").asText(), "Money.display: two significant digits under $1");
            assertEquals("1", deepseek.path("calls").asText());
            assertEquals(1, deepseek.path("models").size(), deepseek.toString());
            assertEquals(1, deepseek.path("sessions").size(), deepseek.toString());
            assertTrue(deepseek.path("view").asText().contains("provider=deepseek"), deepseek.toString());
            assertChartAgreesWithCards(browser);
            choose(browser, "provider", "");
            choose(browser, "platform", "cli");
            assertEquals("$4.46", browser.script("return document.getElementById('cost').innerText").asText(), "c1 + c2, the cli calls of the last 24 h");
            choose(browser, "platform", "");
            choose(browser, "workspace", "prod");
            JsonNode prod = browser.script(SHOWN);
            assertEquals("$0.50", prod.path("cost").asText(), prod.toString());
            assertEquals("1", prod.path("calls").asText());
            choose(browser, "workspace", "");
            choose(browser, "task_type", "summarize");
            assertEquals("$0.50", browser.script("return document.getElementById('cost').innerText").asText(), "the ingested call's task type");
            choose(browser, "task_type", "-");
            assertEquals("$4.47", browser.script("return document.getElementById('cost').innerText").asText(),
                    "calls that name no task type: c1 + c2 + c3 of the last 24 h");
            choose(browser, "task_type", "");

            // A custom range of dates in the budget zone: the day c4 was made, alone.
            String day = java.time.LocalDate.ofInstant(now, java.time.ZoneOffset.UTC).minusDays(3).toString();
            browser.script("document.getElementById('from').value = '" + day + "'; document.getElementById('to').value = '"
                    + day + "'; document.querySelector('#custom button').click(); return true;");
            browser.waitFor("return document.body.dataset.range === 'custom' && document.body.dataset.view.includes('from=')", Duration.ofSeconds(20));
            browser.waitFor("return document.getElementById('calls').innerText === '1'", Duration.ofSeconds(20));
            assertEquals("$7.50", browser.script("return document.getElementById('cost').innerText").asText(), "only c4 on that day");
            assertEquals(24, browser.script(SHOWN).path("buckets").asInt(), "one day: hourly bars");
            browser.click("button[data-range='24h']");
            browser.waitFor("return document.body.dataset.range === '24h' && document.getElementById('cost').innerText === '$4.97'", Duration.ofSeconds(20));

            // Drill-down: a session's own calls and tools.
            browser.click("#sessions-table button[data-session='s1']");
            browser.waitFor("return document.getElementById('detail').dataset.session === 's1'", Duration.ofSeconds(20));
            JsonNode detail = browser.script("""
                    const rows = id => [...document.querySelectorAll('#' + id + ' tbody tr')].map(r => r.innerText.replace(/\\s+/g, ' ').trim());
                    return {calls: rows('detail-calls'), tools: rows('detail-tools'), meta: document.getElementById('detail-meta').innerText};""");
            assertEquals(2, detail.path("calls").size(), detail.toString());
            assertTrue(contains(detail.path("calls"), "$3.46") && contains(detail.path("calls"), "$1.00"), detail.toString());
            assertEquals(2, detail.path("tools").size(), detail.toString());
            assertTrue(contains(detail.path("tools"), "web_search error"), detail.toString());
            assertTrue(detail.path("meta").asText().contains("$4.46"), detail.toString());

            // CSV: what is shown, downloaded; its cost column adds up to the cost card.
            browser.script("window.scrollTo(0, 0); return true;");
            browser.click("#csv");
            Path csv = awaitDownload(downloads);
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            assertEquals("bucket_start,zone,provider,model,platform,workspace,task_type,calls,input_tokens,output_tokens,cache_read_tokens,"
                    + "cache_write_tokens,cost_usd", lines.get(0));
            BigDecimal sum = BigDecimal.ZERO;
            long calls = 0;
            boolean taskType = false;
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                calls += Long.parseLong(f[7]);
                sum = sum.add(new BigDecimal(f[12]));
                taskType |= f[5].equals("prod") && f[6].equals("summarize");
            }
            assertTrue(taskType, "the task type is in the CSV: " + lines);
            assertEquals(4, calls, String.join("\n", lines));
            assertEquals(0, new BigDecimal("4.969135").compareTo(sum), "the CSV holds exactly the 24 h calls: " + lines);

            browser.screenshot(ARTIFACTS.resolve("dashboard.png"));
            List<String> problems = new ArrayList<>();
            for (JsonNode entry : browser.consoleLog()) {
                String level = entry.path("level").asText();
                if (level.equals("SEVERE") || entry.path("message").asText().contains("Content Security Policy")) {
                    problems.add(level + " " + entry.path("message").asText());
                }
            }
            assertEquals(List.of(), problems, "the browser console has errors");
        } finally {
            fake.stop(0);
        }
        assertTrue(Files.size(ARTIFACTS.resolve("dashboard.png")) > 10_000, "the screenshot is kept as a test artifact");
    }

    /**
     * A month of calls on four providers, laid out at 1440 px and at 390 px (a phone): no sideways
     * scroll, every card and every cell inside the window, the budget table whole even with a
     * 60-character model id in it, the chart's last label inside the chart, hints wrapped between
     * words. The two screenshots are the README's: {@code -Dplutus.dashboard.screenshots=docs} copies
     * them there (docs/testing-and-benchmarks.md).
     */
    @Test
    void dashboardFitsADesktopAndAPhone(@TempDir Path home, @TempDir Path profile) throws Exception {
        requireBrowser();
        HttpServer fake = fakeDeepSeek();
        writeConfig(home, fake);
        Files.writeString(home.resolve("budget.yaml"), """
                budgets:
                  global:
                    daily_usd: 20
                    monthly_usd: 400
                  per_provider:
                    overrides:
                      anthropic: {daily_usd: 8}
                      deepseek: {weekly_usd: 3}
                  per_model:
                    overrides:
                      gpt-5.1: {monthly_usd: 50}
                      %s: {daily_usd: 2}
                timezone: Europe/Berlin
                """.formatted(LONG_MODEL));
        Path hermes = cronJobs(home, Map.of("d200f53be09d", "nightly-digest", "7a1c33e0b9f2", "inbox-triage"));
        Clock clock = noonToday();
        Instant now = clock.instant();
        try (DaemonHarness d = DaemonHarness.in(home).env(Map.of("DEEPSEEK_API_KEY", "sk-test", "HERMES_HOME", hermes.toString()))
                .clock(clock).start();
             WebDriver browser = new WebDriver(profile)) {
            String[][] models = {{"anthropic", "claude-sonnet-4-6"}, {"openai", "gpt-5.1"}, {"deepseek", "deepseek-v4-flash"},
                    {"openrouter", LONG_MODEL}};
            String[] platforms = {"cli", "telegram", "cron", "discord"};
            java.util.Random random = new java.util.Random(19);
            for (int i = 0; i < 400; i++) {
                String[] m = models[random.nextInt(models.length)];
                Instant at = now.minus(Duration.ofMinutes(random.nextInt(30 * 24 * 60)));
                at = i / 6 == 1 || i / 6 == 3 ? now.minus(Duration.ofMinutes(3 + i)) : at; // the long session ids are among the latest
                String cost = BigDecimal.valueOf(random.nextInt(400_000) + 2_000, 6).toPlainString();
                String platform = platforms[(i / 6) % platforms.length];
                // Hermes names a cron run's session after its job: cron_<job>_<date>_<time>.
                String session = platform.equals("cron") ? "cron_" + ((i / 6) % 8 == 2 ? "d200f53be09d" : "7a1c33e0b9f2") + "_20260101_"
                        + String.format("%06d", i / 6) : i / 6 == 1 ? LONG_SESSION : i / 6 == 3 ? HUGE_SESSION : "sess-" + (i / 6);
                record(d, "m" + i, at, session, platform, m[0], m[1], cost);
                if (i % 3 == 0) {
                    d.plutus().recorder().recordTool(new ToolCall("tool" + i, at, session,
                            new String[] {"terminal", "web_search", "read_file", "patch", "browser_navigate"}[i % 5], i % 17 == 0 ? "error" : "ok",
                            i % 17 == 0 ? "tool_error" : null, 40 + random.nextInt(4000)));
                }
            }
            // Calls sent to /v1/usage by other apps, with their workspace and task type.
            String[][] apps = {{"support-bot", "triage"}, {"support-bot", "draft-reply"}, {"research", "summarize"}, {"research", "code-review"}};
            for (int i = 0; i < 24; i++) {
                String[] a = apps[i % apps.length];
                ingest(d, now.minus(Duration.ofMinutes(40 + 97L * i)), a[0], a[1], BigDecimal.valueOf(20_000 + 7_919L * i, 6).toPlainString());
            }
            for (String r : List.of("24h", "7d")) {
                for (int width : new int[] {1440, 390}) {
                    browser.viewport(width, 900);
                    browser.open(d.info().baseUrl() + "/?range=" + r);
                    browser.waitFor("return document.body.dataset.loaded >= '1' && document.body.dataset.range === '" + r + "'", Duration.ofSeconds(30));
                    JsonNode fit = browser.script(FIT);
                    assertTrue(fit.path("pageWidth").asInt() <= width, width + " px: the page scrolls sideways: " + fit);
                    assertEquals(List.of(), list(fit.path("outside")), width + " px: cut off at the right edge: " + fit);
                    assertEquals(16, fit.path("sections").asInt(), "every card is there: " + fit);
                    assertTrue(fit.path("budgetWhole").asBoolean(), width + " px: the budget table (a 60-character model id, Resets, forecast) fits its card: " + fit);
                    assertTrue(fit.path("longId").path("title").asText().equals("model " + LONG_MODEL) && fit.path("longId").path("inside").asBoolean(),
                            width + " px: the long id is cut inside its cell, whole in its title: " + fit);
                    if (width == 1440) {
                        assertTrue(fit.path("runwayWhole").asBoolean(), "the runway table fits its card at 1440 px: " + fit);
                    }
                    assertTrue(fit.path("lastLabel").path("inside").asBoolean(), width + " px: the chart's last x label is inside the chart: " + fit);
                    assertTrue(fit.path("hints").asInt() > 0, "a provider not set up shows its hint: " + fit);
                    assertEquals(List.of(), list(fit.path("brokenWords")), width + " px: a hint breaks inside a word: " + fit);
                    assertEquals("normal", fit.path("hintWordBreak").asText(), fit.toString());
                    assertTrue(fit.path("sessionId").path("inside").asBoolean(), width + " px: the 63-character session id stays in its cell: " + fit);
                    assertEquals(LONG_SESSION, fit.path("sessionId").path("title").asText());
                    assertEquals(width < 600, fit.path("sessionId").path("cut").asBoolean(), width + " px: cut only where it does not fit: " + fit);
                    JsonNode huge = fit.path("hugeSession");
                    assertEquals(HUGE_SESSION, huge.path("title").asText(), width + " px: the 180-character id is whole in its title: " + fit);
                    assertTrue(huge.path("cut").asBoolean() && huge.path("inside").asBoolean(), width + " px: the 180-character id is cut in its cell: " + fit);
                    assertTrue(fit.path("sessionsWhole").asBoolean(), width + " px: the sessions table (Platform, Model, Calls, Cost) fits its card: " + fit);
                    assertTrue(fit.path("axisFont").asDouble() >= 10, width + " px: the chart's axis text is readable (>= 10 px as drawn): " + fit);
                    assertEquals(List.of(), list(fit.path("overlapping")), width + " px: x labels overlap: " + fit);
                    // The time of the data, in the budget zone, named.
                    String at = browser.script("return document.getElementById('when').dataset.at").asText();
                    String berlin = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").format(Instant.parse(at).atZone(java.time.ZoneId.of("Europe/Berlin")));
                    assertTrue(fit.path("when").asText().startsWith("updated " + berlin + " Europe/Berlin"), fit.toString());
                    assertChartAgreesWithCards(browser);
                    if (r.equals("7d")) {
                        // The phone picture stops after the first few screens: the rest is more of the same cards.
                        int height = Math.min(width < 600 ? 2600 : 6000, browser.script("return document.documentElement.scrollHeight").asInt());
                        browser.viewport(width, height);
                        Path png = ARTIFACTS.resolve("dashboard-" + width + ".png");
                        browser.screenshot(png);
                        assertTrue(Files.size(png) > 10_000, png + " is a real picture");
                        String docs = System.getProperty("plutus.dashboard.screenshots");
                        if (docs != null && !docs.isBlank()) {
                            Files.createDirectories(Path.of(docs));
                            Files.copy(png, Path.of(docs).resolve(png.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        } finally {
            fake.stop(0);
        }
    }

    /**
     * The night New York's clocks go back, on a phone: the hour that happens twice has two bars told
     * apart by their zone (EDT, EST), the chart's text is drawn at a readable size, and the CSV export
     * defuses names a spreadsheet would run as formulas.
     */
    @Test
    void aFallBackNightOnAPhoneAndACsvThatRunsNothing(@TempDir Path home, @TempDir Path profile, @TempDir Path downloads) throws Exception {
        requireBrowser();
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\ntimezone: America/New_York\n");
        Instant noon = Instant.parse("2026-11-02T17:00:00Z"); // 12:00 EST, the day after
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
        try (DaemonHarness d = DaemonHarness.in(home).env(Map.of()).clock(clock).start();
             WebDriver browser = new WebDriver(profile, downloads)) {
            record(d, "edt", Instant.parse("2026-11-01T05:45:00Z"), "s1", "cli", "anthropic", "claude-sonnet-4-6", "1.00"); // 01:45 EDT
            record(d, "est", Instant.parse("2026-11-01T06:45:00Z"), "s1", "cli", "anthropic", "claude-sonnet-4-6", "0.25"); // 01:45 EST
            record(d, "day", Instant.parse("2026-11-01T16:00:00Z"), "s2", "cli", "deepseek", "deepseek-v4-flash", "0.5");
            ingest(d, Instant.parse("2026-11-01T15:00:00Z"), "=HYPERLINK(\\\"https://evil.example\\\",\\\"x\\\")", "+1+1", "0.125");
            ingest(d, Instant.parse("2026-11-01T15:30:00Z"), "@SUM(1)", "-2+3", "0.0625");
            browser.viewport(390, 900);
            browser.open(d.info().baseUrl() + "/?from=2026-11-01&to=2026-11-01");
            browser.waitFor("return document.body.dataset.loaded >= '1'", Duration.ofSeconds(30));
            JsonNode night = browser.script("""
                    const svg = document.querySelector('#chart svg'), scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                    return {titles: [...document.querySelectorAll('#chart rect.bucket title')].map(t => t.textContent.split(':').slice(0, 2).join(':')),
                            labels: [...document.querySelectorAll('#chart text.xlabel')].map(t => t.textContent),
                            font: Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
                            height: Math.min(...[...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)),
                            cost: document.getElementById('cost').innerText};""");
            List<String> titles = list(night.path("titles"));
            assertEquals(25, titles.size(), "25 hours that night: " + night);
            assertEquals(List.of("11-01 00:00", "11-01 01:00 EDT", "11-01 01:00 EST", "11-01 02:00"), titles.subList(0, 4), night.toString());
            assertEquals(25, new java.util.HashSet<>(titles).size(), "every bar is told apart: " + titles);
            List<String> labels = list(night.path("labels"));
            assertEquals(labels.size(), new java.util.HashSet<>(labels).size(), "no two x labels alike: " + labels);
            assertTrue(labels.size() >= 3, "the axis is labelled: " + labels);
            assertTrue(night.path("font").asDouble() >= 10 && night.path("height").asDouble() >= 10, "axis text at 390 px: " + night);
            assertEquals("$1.94", night.path("cost").asText(), "1 + 0.25 + 0.5 + 0.125 + 0.0625 = 1.9375");
            assertTrue(browser.script("return document.body.innerText").asText().contains("America/New_York"), "the zone is named");

            browser.click("#csv");
            List<String> lines = Files.readAllLines(awaitDownload(downloads), StandardCharsets.UTF_8);
            String csv = String.join("\n", lines);
            assertTrue(csv.contains(",\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\",'+1+1,"), "quoted, then CSV-escaped: " + csv);
            assertTrue(csv.contains(",'@SUM(1),'-2+3,"), csv);
            assertTrue(csv.contains(",default,-,"), "'-' (no task type) is no formula and stays as plutus stats prints it: " + csv);
            for (String line : lines) {
                for (String cell : line.split(",")) {
                    assertTrue(!cell.matches("^\"?[=+@].*"), "a cell a spreadsheet would run: " + cell + " in " + line);
                }
            }
        }
    }

    /** What the page shows, read the way a person would (innerText). */
    private static final String SHOWN = """
            const rows = id => [...document.querySelectorAll('#' + id + ' tbody tr')].map(r => r.innerText.replace(/\\s+/g, ' ').trim());
            return {cost: document.getElementById('cost').innerText, calls: document.getElementById('calls').innerText,
                    models: rows('models'), runway: rows('runway'), budget: rows('budget'), sessions: rows('sessions-table'),
                    runwayErrors: document.querySelectorAll('#runway .pill.error, #runway .pill.hard').length,
                    tools: [...document.querySelectorAll('#tools-table tr')].map(r => r.innerText.replace(/\\s+/g, ' ').trim()),
                    buckets: document.querySelectorAll('#chart rect.bucket').length, range: document.body.dataset.range,
                    view: document.body.dataset.view, zone: document.getElementById('zone').innerText,
                    chartTitle: document.getElementById('chart-title').innerText, cron: rows('cron'), workspaces: rows('workspaces'),
                    taskTypes: rows('task-types')};""";

    /** Whether the layout fits the window: the page's width, any visible element past the right edge, the sections. */
    private static final String FIT = """
            const w = document.documentElement.clientWidth, outside = [];
            for (const e of document.querySelectorAll('header *, main *')) {
              if (e.closest('svg') && e.tagName !== 'svg') continue;
              const r = e.getBoundingClientRect();
              if (r.width > 0 && (r.right > w + 0.5 || r.left < -0.5)) outside.push((e.id || e.tagName) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
            }
            const sections = [...document.querySelectorAll('main > section')].filter(s => s.id !== 'problem' && s.id !== 'detail');
            const b = document.getElementById('budget-box');
            const inside = (r, box) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
            const chart = document.querySelector('#chart svg').getBoundingClientRect(), labels = document.querySelectorAll('#chart text.xlabel');
            const last = labels[labels.length - 1].getBoundingClientRect();
            const long = [...document.querySelectorAll('#budget .id')].find(e => e.title.length > 60);
            const brokenWords = [];
            // A line may end between words or at punctuation inside one (a path's "/", "=<"); between two letters or digits the word is broken.
            for (const hint of document.querySelectorAll('.todo')) {
              const walk = document.createTreeWalker(hint, NodeFilter.SHOW_TEXT);
              for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                for (const m of n.data.matchAll(/\\S+/g)) {
                  let top = null;
                  for (let i = 0; i < m[0].length; i++) {
                    const r = document.createRange(); r.setStart(n, m.index + i); r.setEnd(n, m.index + i + 1);
                    const t = Math.round(r.getBoundingClientRect().top);
                    if (top !== null && t !== top && /[A-Za-z0-9]{2}/.test(m[0].slice(i - 1, i + 1))) brokenWords.push(m[0] + " at " + i);
                    top = t;
                  }
                }
              }
            }
            const session = [...document.querySelectorAll('#sessions-table button[data-session]')].find(e => e.dataset.session.length > 60);
            const huge = [...document.querySelectorAll('#sessions-table button[data-session]')].find(e => e.dataset.session.length >= 180);
            const sessionsBox = document.getElementById('sessions-table').parentElement;
            const svg = document.querySelector('#chart svg'), scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            const axis = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
            const xl = [...labels].map(t => t.getBoundingClientRect()), overlapping = [];
            for (let i = 1; i < xl.length; i++) if (xl[i].left < xl[i - 1].right) overlapping.push(labels[i - 1].textContent + '/' + labels[i].textContent);
            return {pageWidth: document.documentElement.scrollWidth, outside: outside.slice(0, 10),
                    hugeSession: huge ? {inside: inside(huge.getBoundingClientRect(), huge.closest('td').getBoundingClientRect()),
                                         cut: huge.scrollWidth > huge.clientWidth, title: huge.title} : null,
                    sessionsWhole: sessionsBox.scrollWidth <= sessionsBox.clientWidth, sessionsWidths: [sessionsBox.scrollWidth, sessionsBox.clientWidth],
                    axisFont: Math.min(...axis), overlapping: overlapping,
                    lastLabel: {text: labels[labels.length - 1].textContent, inside: inside(last, chart), left: last.left, right: last.right, chart: chart.right},
                    longId: long ? {title: long.title, inside: inside(long.getBoundingClientRect(), long.closest('td').getBoundingClientRect())} : null,
                    hints: document.querySelectorAll('.todo').length, brokenWords: brokenWords,
                    hintWordBreak: getComputedStyle(document.querySelector('.todo code')).wordBreak,
                    sessionId: session ? {inside: inside(session.getBoundingClientRect(), session.closest('td').getBoundingClientRect()),
                                          cut: session.scrollWidth > session.clientWidth, title: session.title} : null,
                    when: document.getElementById('when').innerText,
                    sections: [...sections, ...document.querySelectorAll('.card')].filter(s => s.getBoundingClientRect().width > 0).length,
                    budgetWhole: b.scrollWidth <= b.clientWidth, budgetWidths: [b.scrollWidth, b.clientWidth],
                    runwayWhole: document.getElementById('runway').parentElement.scrollWidth <= document.getElementById('runway').parentElement.clientWidth};""";

    /** The chart's bars add up to the cost and calls cards, to the micro-dollar. */
    private static void assertChartAgreesWithCards(WebDriver browser) throws Exception {
        JsonNode sums = browser.script("""
                let m = 0, c = 0;
                for (const b of document.querySelectorAll('#chart rect.bucket')) { m += Math.round(Number(b.dataset.cost) * 1e6); c += Number(b.dataset.calls); }
                return {micros: m, calls: c, card: document.getElementById('cost').innerText, cardCalls: document.getElementById('calls').innerText};""");
        String cardCalls = sums.path("cardCalls").asText().replace(",", "");
        assertEquals(Long.parseLong(cardCalls), sums.path("calls").asLong(), "bars and the calls card: " + sums);
        String card = sums.path("card").asText();
        BigDecimal bars = BigDecimal.valueOf(sums.path("micros").asLong(), 6);
        int places = card.length() - card.indexOf('.') - 1;
        assertEquals(card, "$" + bars.setScale(places, java.math.RoundingMode.HALF_UP).toPlainString(),
                "bars and the cost card: " + sums);
    }

    private static void choose(WebDriver browser, String filter, String value) throws Exception {
        String before = browser.script("return document.body.dataset.loaded").asText();
        browser.script("const s = document.getElementById('f-" + filter + "'); s.value = '" + value + "'; "
                + "s.dispatchEvent(new Event('change')); return true;");
        browser.waitFor("return document.body.dataset.loaded !== '" + before + "' && (document.body.dataset.view.includes('"
                + filter + "=" + value + "') === " + !value.isEmpty() + ")", Duration.ofSeconds(20));
    }

    private static Path awaitDownload(Path dir) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (var files = Files.list(dir)) {
                var done = files.filter(f -> f.getFileName().toString().endsWith(".csv")).findFirst();
                if (done.isPresent()) {
                    return done.get();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no CSV was downloaded to " + dir);
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void requireBrowser() {
        boolean ci = "true".equals(System.getenv("CI"));
        if (ci && !WebDriver.available()) {
            throw new AssertionError("CI must have chromium and chromedriver: .ci/run installs them");
        }
        assumeTrue(WebDriver.available(), "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
    }

    private static HttpServer fakeDeepSeek() throws Exception {
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        byte[] balance = Files.readAllBytes(TestSupport.fixtures().resolve("providers/deepseek-user-balance-usd-cny.json"));
        fake.createContext("/ds/user/balance", ex -> {
            try (ex) {
                ex.sendResponseHeaders(200, balance.length);
                ex.getResponseBody().write(balance);
            }
        });
        fake.start();
        return fake;
    }

    /** DeepSeek answers from the fake; OpenAI has no key (its row says how to give it one); a $20 daily cap. */
    private static void writeConfig(Path home, HttpServer fake) throws Exception {
        Files.writeString(home.resolve("runway.yaml"), "hermes_home: " + home + "\nproviders:\n  deepseek: {base_url: http://127.0.0.1:"
                + fake.getAddress().getPort() + "/ds}\n  openai: {probe: false}\n");
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\ntimezone: Etc/UTC\n");
    }

    /** The daemon's clock runs, but from today's noon: "today" and "last 24 h" then hold the same calls at any hour of the run. */
    private static Clock noonToday() {
        Instant noon = java.time.LocalDate.now(java.time.ZoneOffset.UTC).atTime(12, 0).toInstant(java.time.ZoneOffset.UTC);
        return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
    }

    private static void ingest(DaemonHarness d, Instant at, String workspace, String taskType, String usd) throws Exception {
        String key = d.apiKeys().create("dashboard test").secret();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/v1/usage"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"provider\":\"openrouter\",\"model\":\"anthropic/claude-sonnet-4.6\",\"input_tokens\":100,\"output_tokens\":10,"
                                + "\"cost_usd\":" + usd + ",\"workspace\":\"" + workspace + "\",\"task_type\":\"" + taskType
                                + "\",\"timestamp\":\"" + at + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    /** A Hermes home beside {@code home} whose cron/jobs.json names {@code jobs} (id to name), as Hermes writes it. */
    private static Path cronJobs(Path home, Map<String, String> jobs) throws Exception {
        Path hermes = home.resolve("hermes");
        Files.createDirectories(hermes.resolve("cron"));
        StringBuilder json = new StringBuilder("{\"jobs\": [");
        jobs.forEach((id, name) -> json.append(json.length() > 10 ? ", " : "").append("{\"id\": \"").append(id).append("\", \"name\": \"")
                .append(name).append("\", \"schedule\": \"0 3 * * *\"}"));
        Files.writeString(hermes.resolve("cron").resolve("jobs.json"), json.append("]}"));
        return hermes;
    }

    private static boolean contains(JsonNode rows, String text) {
        for (JsonNode r : rows) {
            if (r.asText().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static void record(DaemonHarness d, String id, Instant at, String session, String platform, String provider, String model, String usd) {
        d.plutus().recorder().record(new CallEvent(id, at, session, platform, provider, model, null, new TokenUsage(1000, 200, 0, 0, 0, 0), false, 900,
                new BigDecimal(usd)));
    }

    @Test
    void beyondLoopbackTheDashboardNeedsItsToken(@TempDir Path home) throws Exception {
        EngineConfig config = EngineConfig.builder(new HomeLayout(home)).clock(Clock.systemUTC()).environment(Map.of()).build();
        // 127.0.0.2 is a loopback address to the kernel, but not one the daemon treats as private.
        try (DaemonHarness d = DaemonHarness.on(home, config, new ServeOptions("127.0.0.2", 0, 4))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = d.info().baseUrl();
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/api/summary")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            String token = Files.readString(home.resolve("dashboard.token"), StandardCharsets.UTF_8).strip();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/?token=" + token)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(base + "/api/summary?range=30d"))
                    .header("Cookie", cookie.split(";")[0]).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, api.statusCode());
            assertEquals("month", TestSupport.JSON.readTree(api.body()).path("window").asText());
            assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(base + "/api/summary?range=1y")).header("Cookie", cookie.split(";")[0])
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/api/nothing")).header("Cookie", cookie.split(";")[0])
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
