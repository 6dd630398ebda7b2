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

    @Test
    void dashboardShowsTheStoredNumbersWithNoConsoleErrors(@TempDir Path home, @TempDir Path profile) throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        if (ci && !WebDriver.available()) {
            throw new AssertionError("CI must have chromium and chromedriver: .ci/run installs them");
        }
        assumeTrue(WebDriver.available(), "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        byte[] balance = Files.readAllBytes(TestSupport.fixtures().resolve("providers/deepseek-user-balance-usd-cny.json"));
        fake.createContext("/ds/user/balance", ex -> {
            try (ex) {
                ex.sendResponseHeaders(200, balance.length);
                ex.getResponseBody().write(balance);
            }
        });
        fake.start();
        Files.writeString(home.resolve("runway.yaml"), "providers:\n  deepseek: {base_url: http://127.0.0.1:" + fake.getAddress().getPort() + "/ds}\n");
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 20\n");
        // The daemon's clock runs, but from today's noon: "today" and "last 24 h" then hold the same calls at any hour of the run.
        Instant noon = java.time.LocalDate.now(java.time.ZoneOffset.UTC).atTime(12, 0).toInstant(java.time.ZoneOffset.UTC);
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
        Instant now = clock.instant();
        try (DaemonHarness d = DaemonHarness.in(home).env(Map.of("DEEPSEEK_API_KEY", "sk-test")).clock(clock).start();
             WebDriver browser = new WebDriver(profile)) {
            record(d, "c1", now.minus(Duration.ofHours(1)), "s1", "anthropic", "claude-sonnet-4-6", "3.456789");
            record(d, "c2", now.minus(Duration.ofHours(2)), "s1", "anthropic", "claude-sonnet-4-6", "1.000001");
            record(d, "c3", now.minus(Duration.ofHours(3)), "s2", "deepseek", "deepseek-v4-flash", "0.012345");
            record(d, "c4", now.minus(Duration.ofDays(3)), "s3", "openrouter", "anthropic/claude-sonnet-4.6", "7.5");
            d.plutus().recorder().recordTool(new ToolCall("t1", now.minus(Duration.ofHours(1)), "s1", "terminal", "ok", null, 120));
            d.plutus().recorder().recordTool(new ToolCall("t2", now.minus(Duration.ofHours(1)), "s1", "web_search", "error", "tool_error", 800));

            browser.open(d.info().baseUrl() + "/?range=7d");
            browser.waitFor("return document.body.dataset.loaded >= '1'", Duration.ofSeconds(30));
            JsonNode shown = browser.script("""
                    const rows = id => [...document.querySelectorAll('#' + id + ' tbody tr')].map(r => r.innerText.replace(/\\s+/g, ' ').trim());
                    return {cost: document.getElementById('cost').innerText, calls: document.getElementById('calls').innerText,
                            models: rows('models'), runway: rows('runway'), budget: rows('budget'), sessions: rows('sessions-table'),
                            tools: [...document.querySelectorAll('#tools-table tr')].map(r => r.innerText.replace(/\\s+/g, ' ').trim()),
                            days: document.querySelectorAll('#daily rect').length, range: document.body.dataset.range};""");
            assertEquals("$11.97", shown.path("cost").asText(), "3.456789 + 1.000001 + 0.012345 + 7.5 = 11.969135");
            assertEquals("4", shown.path("calls").asText());
            assertEquals("7d", shown.path("range").asText());
            assertTrue(contains(shown.path("models"), "anthropic claude-sonnet-4-6 2 0") && contains(shown.path("models"), "$4.46"), shown.toString());
            assertTrue(contains(shown.path("models"), "deepseek deepseek-v4-flash 1") && contains(shown.path("models"), "$0.0123"), shown.toString());
            assertTrue(contains(shown.path("runway"), "deepseek $12.50 live"), shown.toString());
            assertTrue(contains(shown.path("budget"), "global daily $4.47 $20.00"), shown.toString());
            assertTrue(contains(shown.path("tools"), "terminal") && contains(shown.path("tools"), "web_search"), shown.toString());
            assertEquals(3, shown.path("sessions").size());
            assertTrue(shown.path("days").asInt() >= 7, "a bar for each day of the range");

            browser.click("button[data-range='24h']");
            browser.waitFor("return document.body.dataset.range === '24h' && document.body.dataset.loaded >= '2'", Duration.ofSeconds(20));
            assertEquals("$4.47", browser.script("return document.getElementById('cost').innerText").asText(), "the 3-day-old call is out");

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

    private static boolean contains(JsonNode rows, String text) {
        for (JsonNode r : rows) {
            if (r.asText().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static void record(DaemonHarness d, String id, Instant at, String session, String provider, String model, String usd) {
        d.plutus().recorder().record(new CallEvent(id, at, session, "cli", provider, model, null, new TokenUsage(1000, 200, 0, 0, 0, 0), false, 900,
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
