package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.plutus.cli.PlutusCliTest.Result;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the price commands say (issue 17, price17d): every failed fetch names its source, URL and
 * reason (never "null"), /setup shows each source's fetch time, and --explain names a dated
 * change's date and the price before, and the host and maker of a maker-price fallback.
 */
class PricingFetchWordsTest {
    private final AtomicReference<byte[]> body = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] b = body.get();
            ex.sendResponseHeaders(status.get(), b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void everyFailedFetchNamesTheSourceTheUrlAndWhy(@TempDir Path home) throws Exception {
        String refused = "http://127.0.0.1:" + closedPort();
        String[][] cases = {
            {"500", "", "HTTP 500"},
            {"200", "", "the answer is empty"},
            {"200", "<html>busy</html>", "not valid JSON"},
            {"200", "[1,2]", "no 'data' array"},
        };
        for (String[] c : cases) {
            status.set(Integer.parseInt(c[0]));
            body.set(c[1].getBytes(StandardCharsets.UTF_8));
            Result r = PlutusCliTest.run(home, "setup", "pricing", "auto", "force", "--openrouter-url", base + "/api/v1",
                    "--litellm-url", base + "/litellm.json");
            String all = r.out() + r.err();
            // Jackson's own text may quote the JSON token 'null'; a bare null is a lost reason.
            assertFalse(all.matches("(?s).*(?<!')\\bnull\\b(?!').*"), all);
            assertTrue(all.contains("OpenRouter") && all.contains(base + "/api/v1"), all);
            assertTrue(all.contains("LiteLLM") && all.contains(base + "/litellm.json"), all);
            assertTrue(all.contains(c[2]), c[2] + " in " + all);
        }
        Result r = PlutusCliTest.run(home, "setup", "pricing", "auto", "force", "--openrouter-url", refused + "/api/v1",
                "--litellm-url", refused + "/litellm.json");
        String all = r.out() + r.err();
        assertEquals(1, r.exit(), all);
        assertFalse(all.matches("(?s).*(?<!')\\bnull\\b(?!').*"), all);
        assertTrue(all.contains("could not fetch prices from OpenRouter (" + refused + "/api/v1): connection refused"), all);
        assertTrue(all.contains("could not fetch LiteLLM's price map (" + refused + "/litellm.json): connection refused"), all);
    }

    @Test
    void setupShowsTheFetchTimeOfEachSource(@TempDir Path home) throws Exception {
        status.set(200);
        body.set(Files.readAllBytes(Path.of("tests/fixtures/pricing/litellm-model-prices.json")));
        // OpenRouter fails (the map is no model list), LiteLLM is fetched.
        Result fetch = PlutusCliTest.run(home, "setup", "pricing", "auto", "force", "--openrouter-url", base + "/api/v1",
                "--litellm-url", base + "/litellm.json");
        assertEquals(0, fetch.exit(), fetch.out() + fetch.err());
        Result setup = PlutusCliTest.run(home, "setup");
        assertTrue(setup.out().matches("(?s).*Fetched     : OpenRouter none\n\\s+LiteLLM 2352 models, at 20\\d\\d-\\d\\d-\\d\\dT.*"),
                setup.out());
        Result json = PlutusCliTest.run(home, "setup", "--json");
        assertTrue(json.json().get("litellm_fetched_at").asText().startsWith("20"), json.out());
        assertTrue(json.json().get("openrouter_fetched_at").isNull(), json.out());
    }

    @Test
    void explainNamesADatedChangeAndThePriceBeforeIt(@TempDir Path home) throws Exception {
        Result r = PlutusCliTest.run(home, "price", "--provider", "deepseek", "--model", "deepseek-v4-pro", "--output", "1000000",
                "--at", "2026-09-02T06:00:00Z", "--explain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("changed    : on 2026-08-31T16:00:00Z; before that (from its first price): input 0.435,"
                + " output 0.87, cache_read 0.003625, cache_write 0.435"), r.out());
        var j = PlutusCliTest.run(home, "price", "--provider", "deepseek", "--model", "deepseek-v4-pro", "--output", "1000000",
                "--at", "2026-09-02T06:00:00Z", "--explain", "--json").json();
        assertEquals("2026-08-31T16:00:00Z", j.get("explain").get("changed_on").asText());
        assertEquals("0.87", j.get("explain").get("price_before").get("output").asText());
    }

    /** A user entry's earlier period is shown with the classes it inherited, as calls then were billed, not defaults. */
    @Test
    void thePriceBeforeADatedUserChangeIsThePriceThenCharged(@TempDir Path home) throws Exception {
        java.nio.file.Files.writeString(home.resolve("pricing.yaml"), """
                schema: 1
                models:
                  gpt-5:
                    provider: openai
                    input: 2.5
                    output: 10
                    effective_from: 2026-12-10T00:00:00Z
                    changes:
                      - from: 2027-01-01T00:00:00Z
                        input: 3
                        output: 12
                """);
        var then = PlutusCliTest.run(home, "price", "--provider", "openai", "--model", "gpt-5", "--cache-write", "1000000",
                "--cache-read", "1000000", "--at", "2026-12-15T12:00:00Z", "--json").json();
        var j = PlutusCliTest.run(home, "price", "--provider", "openai", "--model", "gpt-5", "--output", "1000000",
                "--at", "2027-01-02T12:00:00Z", "--explain", "--json").json();
        var before = j.get("explain").get("price_before");
        assertEquals("2.5", before.get("input").asText());
        java.math.BigDecimal shown = before.get("cache_write").decimalValue().add(before.get("cache_read").decimalValue());
        assertEquals(0, shown.compareTo(then.get("cost_usd").decimalValue()),
                "the cache prices shown before the change are the ones a call then paid: " + before + " vs " + then);
    }

    @Test
    void aMakerPriceFallbackNamesTheHostAndTheMaker(@TempDir Path home) {
        Result r = PlutusCliTest.run(home, "price", "--provider", "openrouter", "--model", "openai/gpt-4o-search-preview-2025-03-11",
                "--input", "1000", "--explain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("no openrouter price for 'openai/gpt-4o-search-preview-2025-03-11' in any layer; openai's list price"),
                r.out());
        assertTrue(r.out().contains("add openrouter's price to pricing.yaml"), r.out());
    }
}
