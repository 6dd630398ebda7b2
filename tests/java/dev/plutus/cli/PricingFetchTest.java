package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.plutus.TestSupport;
import dev.plutus.cli.PlutusCliTest.Result;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, fetch robustness: {@code setup pricing auto} against a real HTTP server on port 0 whose
 * answers each test sets: bad entries cost only themselves, a bad answer never replaces a good
 * file, the two sources stand on their own, and {@code minimal} removes every fetched layer.
 */
class PricingFetchTest {
    private final AtomicReference<byte[]> openrouter = new AtomicReference<>();
    private final AtomicReference<byte[]> litellm = new AtomicReference<>();
    private HttpServer server;
    private String orUrl;
    private String llUrl;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve("/api/v1/models", openrouter);
        serve("/litellm.json", litellm);
        server.start();
        orUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
        llUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/litellm.json";
    }

    private void serve(String path, AtomicReference<byte[]> body) {
        server.createContext(path, ex -> {
            byte[] b = body.get();
            if (b == null) {
                ex.sendResponseHeaders(503, -1);
            } else {
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Result auto(Path home) {
        return PlutusCliTest.run(home, "setup", "pricing", "auto", "force", "--openrouter-url", orUrl, "--litellm-url", llUrl);
    }

    private static String model(String id, String prompt) {
        return "{\"id\":\"" + id + "\",\"pricing\":{\"prompt\":\"" + prompt + "\",\"completion\":\"0.000002\"}}";
    }

    @Test
    void eachBadOpenRouterEntryIsLeftOutAndNamedAndTheRestIsInForce(@TempDir Path home) throws Exception {
        litellm.set(null);
        openrouter.set(bytes("{\"data\":[" + String.join(",",
                model("acme/one", "0.000001"),
                model("acme/one", "0.000009"),
                model("acme/two\\nthree", "0.000001"),
                "{\"id\":\"acme/huge-tier\",\"pricing\":{\"prompt\":\"0.000001\",\"completion\":\"0.000002\","
                        + "\"overrides\":[{\"min_prompt_tokens\":1000000000000000,\"prompt\":\"0.000002\"}]}}",
                model("acme/words", "cheap"),
                model("acme/four", "0.000003")) + "]}"));
        Result r = auto(home);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("OpenRouter: 2 models now in force (6 in the answer, 4 left out)."), r.out());
        assertTrue(r.out().contains("'acme/words': a prompt or completion price that is no number"), r.out());
        assertTrue(r.out().contains("'openrouter/acme/one': the id is given twice"), r.out());
        assertTrue(r.out().contains("and 1 more (all in plutus.log)"), r.out());
        assertTrue(r.out().contains("LiteLLM: not updated: could not fetch LiteLLM's price map"), r.out());
        assertFalse(r.out().contains("! "), "the file written holds only entries that load: " + r.out());
        String log = Files.readString(home.resolve("plutus.log"));
        assertTrue(log.contains("two\\\\u000athree': the id holds a control character"), log);
        assertTrue(log.contains("huge-tier': tier above_prompt_tokens must be a whole number"), log);
        Result one = PlutusCliTest.run(home, "price", "--provider", "openrouter", "--model", "acme/one", "--input", "1000000", "--json");
        assertEquals("fetched", one.json().get("origin").asText(), one.out());
        assertEquals(0, java.math.BigDecimal.ONE.compareTo(one.json().get("cost_usd").decimalValue()), "the first of the two");
    }

    @Test
    void aBadAnswerNeverReplacesTheFileInForce(@TempDir Path home) throws Exception {
        openrouter.set(Files.readAllBytes(TestSupport.fixtures().resolve("pricing/openrouter-models.json")));
        litellm.set(null);
        Result first = auto(home);
        assertTrue(first.out().contains("OpenRouter: 400 models now in force ("), first.out());
        Path file = home.resolve("pricing.fetched.yaml");
        byte[] good = Files.readAllBytes(file);

        openrouter.set(bytes("{\"data\":[]}"));
        Result empty = auto(home);
        assertTrue(empty.err().matches("(?s).*OpenRouter: not updated: the answer from http://127\\.0\\.0\\.1:\\d+\\S* lists no models; the 400"
                + " models fetched earlier stay in force\\..*"), empty.err());
        assertTrue(empty.err().contains("Nothing was updated"), empty.err());
        assertEquals(1, empty.exit(), "no source in force: a non-zero exit");
        assertEquals(new String(good, StandardCharsets.UTF_8), Files.readString(file));

        StringBuilder few = new StringBuilder("{\"data\":[");
        for (int i = 0; i < 150; i++) {
            few.append(i == 0 ? "" : ",").append(model("acme/m" + i, "0.000001"));
        }
        openrouter.set(bytes(few + "]}"));
        Result shrunk = auto(home);
        assertTrue(shrunk.err().matches("(?s).*the answer from http://127\\.0\\.0\\.1:\\d+\\S* has 150 usable models where the table in force"
                + " has 400 \\(less than half\\).*"),
                shrunk.err());
        assertEquals(new String(good, StandardCharsets.UTF_8), Files.readString(file));

        openrouter.set(bytes("<html>maintenance</html>"));
        Result garbage = auto(home);
        assertTrue(garbage.err().contains("OpenRouter: not updated: could not fetch prices from OpenRouter"), garbage.err());
        assertEquals(new String(good, StandardCharsets.UTF_8), Files.readString(file));
        assertEquals(400, PlutusCliTest.run(home, "setup", "--json").json().get("fetched_prices").asInt());
    }

    @Test
    void theSourcesAreIndependentAndMinimalRemovesEveryFetchedLayer(@TempDir Path home) throws Exception {
        openrouter.set(null);
        litellm.set(bytes("""
                {"brand-new-model": {"litellm_provider": "openai", "mode": "chat",
                   "input_cost_per_token": 0.000001, "output_cost_per_token": 0.000002},
                 "claude-fresh-9": {"litellm_provider": "anthropic", "mode": "chat",
                   "input_cost_per_token": 0.000003, "output_cost_per_token": 0.000015,
                   "cache_read_input_token_cost": 0.0000003, "cache_creation_input_token_cost": 0.00000375,
                   "cache_creation_input_token_cost_above_1hr": 0.000009},
                 "claude-3-haiku-20240307": {"litellm_provider": "anthropic", "mode": "chat",
                   "input_cost_per_token": 0.00000025, "output_cost_per_token": 0.00000125,
                   "cache_read_input_token_cost": 0.00000003, "cache_creation_input_token_cost": 0.0000003,
                   "cache_creation_input_token_cost_above_1hr": 0.000006},
                 "weird-tier": {"litellm_provider": "openai", "mode": "chat",
                   "input_cost_per_token": 0.000001, "output_cost_per_token": 0.000002,
                   "input_cost_per_token_above_99999999999999999999k_tokens": 0.000002}}"""));
        Result r = auto(home);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("OpenRouter: not updated: could not fetch prices from OpenRouter"), r.out());
        assertTrue(r.out().contains("the shipped copy stays in force"), r.out());
        assertTrue(r.out().contains("LiteLLM: 3 models now in force (4 in the answer, 1 left out)."), r.out());
        assertTrue(r.out().contains("'weird-tier': unreadable") || r.out().contains("weird-tier: unreadable"), r.out());
        // The fetched LiteLLM layer is checked like the shipped one: warnings, and the curated entry still prices its model.
        assertTrue(r.out().contains("warning: 2 price rule(s) broken"), r.out());
        assertTrue(r.out().contains("claude-fresh-9: cache_write_1h is 9, expected 6"), r.out());
        assertTrue(r.out().contains("claude-3-haiku-20240307: cache_write_1h is 6, expected 0.5 (Anthropic's 1-hour cache write = 2"
                + " × input 0.25) (the curated entry prices this model)"), r.out());
        assertTrue(Files.readString(home.resolve("plutus.log")).contains("claude-fresh-9: cache_write_1h is 9"));
        assertEquals("litellm_fetched", PlutusCliTest.run(home, "price", "--provider", "openai", "--model", "brand-new-model",
                "--input", "1", "--json").json().get("origin").asText());
        assertEquals("builtin", PlutusCliTest.run(home, "price", "--provider", "anthropic", "--model", "claude-3-haiku-20240307",
                "--input", "1", "--json").json().get("origin").asText());

        openrouter.set(Files.readAllBytes(TestSupport.fixtures().resolve("pricing/openrouter-models.json")));
        litellm.set(null);
        Result second = auto(home);
        assertTrue(second.out().contains("OpenRouter: 400 models now in force"), second.out());
        assertTrue(second.out().contains("LiteLLM: not updated: could not fetch LiteLLM's price map"), second.out());
        assertTrue(second.out().contains("the 3 models fetched earlier stay in force"), second.out());

        Result minimal = PlutusCliTest.run(home, "setup", "pricing", "minimal");
        assertTrue(minimal.out().contains("Removed the fetched prices (pricing.fetched.yaml, pricing.litellm.yaml)."), minimal.out());
        assertFalse(Files.exists(home.resolve("pricing.fetched.yaml")));
        assertFalse(Files.exists(home.resolve("pricing.litellm.yaml")));
        Result gone = PlutusCliTest.run(home, "price", "--provider", "openai", "--model", "brand-new-model", "--input", "1", "--json");
        assertFalse(gone.json().get("priced").asBoolean(), gone.out());
    }

    @Test
    void anUnpricedModelListsEveryLayerConsultedInOrder(@TempDir Path home) {
        Result r = PlutusCliTest.run(home, "price", "--model", "no-such-model-anywhere", "--explain");
        assertTrue(r.out().contains("tried, in order: user (0), openrouter (0), openrouter-shipped (400), curated ("), r.out());
        assertTrue(r.out().matches("(?s).*curated \\(\\d+\\), litellm-fetched \\(0\\), litellm \\(\\d{4}\\)\\).*"), r.out());
    }

    private Result autoNotForced(Path home) {
        return PlutusCliTest.run(home, "setup", "pricing", "auto", "--openrouter-url", orUrl, "--litellm-url", llUrl);
    }

    @Test
    void aRefusedSourceClaimsNoFetchIsRetriedAtOnceAndAllFailingExitsNonZero(@TempDir Path home) throws Exception {
        // Both fail: nothing new is in force, and the command says so with a non-zero exit.
        openrouter.set(null);
        litellm.set(null);
        Result none = autoNotForced(home);
        assertEquals(1, none.exit(), none.out() + none.err());
        assertTrue((none.out() + none.err()).contains("OpenRouter: not updated"), none.out() + none.err());
        // LiteLLM answers, OpenRouter still fails: exit 0, and the failed source is named.
        litellm.set(Files.readAllBytes(Path.of("tests/fixtures/pricing/litellm-model-prices.json")));
        Result one = autoNotForced(home);
        assertEquals(0, one.exit(), one.out() + one.err());
        assertTrue(one.out().contains("Failed: OpenRouter"), one.out());
        // Every layer is counted, the 400 shipped OpenRouter models among them.
        assertTrue(one.out().matches("(?s).*Layers: 0 of yours in pricing\\.yaml \\(always win\\), 0 fetched from OpenRouter, "
                + "400 shipped from OpenRouter, \\d+ curated, \\d{4} fetched from LiteLLM, \\d{4} shipped from LiteLLM\\..*"), one.out());
        // The refused OpenRouter answer set no time: the next run (not forced) tries it again at once,
        // and never says OpenRouter prices were fetched.
        openrouter.set(bytes("{\"data\":[" + model("acme/one", "0.000001") + "," + model("acme/two", "0.000001") + "]}"));
        Result retry = autoNotForced(home);
        assertEquals(0, retry.exit(), retry.out() + retry.err());
        assertTrue(retry.out().contains("OpenRouter: 2 models now in force"), retry.out());
        assertTrue(retry.out().contains("LiteLLM: fetched less than a day ago"), retry.out());
        Result notDue = autoNotForced(home);
        assertTrue(notDue.out().contains("Prices were fetched from OpenRouter at "), notDue.out());
    }
}
