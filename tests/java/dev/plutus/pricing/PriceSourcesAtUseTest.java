package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.plutus.pricing.PriceLayerFixture.LITELLM_FIXTURE;
import static dev.plutus.pricing.PriceLayerFixture.NOW;
import static dev.plutus.pricing.PriceLayerFixture.OPENROUTER_FIXTURE;
import static dev.plutus.pricing.PriceLayerFixture.assertUsd;
import static dev.plutus.pricing.PriceLayerFixture.shipped;

import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the price sources say, used as they mean it (issue 17, price17d): image output tokens at
 * the image price, search fees on every id of a search model, a curated dated change over a copy
 * recorded before it, price rules applied to the machine-written layers at use, a 0 that is no
 * price, and an unlisted {@code :thinking} flagged.
 */
class PriceSourcesAtUseTest {
    private static LiteLlmCatalog.Conversion convertFixture() throws Exception {
        return LiteLlmCatalog.convert(Files.readString(LITELLM_FIXTURE), "2026-07-24", PriceOrigin.LITELLM);
    }

    private static Map<String, PriceEntry> byKey(List<PriceEntry> entries) {
        Map<String, PriceEntry> out = new java.util.HashMap<>();
        entries.forEach(e -> out.put(e.key(), e));
        return out;
    }

    @Test
    void anImageModelWithTextAndImageOutputPricesBillsOutputAtTheImagePriceFlagged() throws Exception {
        Map<String, PriceEntry> litellm = byKey(convertFixture().entries());
        PriceEntry flash = litellm.get("gemini/gemini-2.5-flash-image");
        assertUsd("30", flash.output());
        assertUsd("2.5", flash.reasoning());
        assertEquals(java.util.Set.of("output"), flash.estimated());
        PriceEntry gptImage = litellm.get("gpt-image-1.5");
        assertUsd("32", gptImage.output());
        // OpenRouter: the same for completion + image_output.
        Map<String, PriceEntry> or = byKey(OpenRouterCatalog.parse(Files.readString(OPENROUTER_FIXTURE), "2026-08-08"));
        assertUsd("40", or.get("openrouter/openai/gpt-5-image").output());
        assertTrue(or.get("openrouter/openai/gpt-5-image").estimated().contains("output"));
        // The shipped layers carry it, and a call is priced there and flagged.
        PricingEngine e = shipped(PriceTable.empty());
        CallCost c = e.price("gemini", "gemini-2.5-flash-image", null, new TokenUsage(1000, 1290, 0, 0, 0, 0));
        // 1,000 input at 0.30 and 1,290 output tokens (one image) at the image price 30, not the text 2.50.
        assertUsd("0.039", c.exactUsd());
        assertTrue(c.makerFallback(), "flagged");
        assertEquals(CallCost.ESTIMATED_PRICE_MARK, c.estimateMark());
        CallCost viaOpenRouter = e.price("openrouter", "openai/gpt-5-image", null, new TokenUsage(0, 1_000_000, 0, 0, 0, 0));
        assertUsd("40", viaOpenRouter.exactUsd());
        assertTrue(viaOpenRouter.makerFallback(), "flagged");
        // Reasoning tokens are text: the text output price.
        CallCost thinking = e.price("openrouter", "google/gemini-2.5-flash-image", null, new TokenUsage(0, 1_000_000, 0, 0, 0, 1_000_000));
        assertUsd("2.5", thinking.exactUsd());
        // Never an image token below its price: every converted entry with an image token price bills output at least at it.
        int checked = 0;
        var map = dev.plutus.core.Json.MAPPER.readTree(Files.readString(LITELLM_FIXTURE));
        for (var it = map.fields(); it.hasNext();) {
            var f = it.next();
            double image = f.getValue().path("output_cost_per_image_token").asDouble(0);
            if (image > 0 && litellm.containsKey(f.getKey())) {
                assertTrue(litellm.get(f.getKey()).output().compareTo(BigDecimal.valueOf(image).movePointRight(6)) >= 0, f.getKey());
                checked++;
            }
        }
        assertTrue(checked >= 30, "checked " + checked);
        // --explain names the estimate.
        PriceExplanation x = e.explain("gemini", "gemini-2.5-flash-image", null, TokenUsage.of(1, 1), NOW.instant(), 0);
        assertTrue(x.source().contains("ESTIMATE"), x.source());
        assertTrue(x.resolution().pricesAt(NOW.instant()).estimated().contains("output"));
    }

    @Test
    void theImageEstimateSurvivesTheJsonLayerFile() {
        PriceEntry e = new PriceEntry("acme/painter", "acme", BigDecimal.ONE, new BigDecimal("30"), new BigDecimal("0.1"),
                new BigDecimal("1.25"), new BigDecimal("1.25"), new BigDecimal("2"), List.of(), List.of(), false, "s", "2026-07-24",
                PriceOrigin.LITELLM, null, null, null, List.of(), List.of(), java.util.Set.of(), null, java.util.Set.of("output"));
        PriceLayerFile.Loaded back = PriceLayerFile.read(PriceLayerFile.write(List.of(e), List.of()), "t.json", PriceOrigin.LITELLM);
        assertEquals(java.util.Set.of("output"), back.table().find("acme/painter").orElseThrow().estimated());
        PriceLayerFile.Loaded bad = PriceLayerFile.read("{\"schema\":1,\"models\":{\"x\":{\"input\":1,\"output\":1,\"estimated\":[\"colour\"]}}}",
                "t.json", PriceOrigin.LITELLM);
        assertEquals(0, bad.table().size());
        assertTrue(bad.skipped().get(0).contains("colour"), bad.skipped().toString());
    }

    @Test
    void everyIdOfASearchModelPaysItsSearchFee() throws Exception {
        Map<String, PriceEntry> litellm = byKey(convertFixture().entries());
        assertUsd("0.035", litellm.get("gpt-4o-search-preview-2025-03-11").perRequest());
        assertUsd("0.0275", litellm.get("gpt-4o-mini-search-preview-2025-03-11").perRequest());
        assertUsd("0.005", litellm.get("vercel_ai_gateway/perplexity/sonar").perRequest());
        PricingEngine e = shipped(PriceTable.empty());
        for (String[] call : new String[][] {{"openai-api", "gpt-4o-search-preview-2025-03-11"},
                {"openai-api", "openai/gpt-4o-search-preview-2025-03-11"}, {"openrouter", "openai/gpt-4o-search-preview-2025-03-11"},
                {"openai-api", "gpt-4o-search-preview"}}) {
            CallCost c = e.price(call[0], call[1], null, new TokenUsage(0, 0, 0, 0, 0, 0));
            assertUsd("0.035", c.exactUsd());
        }
        CallCost mini = e.price("openai-api", "gpt-4o-mini-search-preview-2025-03-11", null, new TokenUsage(0, 0, 0, 0, 0, 0));
        assertUsd("0.0275", mini.exactUsd());
    }

    @Test
    void aCuratedDatedChangeBeatsAnOpenRouterPriceRecordedBeforeIt() {
        PricingEngine e = shipped(PriceTable.empty());
        TokenUsage usage = new TokenUsage(0, 1_000_000, 0, 0, 0, 0);
        // 2026-09-01T00:00+08:00 is 2026-08-31T16:00Z: one second before, the recorded promotion.
        Instant before = Instant.parse("2026-08-31T15:59:59Z");
        Instant after = Instant.parse("2026-08-31T16:00:00Z");
        Instant peak = Instant.parse("2026-09-02T06:00:00Z");
        for (String[] call : new String[][] {{"openrouter", "deepseek/deepseek-v4-pro"}, {"openrouter", "openrouter/deepseek/deepseek-v4-pro"},
                {null, "openrouter/deepseek/deepseek-v4-pro"}}) {
            assertUsd("0.87", e.price(call[0], call[1], null, usage, before, 0).exactUsd());
            // 16:00Z is 00:00 Beijing, before the off-peak window: the standard price.
            CallCost changed = e.price(call[0], call[1], null, usage, after, 0);
            assertUsd("3.96", changed.exactUsd());
            assertEquals("deepseek-v4-pro", changed.entryKey());
            assertUsd("3.96", e.price(call[0], call[1], null, usage, peak, 0).exactUsd());
        }
        PriceResolution r = e.chosen("openrouter", "deepseek/deepseek-v4-pro", null, after).orElseThrow();
        assertTrue(r.rule().contains("changed its price on 2026-08-31T16:00:00Z"), r.rule());
        assertTrue(r.rule().contains("openrouter-shipped"), r.rule());
        // A host's own price is the host's: Fireworks keeps its own.
        assertUsd("3.48", e.price("fireworks", "deepseek-v4-pro", null, usage, peak, 0).exactUsd());
        // A host price recorded after the change holds.
        PriceTable fetched = PriceTable.of(List.of(new PriceEntry("openrouter/deepseek/deepseek-v4-pro", "openrouter", new BigDecimal("1.5"),
                new BigDecimal("3"), new BigDecimal("0.01"), new BigDecimal("1.5"), new BigDecimal("1.5"), null, List.of(), List.of(), false,
                "openrouter /api/v1/models", "2026-09-05", PriceOrigin.FETCHED)), "t");
        PricingEngine withFetch = PricingEngine.of(PriceTable.empty(), fetched, PricingEngine.openrouterTable(),
                PricingEngine.builtinTable(), PriceTable.empty(), PricingEngine.litellmTable(), NOW);
        assertUsd("3", withFetch.price("openrouter", "deepseek/deepseek-v4-pro", null, usage, peak, 0).exactUsd());
    }

    @Test
    void aMachineLayerEntryBreakingAPriceRuleIsPricedByTheRuleAndExplainSaysSo() {
        PriceEntry broken = new PriceEntry("openrouter/anthropic/claude-acme-4", "openrouter", new BigDecimal("3"), new BigDecimal("15"),
                new BigDecimal("3"), new BigDecimal("3"), new BigDecimal("3"), null, List.of(), List.of(), false, "fetched",
                "2026-11-20", PriceOrigin.FETCHED);
        PriceEntry dearRead = new PriceEntry("openrouter/acme/chat", "openrouter", new BigDecimal("1"), new BigDecimal("2"),
                new BigDecimal("1.5"), new BigDecimal("1"), new BigDecimal("1"), null, List.of(), List.of(), false, "fetched",
                "2026-11-20", PriceOrigin.FETCHED);
        PricingEngine e = PricingEngine.of(PriceTable.empty(), PriceTable.of(List.of(broken, dearRead), "t"), PriceTable.empty(),
                PriceTable.empty(), PriceTable.empty(), PriceTable.empty(), NOW);
        CallCost c = e.price("openrouter", "anthropic/claude-acme-4", null, new TokenUsage(0, 0, 1_000_000, 1_000_000, 1_000_000, 0));
        // Read 0.1 x 3, 5-minute write 1.25 x 3, 1-hour write 2 x 3: 0.3 + 3.75 + 6.
        assertUsd("10.05", c.exactUsd());
        PriceExplanation x = e.explain("openrouter", "anthropic/claude-acme-4", null, new TokenUsage(0, 0, 1, 0, 0, 0), NOW.instant(), 0);
        assertEquals(3, x.warnings().size(), x.warnings().toString());
        assertTrue(x.warnings().stream().anyMatch(w -> w.contains("cache_read is 3, expected 0.3") && w.contains("priced at 0.3")),
                x.warnings().toString());
        CallCost read = e.price("openrouter", "acme/chat", null, new TokenUsage(0, 0, 1_000_000, 0, 0, 0));
        assertUsd("1", read.exactUsd());
        // The user's own prices are never changed (a warning only).
        PriceTable user = PriceTable.of(List.of(new PriceEntry("acme/chat", null, new BigDecimal("1"), new BigDecimal("2"),
                new BigDecimal("1.5"), new BigDecimal("1"), new BigDecimal("1"), null, List.of(), List.of(), false, null, null,
                PriceOrigin.USER)), "pricing.yaml");
        PricingEngine mine = PricingEngine.of(user, PriceTable.empty(), PriceTable.empty(), PriceTable.empty(), PriceTable.empty(),
                PriceTable.empty(), NOW);
        assertUsd("1.5", mine.price("openrouter", "acme/chat", null, new TokenUsage(0, 0, 1_000_000, 0, 0, 0)).exactUsd());
    }

    @Test
    void anEntryThatPricesNothingIsUnpricedUnlessTheModelIsFree() throws Exception {
        LiteLlmCatalog.Conversion c = convertFixture();
        Map<String, PriceEntry> litellm = byKey(c.entries());
        // Per pixel (dall-e-3) and 0/0 (claude-mythos-preview): left out with the reason, never $0.
        assertFalse(litellm.containsKey("azure/hd/1024-x-1024/dall-e-3"));
        assertTrue(c.leftOut().stream().anyMatch(l -> l.startsWith("azure/hd/1024-x-1024/dall-e-3: billed per pixel")), c.leftOut().toString());
        assertFalse(litellm.containsKey("anthropic.claude-mythos-preview"));
        assertTrue(c.leftOut().stream().anyMatch(l -> l.startsWith("anthropic.claude-mythos-preview: every price is 0")));
        // Free by their own account stay $0.
        assertTrue(litellm.containsKey("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo-Free"));
        assertTrue(litellm.containsKey("ollama/llama3"));
        assertFalse(litellm.containsKey("ollama/gpt-oss:120b-cloud"));
        // No converted entry prices nothing unless it is free.
        for (PriceEntry e : c.entries()) {
            assertFalse(FreeModels.pricesNothing(e) && !FreeModels.isFree(e.key(), e.provider())
                    && !FreeModels.isFreeOnItsMaker(e.key(), e.provider()), e.key());
        }
        // Z.ai serves its -flash models free on its own API; through a host that has no price of its own, or a custom
        // endpoint naming the model, they are unpriced, never $0.
        assertTrue(litellm.containsKey("zai/glm-4.7-flash"));
        PricingEngine e = shipped(PriceTable.empty());
        CallCost mythos = e.price("bedrock", "anthropic.claude-mythos-preview", null, TokenUsage.of(1000, 1000));
        assertFalse(mythos.priced());
        // At use too: an older fetched file's 0/0 entry is unpriced, with the reason.
        CallCost lyria = e.price("openrouter", "google/lyria-3-pro-preview", null, TokenUsage.of(1000, 1000));
        assertFalse(lyria.priced());
        assertTrue(lyria.unpricedReason().contains("lists no price above 0"), lyria.unpricedReason());
        CallCost zaiFlash = e.price("zai", "glm-4.7-flash", null, TokenUsage.of(1000, 1000));
        assertTrue(zaiFlash.priced());
        assertEquals(0, zaiFlash.micros());
        assertFalse(e.price("together", "glm-4.7-flash", null, TokenUsage.of(1000, 1000)).priced());
        assertFalse(e.price("custom", "zai/glm-4.7-flash", null, TokenUsage.of(1000, 1000)).priced());
        assertTrue(e.price("openrouter", "z-ai/glm-4.7-flash", null, TokenUsage.of(1000, 1000)).micros() > 0);
        CallCost free = e.price("openrouter", "openai/gpt-oss-20b:free", null, TokenUsage.of(1000, 1000));
        assertTrue(free.priced());
        assertEquals(0, free.micros());
    }

    @Test
    void anUnlistedThinkingVariantIsPricedAtItsBaseFlaggedAndAListedOneAtItsOwn() {
        PricingEngine e = shipped(PriceTable.empty());
        // Its own $0.40/$1.20 (below its long-context tier), not the base model's $0.26/$0.78.
        CallCost listed = e.price("openrouter", "qwen/qwen-plus-2025-07-28:thinking", null, TokenUsage.of(1000, 1000));
        assertUsd("0.0016", listed.exactUsd());
        assertFalse(listed.makerFallback());
        CallCost unlisted = e.price("openrouter", "z-ai/glm-4.6:thinking", null, TokenUsage.of(1_000_000, 0));
        assertTrue(unlisted.priced());
        assertTrue(unlisted.makerFallback(), "flagged");
        assertEquals(CallCost.VARIANT_PRICE_MARK, unlisted.estimateMark());
        PriceResolution r = e.resolution("openrouter", "z-ai/glm-4.6:thinking").orElseThrow();
        assertEquals(":thinking", r.variant());
        assertTrue(r.rule().contains("':thinking' removed") && r.rule().contains("qwen-plus-2025-07-28:thinking"), r.rule());
    }

    @Test
    void theEstimatedClassesAreExactlyGrok4CacheReadAndDeepSeekV4ProSeptemberInputAndCache() {
        PriceTable curated = PricingEngine.builtinTable();
        java.util.Set<String> found = new java.util.TreeSet<>();
        for (PriceEntry e : curated.entries()) {
            e.estimated().forEach(cls -> found.add(e.key() + ":" + cls));
            e.changes().forEach(ch -> ch.estimated().forEach(cls -> found.add(e.key() + "@" + ch.effectiveFrom() + ":" + cls)));
        }
        assertEquals(java.util.Set.of("grok-4:cache_read", "deepseek-v4-pro@2026-08-31T16:00:00Z:input",
                "deepseek-v4-pro@2026-08-31T16:00:00Z:cache_read", "deepseek-v4-pro@2026-08-31T16:00:00Z:cache_write"), found);
        assertNotNull(curated.find("grok-4").orElseThrow().note());
    }
}
