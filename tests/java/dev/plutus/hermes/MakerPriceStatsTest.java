package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import dev.plutus.TestSupport.MutableClock;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17: a call priced at the maker's list price for want of the host's is shown apart in /stats. */
@Tag("store")
class MakerPriceStatsTest {
    private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
    private static final String SESSION = "20261124_101500_a1b2c3";

    private static ObjectNode call(String provider, String model, long output, String requestId) throws IOException {
        ObjectNode k = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        k.put("session_id", SESSION).put("task_id", SESSION).put("provider", provider).put("model", model)
                .put("response_model", model).put("api_request_id", requestId);
        for (JsonNode usage : new JsonNode[] {k.get("usage"), k.get("response").get("usage")}) {
            ((ObjectNode) usage).put("input_tokens", 0).put("output_tokens", output).put("cache_read_tokens", 0)
                    .put("cache_write_tokens", 0).put("prompt_tokens", 0).put("total_tokens", output);
        }
        ((ObjectNode) k.get("response")).put("model", model);
        return k;
    }

    @Test
    void makerPricedCallsAreCountedAndCostedApartWithAHint(@TempDir Path home) throws Exception {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            // Fireworks lists no Claude: the maker's price stands in, flagged.
            p.hooks().dispatch("post_api_request", call("fireworks", "claude-opus-4-7", 1_000_000, "r1"));
            p.hooks().dispatch("post_api_request", call("anthropic", "claude-opus-4-7", 1_000_000, "r2"));
            var models = p.commands().run("stats", "models");
            assertTrue(models.text().contains("1 call(s), $25.00, were priced at a flagged price"), models.text());
            assertTrue(models.text().matches("(?s).*fireworks\\s+claude-opus-4-7\\s+1\\s+\\$25\\.00\\s+price from maker.*"), models.text());
            assertTrue(models.text().contains("add its price to pricing.yaml"), models.text());
            JsonNode fallback = models.json().path("maker_price_fallback");
            assertEquals(1, fallback.path("calls").asLong(), models.json().toString());
            assertEquals(0, new BigDecimal("25").compareTo(fallback.path("cost_usd").decimalValue()));
            assertEquals("fireworks", fallback.path("models").path(0).path("provider").asText());

            var summary = p.commands().run("stats", "");
            assertTrue(summary.text().contains("1 call(s) ($25.00): 1 price from maker"), summary.text());
            assertEquals(1, summary.json().path("maker_price_fallback").path("calls").asLong());
        }
    }

    @Test
    void regionAndVariantStandInsAreCountedWithTheirReason(@TempDir Path home) throws Exception {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            // No layer lists an 'apac.' Opus 4.7: the global Bedrock price stands in.
            p.hooks().dispatch("post_api_request", call("bedrock", "apac.anthropic.claude-opus-4-7", 1_000_000, "r1"));
            // No layer lists ':nitro' of GLM 4.6: the base model's price stands in.
            p.hooks().dispatch("post_api_request", call("openrouter", "z-ai/glm-4.6:nitro", 1_000_000, "r2"));
            p.hooks().dispatch("post_api_request", call("fireworks", "claude-opus-4-7", 1_000_000, "r3"));
            var models = p.commands().run("stats", "models");
            assertTrue(models.text().contains("3 call(s)"), models.text());
            assertTrue(models.text().matches("(?s).*bedrock\\s+apac\\.anthropic\\.claude-opus-4-7\\s+1\\s+\\S+\\s+price estimated: the global price.*"),
                    models.text());
            assertTrue(models.text().matches("(?s).*openrouter\\s+z-ai/glm-4\\.6:nitro\\s+1\\s+\\S+\\s+price estimated: the base model's price.*"),
                    models.text());
            JsonNode flagged = models.json().path("flagged_price");
            assertEquals(3, flagged.path("calls").asLong(), models.json().toString());
            assertEquals(1, models.json().path("maker_price_fallback").path("calls").asLong());
            var summary = p.commands().run("stats", "");
            assertTrue(summary.text().contains("3 call(s)"), summary.text());
            assertTrue(summary.text().contains("1 price from maker"), summary.text());
            assertTrue(summary.text().contains("1 price estimated: the global price"), summary.text());
        }
    }

    @Test
    void noMakerPricedCallsNoLine(@TempDir Path home) throws Exception {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            p.hooks().dispatch("post_api_request", call("anthropic", "claude-opus-4-7", 1_000, "r1"));
            assertFalse(p.commands().run("stats", "models").text().contains("flagged price"));
            assertEquals(0, p.commands().run("stats", "").json().path("maker_price_fallback").path("calls").asLong());
        }
    }
}
