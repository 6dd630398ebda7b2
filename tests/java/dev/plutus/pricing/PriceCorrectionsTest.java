package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.plutus.pricing.PriceLayerFixture.LITELLM_FIXTURE;
import static dev.plutus.pricing.PriceLayerFixture.NOW;
import static dev.plutus.pricing.PriceLayerFixture.OPENROUTER_FIXTURE;
import static dev.plutus.pricing.PriceLayerFixture.assertUsd;
import static dev.plutus.pricing.PriceLayerFixture.engine;
import static dev.plutus.pricing.PriceLayerFixture.shipped;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.Json;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong money a tester found in the price layers (issue 17, price17c), each proven fixed. */
class PriceCorrectionsTest {
    private final PriceLayerFixture prices;

    PriceCorrectionsTest(@TempDir Path dir) {
        this.prices = new PriceLayerFixture(dir);
    }

    private static Map<String, PriceEntry> litellm() throws Exception {
        LiteLlmCatalog.Conversion c = LiteLlmCatalog.convert(Files.readString(LITELLM_FIXTURE), "2026-07-24", PriceOrigin.LITELLM);
        Map<String, PriceEntry> out = new java.util.HashMap<>();
        c.entries().forEach(e -> out.put(e.key(), e));
        return out;
    }

    @Test
    void anImageModelBilledPerOutputImageTokenNeverPricesAtZero() throws Exception {
        Map<String, PriceEntry> converted = litellm();
        assertUsd("40", converted.get("gpt-image-1").output());
        assertUsd("8", converted.get("gpt-image-1-mini").output());
        assertUsd("40", converted.get("azure/gpt-image-1").output());
        // Every entry that bills output image tokens: an output price, never $0.
        JsonNode map = Json.MAPPER.readTree(Files.readString(LITELLM_FIXTURE));
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().path("output_cost_per_image_token").asDouble(0) > 0 && converted.containsKey(f.getKey())) {
                assertTrue(converted.get(f.getKey()).output().signum() > 0, f.getKey());
                checked++;
            }
        }
        assertTrue(checked >= 30, "checked " + checked);
        // What Hermes reports for an image call (its image tokens as output tokens) costs money.
        CallCost c = shipped(PriceTable.empty()).price("openai-api", "gpt-image-1", null, TokenUsage.of(100, 4160));
        assertTrue(c.micros() > 0, c.exactUsd().toPlainString());
        // OpenRouter: the same rule for image_output when completion is $0.
        List<PriceEntry> or = OpenRouterCatalog.parse("""
                {"data":[{"id":"acme/painter","pricing":{"prompt":"0.000001","completion":"0","image_output":"0.00003"}}]}""",
                "2026-08-08");
        assertUsd("30", or.get(0).output());
    }

    @Test
    void theOpenRouterConverterFillsAMissingClaudeOneHourWriteWithTwiceInputAsLiteLlmsDoes() throws Exception {
        List<PriceEntry> or = OpenRouterCatalog.parse("""
                {"data":[{"id":"anthropic/claude-x","pricing":{"prompt":"0.000003","completion":"0.000015",
                  "input_cache_read":"0.0000003","input_cache_write":"0.00000375"}},
                 {"id":"acme/other","pricing":{"prompt":"0.000003","completion":"0.000015","input_cache_write":"0.00000375"}}]}""",
                "2026-08-08");
        assertUsd("6", or.get(0).cacheWrite1h());
        assertTrue(PriceInvariants.check(or.get(0)).isEmpty(), PriceInvariants.check(or.get(0)).toString());
        assertUsd("3.75", or.get(1).cacheWrite1h());
        assertUsd("6", PriceInvariants.claudeOneHourWrite(new BigDecimal("3")));
    }

    @Test
    void openRouterMinPromptTokensStartsTheTierAtThatSize() throws Exception {
        List<PriceEntry> or = OpenRouterCatalog.parse("""
                {"data":[{"id":"acme/long","pricing":{"prompt":"0.000001","completion":"0.000002",
                  "overrides":[{"min_prompt_tokens":200000,"prompt":"0.000002","completion":"0.000004"}]}}]}""", "2026-08-08");
        PriceEntry e = or.get(0);
        assertUsd("0.4", CostCalculator.exactUsd(e, TokenUsage.of(200_000, 0)));
        assertUsd("0.199999", CostCalculator.exactUsd(e, TokenUsage.of(199_999, 0)));
    }

    @Test
    void aUserEntryInheritsCacheAndTierPricesAtTheLowerLayersRatioToInput() throws Exception {
        PricingEngine e = shipped(prices.layer("pricing.yaml", """
                models:
                  gpt-4o-mini: {input: 0.05, output: 0.2}
                  claude-sonnet-4-5: {input: 1.5, output: 15}
                """, PriceOrigin.USER));
        // Curated gpt-4o-mini: 0.075 read on 0.15 input (half): the user's read is 0.025, not 0.075.
        PriceEntry mini = e.resolution("openai", "gpt-4o-mini").orElseThrow().pricesAt(NOW.instant());
        assertUsd("0.025", mini.cacheRead());
        assertTrue(mini.cacheRead().compareTo(mini.input()) <= 0);
        // Curated Sonnet 4.5 above 200k: 6 on 3 (2 x): the user's tier input is 3, and the cache
        // prices keep Anthropic's ratios to the user's input.
        PriceResolution sonnet = e.resolution("anthropic", "claude-sonnet-4-5").orElseThrow();
        PriceEntry p = sonnet.pricesAt(NOW.instant());
        assertUsd("3", p.tiers().get(0).input());
        assertUsd("0.15", p.cacheRead());
        assertUsd("1.875", p.cacheWrite());
        assertUsd("3", p.cacheWrite1h());
        assertTrue(PricingEngine.mergedWarnings(sonnet, NOW.instant()).isEmpty(),
                PricingEngine.mergedWarnings(sonnet, NOW.instant()).toString());
    }

    @Test
    void theMergedUserEntryIsCheckedAndItsBreaksShownInExplain() throws Exception {
        // The lower entry has no input price to scale from: its cache read is taken as is, and is
        // then dearer than the user's input.
        PriceTable curated = prices.layer("curated.yaml", """
                models:
                  m: {input: 0, output: 1, cache_read: 0.5}
                """, PriceOrigin.BUILTIN);
        PriceTable user = prices.layer("pricing.yaml", "models:\n  m: {input: 0.1, output: 1}\n", PriceOrigin.USER);
        PricingEngine e = engine(user, curated, PriceTable.empty());
        PriceExplanation x = e.explain(null, "m", null, TokenUsage.of(1000, 0), NOW.instant(), 0);
        assertEquals(1, x.warnings().size(), x.warnings().toString());
        assertTrue(x.warnings().get(0).contains("cache_read 0.5 is above input 0.1"), x.warnings().get(0));
    }

    @Test
    void anUnlistedExactoVariantIsPricedAtItsBaseButFlagged() {
        PricingEngine e = shipped(PriceTable.empty());
        // Listed (LiteLLM has openrouter/z-ai/glm-4.6:exacto at 0.45): its own price, no flag.
        CallCost listed = e.price("openrouter", "z-ai/glm-4.6:exacto", null, TokenUsage.of(1_000_000, 0));
        assertUsd("0.45", listed.exactUsd());
        assertFalse(listed.makerFallback());
        CallCost nitro = e.price("openrouter", "z-ai/glm-4.6:nitro", null, TokenUsage.of(1_000_000, 0));
        assertTrue(nitro.priced());
        assertTrue(nitro.makerFallback(), "flagged");
        assertEquals(CallCost.VARIANT_PRICE_MARK, nitro.estimateMark());
        assertEquals("openrouter/z-ai/glm-4.6" + CallCost.VARIANT_PRICE_MARK, nitro.recordedEntry());
        PriceExplanation x = e.explain("openrouter", "z-ai/glm-4.6:nitro", null, TokenUsage.of(1, 0), NOW.instant(), 0);
        assertEquals(":nitro", x.resolution().variant());
        assertTrue(x.resolution().rule().contains("flagged 'price estimated'"), x.resolution().rule());
    }

    @Test
    void searchModelsPayTheirPerSearchFeeOnEveryRequest() throws Exception {
        Map<String, PriceEntry> converted = litellm();
        assertUsd("0.005", converted.get("perplexity/sonar").perRequest());
        assertUsd("0.035", converted.get("gpt-4o-search-preview").perRequest());
        // Claude searches only when its tool is used, which the call does not report: no fee.
        assertNull(converted.get("claude-sonnet-4-5").perRequest());
        List<PriceEntry> or = OpenRouterCatalog.parse(Files.readString(OPENROUTER_FIXTURE), "2026-08-08");
        PriceEntry sonar = or.stream().filter(x -> x.key().equals("openrouter/perplexity/sonar")).findFirst().orElseThrow();
        assertUsd("0.005", sonar.perRequest());
        PriceEntry gpt5 = or.stream().filter(x -> x.key().equals("openrouter/openai/gpt-5")).findFirst().orElseThrow();
        assertNull(gpt5.perRequest());
        // A call: tokens plus the fee.
        CallCost c = shipped(PriceTable.empty()).price("perplexity", "sonar", null, TokenUsage.of(1000, 1000));
        assertUsd("0.007", c.exactUsd());
    }

    @Test
    void grok4CachedInputIsBelowInputAndDeepSeekV4ProEstimatesAreFlagged() {
        PricingEngine e = shipped(PriceTable.empty());
        PriceEntry grok = e.resolve("xai", "grok-4").orElseThrow();
        assertTrue(grok.cacheRead().compareTo(grok.input()) < 0, grok.cacheRead().toPlainString());
        assertTrue(grok.estimated().contains("cache_read"));
        Instant september = Instant.parse("2026-09-01T12:00:00Z");
        CallCost withInput = e.price("deepseek", "deepseek-v4-pro", null, TokenUsage.of(1000, 1000), september, 0);
        assertTrue(withInput.makerFallback(), "billed an estimated class: flagged");
        assertEquals(CallCost.ESTIMATED_PRICE_MARK, withInput.estimateMark());
        CallCost outputOnly = e.price("deepseek", "deepseek-v4-pro", null, new TokenUsage(0, 1000, 0, 0, 0, 0), september, 0);
        assertFalse(outputOnly.makerFallback(), "output is sourced");
        CallCost july = e.price("deepseek", "deepseek-v4-pro", null, TokenUsage.of(1000, 1000), Instant.parse("2026-07-30T12:00:00Z"), 0);
        assertFalse(july.makerFallback(), "the promotion's prices are all sourced");
    }

    @Test
    void aFutureUserEntryIsNamedWithItsStartAndADatedChangeShowsItsOwnSource() throws Exception {
        PricingEngine e = shipped(prices.layer("pricing.yaml", """
                models:
                  brand-new-model: {input: 1, output: 2, effective_from: 2027-01-01}
                """, PriceOrigin.USER));
        PriceExplanation x = e.explain("openai", "brand-new-model", null, TokenUsage.of(1, 0), NOW.instant(), 0);
        assertNull(x.resolution());
        assertEquals(1, x.notYetInForce().size(), x.notYetInForce().toString());
        assertTrue(x.notYetInForce().get(0).contains("user entry 'brand-new-model' starts 2027-01-01T00:00:00Z"),
                x.notYetInForce().get(0));
        PriceExplanation dated = e.explain("deepseek", "deepseek-v4-pro", null, TokenUsage.of(1, 0),
                Instant.parse("2026-09-01T12:00:00Z"), 0);
        assertTrue(dated.source().startsWith("DeepSeek list price"), dated.source());
    }

    @Test
    void hermesProvidersWithRecordedPricesArePricedAtTheirOwnPrice() {
        PricingEngine e = shipped(PriceTable.empty());
        for (String[] call : List.of(new String[] {"cohere", "command-a-03-2025", "0.0025"},
                new String[] {"minimax-cn", "MiniMax-M2", "0.0003"}, new String[] {"alibaba", "qwen3-coder-plus", "0.001"},
                new String[] {"zai", "glm-4.6v", "0.0003"})) {
            CallCost c = e.price(call[0], call[1], null, TokenUsage.of(1000, 0));
            assertTrue(c.priced(), call[1] + ": " + c.unpricedReason());
            assertFalse(c.makerFallback(), call[1] + " is its host's own price");
            assertUsd(call[2], c.exactUsd());
        }
        // Alibaba's long-prompt tier (32K < tokens <= 128K) is carried too.
        assertUsd("0.0648", e.price("alibaba", "qwen3-coder-plus", null, TokenUsage.of(36_000, 0)).exactUsd());
    }
}
