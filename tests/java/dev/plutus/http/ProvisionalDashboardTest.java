package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.core.CallEvent;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, point 5: spend counted at provisional prices is marked in the dashboard's JSON and, in a
 * real browser where one is installed, on the page itself.
 */
@org.junit.jupiter.api.Tag("store")
class ProvisionalDashboardTest {

    @Test
    void provisionalSpendIsMarkedInTheDashboardJsonAndPage(@TempDir Path home, @TempDir Path profile) throws Exception {
        Instant noon = java.time.LocalDate.now(java.time.ZoneOffset.UTC).atTime(12, 0).toInstant(java.time.ZoneOffset.UTC);
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets:\n  global:\n    daily_usd: 1\n").clock(clock).start()) {
            Instant at = clock.instant().minus(Duration.ofMinutes(5));
            d.plutus().recorder().record(new CallEvent("p1", at, "s1", "cli", "acme", "mystery-1", null,
                    new TokenUsage(0, 1_000_000, 0, 0, 0, 0), false, 900, null));
            d.plutus().recorder().record(new CallEvent("p2", at, "s1", "cli", "anthropic", "claude-sonnet-4-6", null,
                    new TokenUsage(1000, 200, 0, 0, 0, 0), false, 900, new BigDecimal("0.5")));

            JsonNode usage = json(d, "/api/summary").path("usage");
            assertEquals(1, usage.path("provisional_calls").asLong(), usage.toString());
            assertEquals(0, new BigDecimal("75").compareTo(usage.path("provisional_usd").decimalValue()), usage.toString());
            assertEquals(0, new BigDecimal("75.5").compareTo(usage.path("cost_usd").decimalValue()), usage.toString());
            JsonNode models = json(d, "/api/models").path("models");
            for (JsonNode m : models) {
                assertEquals(m.path("model").asText().equals("mystery-1") ? 1 : 0, m.path("provisional_calls").asLong(), m.toString());
            }
            JsonNode scope = json(d, "/api/budget").path("scopes").get(0);
            assertEquals("hard", scope.path("level").asText(), scope.toString());
            assertEquals(0, new BigDecimal("75").compareTo(scope.path("provisional_usd").decimalValue()), scope.toString());

            if (!WebDriver.available()) {
                return;
            }
            try (WebDriver browser = new WebDriver(profile)) {
                browser.open(d.info().baseUrl() + "/");
                browser.waitFor("return document.body.dataset.loaded >= '1'", Duration.ofSeconds(30));
                JsonNode shown = browser.script("""
                        const rows = id => [...document.querySelectorAll('#' + id + ' tbody tr')].map(r => r.innerText.replace(/\\s+/g, ' ').trim());
                        return {costSub: document.getElementById('cost-sub').innerText, models: rows('models'), budget: rows('budget')};""");
                assertTrue(shown.path("costSub").asText().contains("provisional"), shown.toString());
                assertTrue(shown.path("costSub").asText().contains("$75.00 of it for 1 call(s)"), shown.toString());
                assertTrue(any(shown.path("models"), "mystery-1", "$75.00 provisional"), shown.toString());
                assertTrue(any(shown.path("models"), "claude-sonnet-4-6", "$0.50") && !any(shown.path("models"), "claude-sonnet-4-6", "provisional"),
                        shown.toString());
                assertTrue(any(shown.path("budget"), "global daily", "$75.50 provisional"), shown.toString());
                browser.screenshot(DashboardBrowserTest.ARTIFACTS.resolve("provisional.png"));
            }
        }
    }

    private static JsonNode json(DaemonHarness d, String path) throws Exception {
        var r = d.get(path, d.readToken());
        assertEquals(200, r.statusCode(), r.body());
        return TestSupport.JSON.readTree(r.body());
    }

    private static boolean any(JsonNode rows, String a, String b) {
        for (JsonNode r : rows) {
            if (r.asText().contains(a) && r.asText().contains(b)) {
                return true;
            }
        }
        return false;
    }
}
