package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.plutus.pricing.PriceLayerFixture.NOW;
import static dev.plutus.pricing.PriceLayerFixture.assertUsd;
import static dev.plutus.pricing.PriceLayerFixture.engine;

import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a call finds its price: the resolution rules a tester found wrong (issue 17, price17a). */
class PriceResolutionTest {
    private static final TokenUsage MILLION_IN = TokenUsage.of(1_000_000, 0);
    private final PriceLayerFixture prices;

    PriceResolutionTest(@TempDir Path dir) {
        this.prices = new PriceLayerFixture(dir);
    }

    @Test
    void aUserLooseKeyPricesADatedAliasOfTheSameModelButNotADatedModelWithItsOwnPrice() throws Exception {
        PricingEngine shipped = PricingEngine.of(prices.layer("pricing.yaml", "models:\n  gpt-4o:\n    input: 1.25\n    output: 5\n",
                PriceOrigin.USER), PriceTable.empty(), PriceTable.empty(), PricingEngine.builtinTable(), PriceTable.empty(),
                PricingEngine.litellmTable(), NOW);
        // The curated table lists gpt-4o-2024-08-06 as an alias of gpt-4o: the same model, so the user's price.
        CallCost alias = shipped.price("openai", "gpt-4o-2024-08-06", null, MILLION_IN);
        assertEquals(PriceOrigin.USER, alias.entry().origin());
        assertUsd("1.25", alias);
        PriceExplanation x = shipped.explain("openai", "gpt-4o-2024-08-06", null, MILLION_IN, NOW.instant(), 0);
        assertTrue(x.resolution().rule().contains("same model at the same price"), x.resolution().rule());
        // gpt-4o-2024-05-13 has its own $5 input: the user's gpt-4o is another model's price.
        CallCost own = shipped.price("openai", "gpt-4o-2024-05-13", null, MILLION_IN);
        assertEquals("gpt-4o-2024-05-13", own.entryKey());
        assertUsd("5", own);
        assertTrue(shipped.explain("openai", "gpt-4o-2024-05-13", null, MILLION_IN, NOW.instant(), 0).resolution().rule()
                .contains("own price"));

        // The same with a lower layer that copies the model under its dated name (LiteLLM style).
        PricingEngine copies = engine(prices.layer("user.yaml", "models:\n  m:\n    input: 1\n    output: 4\n", PriceOrigin.USER),
                prices.layer("curated.yaml", "models:\n  m:\n    input: 2\n    output: 8\n", PriceOrigin.BUILTIN),
                prices.layer("litellm.yaml", """
                        models:
                          m-2025-01-01: {input: 2, output: 8}
                          m-2024-01-01: {input: 3, output: 9}
                        """, PriceOrigin.LITELLM));
        assertUsd("1", copies.price(null, "m-2025-01-01", null, MILLION_IN));
        assertUsd("3", copies.price(null, "m-2024-01-01", null, MILLION_IN));
        // An exact user key always wins.
        PricingEngine exact = engine(prices.layer("exact.yaml", "models:\n  m-2024-01-01:\n    input: 0.5\n    output: 1\n",
                PriceOrigin.USER), PriceTable.empty(), prices.layer("l2.yaml", "models:\n  m-2024-01-01: {input: 3, output: 9}\n",
                PriceOrigin.LITELLM));
        assertUsd("0.5", exact.price(null, "m-2024-01-01", null, MILLION_IN));
    }

    @Test
    void aBedrockRegionalIdIsPricedAtItsOwnPriceElseTheGlobalPriceFlaggedEstimated() throws Exception {
        PricingEngine e = engine(PriceTable.empty(), PriceTable.empty(), prices.layer("litellm.yaml", """
                models:
                  "anthropic.claude-x-v1:0": {provider: bedrock_converse, input: 3, output: 15}
                  "us.anthropic.claude-x-v1:0": {provider: bedrock_converse, input: 3.3, output: 16.5}
                """, PriceOrigin.LITELLM));
        CallCost us = e.price("bedrock", "us.anthropic.claude-x-v1:0", null, MILLION_IN);
        assertUsd("3.3", us);
        assertFalse(us.makerFallback());
        CallCost apac = e.price("bedrock", "apac.anthropic.claude-x-v1:0", null, MILLION_IN);
        assertUsd("3", apac);
        assertTrue(apac.makerFallback(), "the global price standing in for a regional one is flagged");
        assertEquals("anthropic.claude-x-v1:0" + CallCost.GLOBAL_PRICE_MARK, apac.recordedEntry());
        PriceResolution r = e.explain("bedrock", "apac.anthropic.claude-x-v1:0", null, MILLION_IN, NOW.instant(), 0).resolution();
        assertTrue(r.regionFallback());
        assertTrue(r.rule().contains("region prefix 'apac.'"), r.rule());
    }

    @Test
    void anExactMatchOfEitherModelBeatsALooseMatchOfTheOther() throws Exception {
        PricingEngine e = engine(PriceTable.empty(), prices.layer("curated.yaml", """
                models:
                  claude-a: {input: 1, output: 1}
                  claude-b: {input: 5, output: 5}
                """, PriceOrigin.BUILTIN), PriceTable.empty());
        // Served claude-b:thinking matches only loosely (suffix removed); the configured claude-a exactly.
        assertEquals("claude-a", e.price(null, "claude-a", "claude-b:thinking", MILLION_IN).entryKey());
        assertEquals("claude-b", e.price(null, "claude-a:thinking", "claude-b", MILLION_IN).entryKey());
        assertEquals("claude-b", e.price(null, "claude-a", "claude-b", MILLION_IN).entryKey(), "equally close: the served model");
        assertEquals("claude-b", e.price(null, "unknown-model", "claude-b:thinking", MILLION_IN).entryKey());
    }

    @Test
    void freeIsFreeOnlyThroughOpenRouter() {
        PricingEngine e = engine(PriceTable.empty(), PriceTable.empty(), PriceTable.empty());
        assertUsd("0", e.price("openrouter", "meta-llama/some-model:free", null, MILLION_IN));
        assertUsd("0", e.price(null, "openrouter/meta-llama/some-model:free", null, MILLION_IN));
        assertFalse(e.price("nous", "meta-llama/some-model:free", null, MILLION_IN).priced(), "another host's :free is unknown");
        assertFalse(e.price(null, "some-model:free", null, MILLION_IN).priced());
    }

    @Test
    void anEntryNotYetInForceLeavesEarlierCallsToTheLowerLayer() throws Exception {
        PricingEngine e = engine(prices.layer("pricing.yaml", "models:\n  m:\n    input: 1\n    output: 1\n    effective_from: 2026-12-01\n",
                PriceOrigin.USER), prices.layer("curated.yaml", "models:\n  m: {input: 2, output: 2}\n", PriceOrigin.BUILTIN),
                PriceTable.empty());
        Instant before = Instant.parse("2026-11-30T23:59:59Z");
        Instant from = Instant.parse("2026-12-01T00:00:00Z");
        // Later first, so a cached resolution of one period cannot leak into the other.
        assertUsd("1", e.price(null, "m", null, MILLION_IN, from, 0));
        assertUsd("2", e.price(null, "m", null, MILLION_IN, before, 0));
        assertUsd("1", e.price(null, "m", null, MILLION_IN, from, 0));
        assertEquals("curated", e.explain(null, "m", null, MILLION_IN, before, 0).layer());

        PricingEngine alone = engine(prices.layer("alone.yaml", "models:\n  n:\n    input: 1\n    output: 1\n    effective_from: 2026-12-01\n",
                PriceOrigin.USER), PriceTable.empty(), PriceTable.empty());
        assertFalse(alone.price(null, "n", null, MILLION_IN, before, 0).priced(), "no price was in force yet");
        assertUsd("1", alone.price(null, "n", null, MILLION_IN, from, 0));
    }

    @Test
    void aUserEntryWithoutTiersKeepsTheLowerLayersTiersUnlessItSaysNone() throws Exception {
        PriceTable curated = prices.layer("curated.yaml", """
                models:
                  m:
                    input: 3
                    output: 15
                    tiers:
                      - above_prompt_tokens: 200000
                        input: 6
                """, PriceOrigin.BUILTIN);
        TokenUsage longPrompt = TokenUsage.of(300_000, 0);
        PricingEngine inherits = engine(prices.layer("u1.yaml", "models:\n  m:\n    input: 2.5\n    output: 15\n", PriceOrigin.USER),
                curated, PriceTable.empty());
        // The tier keeps its ratio to input (6 on 3: 2 x), applied to the user's 2.5: 5 per million.
        assertUsd("1.5", inherits.price(null, "m", null, longPrompt));
        assertUsd("0.25", inherits.price(null, "m", null, TokenUsage.of(100_000, 0)));
        assertTrue(inherits.explain(null, "m", null, longPrompt, NOW.instant(), 0).inherited().contains("tiers"));
        PricingEngine none = engine(prices.layer("u2.yaml", "models:\n  m:\n    input: 2.5\n    output: 15\n    tiers: []\n",
                PriceOrigin.USER), curated, PriceTable.empty());
        assertUsd("0.75", none.price(null, "m", null, longPrompt));
    }

    @Test
    void aModelBilledOnlyPerImageIsNeverAPricedZeroCall() throws Exception {
        PricingEngine e = engine(PriceTable.empty(), PriceTable.empty(), prices.layer("litellm.yaml",
                "models:\n  image-model: {per_image: 0.04}\n", PriceOrigin.LITELLM));
        CallCost uncounted = e.price(null, "image-model", null, TokenUsage.of(10, 0), NOW.instant(), 0);
        assertFalse(uncounted.priced());
        assertTrue(uncounted.unpricedReason().contains("per image"), uncounted.unpricedReason());
        assertUsd("0.08", e.price(null, "image-model", null, TokenUsage.of(10, 0), NOW.instant(), 2));
    }

    @Test
    void aNegativeOpenRouterPriceOtherThanMinusOneIsLeftOutNotTakenForAVariablePrice() throws Exception {
        List<String> leftOut = new java.util.ArrayList<>();
        List<PriceEntry> entries = OpenRouterCatalog.parse("""
                {"data": [
                  {"id": "acme/router", "pricing": {"prompt": "-1", "completion": "-1"}},
                  {"id": "acme/neg", "pricing": {"prompt": "-0.000001", "completion": "0.000002"}},
                  {"id": "acme/ok", "pricing": {"prompt": "0.000001", "completion": "0.000002"}}
                ]}""", "2026-08-08", leftOut);
        assertEquals(List.of("openrouter/acme/router", "openrouter/acme/ok"), entries.stream().map(PriceEntry::key).toList());
        assertTrue(entries.get(0).variablePrice(), "-1 is OpenRouter's variable price");
        assertTrue(leftOut.stream().anyMatch(l -> l.contains("acme/neg") && l.contains(": a negative price that is not OpenRouter's -1")), leftOut.toString());
    }

    @Test
    void unreadableLiteLlmPricesLeaveTheEntryOutInsteadOfPricingItZero() throws Exception {
        String json = """
                {
                  "good": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},
                  "text": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "abc", "output_cost_per_token": 2e-06},
                  "negative": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1e-06, "output_cost_per_token": 2e-06},
                  "nan": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "NaN", "output_cost_per_token": 2e-06},
                  "bare-nan": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": NaN, "output_cost_per_token": 2e-06},
                  "huge": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e300, "output_cost_per_token": 2e-06},
                  "bad-cache": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
                                "cache_read_input_token_cost": "free"},
                  "bad-tier": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
                               "input_cost_per_token_above_200k_tokens": -5},
                  "hit": {"litellm_provider": "deepseek", "mode": "chat", "input_cost_per_token": 2.8e-07, "output_cost_per_token": 4.2e-07,
                          "input_cost_per_token_cache_hit": 2.8e-08},
                  "painter": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04}
                }
                """;
        LiteLlmCatalog.Conversion c = LiteLlmCatalog.convert(json, "2026-07-24", PriceOrigin.LITELLM);
        assertEquals(List.of("good", "hit", "painter"), c.entries().stream().map(PriceEntry::key).toList());
        for (String bad : List.of("text", "negative", "nan", "bare-nan", "huge", "bad-cache", "bad-tier")) {
            assertTrue(c.leftOut().stream().anyMatch(l -> l.startsWith(bad + ": ")), bad + " not reported: " + c.leftOut());
        }
        PriceEntry hit = c.entries().get(1);
        assertEquals(0, new BigDecimal("0.028").compareTo(hit.cacheRead()), "the cache-hit price, not 10 % of input by default");
        assertFalse(hit.defaulted().contains("cache_read"));
        assertEquals(0, new BigDecimal("0.04").compareTo(c.entries().get(2).perImage()));
        // Written and read back as a layer, an unreadable entry is simply absent: unpriced, never $0.
        PriceTable table = prices.layer("litellm.yaml", PriceTableWriter.write(c.entries(), "test"), PriceOrigin.LITELLM);
        PricingEngine e = engine(PriceTable.empty(), PriceTable.empty(), table);
        assertFalse(e.price(null, "text", null, MILLION_IN).priced());
        assertUsd("0.028", e.price(null, "hit", null, new TokenUsage(0, 0, 1_000_000, 0, 0, 0)));
        assertEquals(0, new BigDecimal("0.04").compareTo(table.find("painter").orElseThrow().perImage()));
    }
}
