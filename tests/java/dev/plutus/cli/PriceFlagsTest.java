package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.cli.PlutusCliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, tester 17d: inherited reasoning on an image model, and a maker price billed in an estimated class. */
class PriceFlagsTest {

    @Test
    void aUserImageModelEntryInheritsReasoningAtItsTextOutputPrice(@TempDir Path home) throws Exception {
        Files.createDirectories(home);
        // The lower entry (OpenRouter's) bills output at the image-token price 30 and keeps the text price 2.5 as reasoning.
        Files.writeString(home.resolve("pricing.yaml"), "models:\n  gemini-2.5-flash-image: {input: 0.3, output: 2.5}\n");
        Result r = PlutusCliTest.run(home, "price", "--provider", "openrouter", "--model", "google/gemini-2.5-flash-image",
                "--output", "1000000", "--reasoning", "1000000", "--json");
        JsonNode j = r.json();
        assertEquals("user", j.get("layer").asText(), r.out());
        // 1M reasoning tokens at the text price 2.5, never 2.5 / 30 x 2.5 = 0.2083...
        assertEquals(0, new java.math.BigDecimal("2.5").compareTo(new java.math.BigDecimal(j.get("cost_usd").asText())), r.out());
    }

    @Test
    void aMakerPriceBilledInAnEstimatedClassKeepsBothFlags(@TempDir Path home) throws Exception {
        String[] call = {"price", "--provider", "openrouter", "--model", "deepseek/deepseek-v4-pro", "--input", "1000000",
            "--output", "1000", "--at", "2026-09-01T17:00:00Z"};
        Result r = PlutusCliTest.run(home, append(call, "--json"));
        JsonNode j = r.json();
        assertTrue(j.get("maker_price_fallback").asBoolean(), r.out());
        assertTrue(j.get("price_estimated").asBoolean(), r.out());
        assertTrue(j.get("price_flag").asText().contains("price from maker") && j.get("price_flag").asText().contains("price estimated"),
                r.out());
        Result text = PlutusCliTest.run(home, call);
        assertTrue(text.out().contains("flagged    : price from maker") && text.out().contains("price estimated"), text.out());
    }

    @Test
    void aCustomEndpointIsPricedByTheHostItsIdNamesElseFlaggedAsTheMakersPrice(@TempDir Path home) throws Exception {
        Result fireworks = PlutusCliTest.run(home, "price", "--provider", "custom", "--model",
                "accounts/fireworks/models/deepseek-v4-pro", "--input", "1000000", "--json");
        assertTrue(fireworks.json().get("price_entry").asText().startsWith("fireworks_ai/"), fireworks.out());
        assertEquals(false, fireworks.json().get("maker_price_fallback").asBoolean(), fireworks.out());
        Result maker = PlutusCliTest.run(home, "price", "--provider", "custom", "--model", "claude-sonnet-4-6",
                "--input", "1000000", "--json");
        assertTrue(maker.json().get("priced").asBoolean(), maker.out());
        assertTrue(maker.json().get("maker_price_fallback").asBoolean(), maker.out());
    }

    @Test
    void anOpenRouterIdWithNoProviderIsPricedAsThroughOpenRouter(@TempDir Path home) throws Exception {
        Result none = PlutusCliTest.run(home, "price", "--model", "openrouter/openai/gpt-4o-search-preview-2025-03-11",
                "--input", "1000", "--json");
        Result via = PlutusCliTest.run(home, "price", "--provider", "openrouter", "--model", "openai/gpt-4o-search-preview-2025-03-11",
                "--input", "1000", "--json");
        assertTrue(via.json().get("maker_price_fallback").asBoolean(), via.out());
        assertTrue(none.json().get("maker_price_fallback").asBoolean(), none.out());
    }

    private static String[] append(String[] a, String s) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = s;
        return out;
    }
}
