package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.core.TokenUsage;
import dev.plutus.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PricingEngineTest {
    private final PricingEngine builtin = PricingEngine.of(PriceTable.empty(), PriceTable.empty(), PricingEngine.builtinTable());

    @Test
    void builtInTableCoversEveryRequiredProviderWithSources() {
        PriceTable t = PricingEngine.builtinTable();
        assertTrue(t.size() >= 60, "at least 60 models, got " + t.size());
        Map<String, Long> perProvider = t.entries().stream().collect(Collectors.groupingBy(PriceEntry::provider, Collectors.counting()));
        for (String p : Set.of("anthropic", "openai", "google", "deepseek", "mistral", "xai", "meta", "nous")) {
            assertTrue(perProvider.getOrDefault(p, 0L) > 0, "no built-in prices for " + p);
        }
        for (PriceEntry e : t.entries()) {
            assertNotNull(e.source(), e.key() + " has no source");
            assertNotNull(e.asOf(), e.key() + " has no date");
        }
    }

    @Test
    void anthropicCacheCallFromHermesFixtureCostsExactly() throws Exception {
        var usage = TestSupport.hermesJson("post_api_request-anthropic-cache.json").get("usage");
        TokenUsage u = new TokenUsage(usage.get("input_tokens").asLong(), usage.get("output_tokens").asLong(),
                usage.get("cache_read_tokens").asLong(), usage.get("cache_write_tokens").asLong(), 0,
                usage.get("reasoning_tokens").asLong());
        CallCost c = builtin.price("anthropic", "claude-sonnet-4-6", "claude-sonnet-4-6", u);
        // 96*3 + 420*15 + 8460*0.30 + 1320*3.75 = 14,076 micro-dollars
        assertEquals(new BigDecimal("0.014076"), c.exactUsd());
        assertEquals(14_076, c.micros());
        assertEquals("claude-sonnet-4-6", c.entryKey());
    }

    @Test
    void reasoningIsBilledOnceAsPartOfOutput() {
        // deepseek-v4-pro: input 0.435, output 0.87, cache read 0.003625 per million
        TokenUsage u = new TokenUsage(2200, 1450, 6400, 0, 0, 1020);
        // Priced at a time the launch promotion was in force (see the dated entry in pricing/models.yaml).
        CallCost c = builtin.price("deepseek", "deepseek-v4-pro", null, u, java.time.Instant.parse("2026-08-01T00:00:00Z"), 0);
        BigDecimal expected = new BigDecimal("2200").multiply(new BigDecimal("0.435"))
                .add(new BigDecimal("1450").multiply(new BigDecimal("0.87")))
                .add(new BigDecimal("6400").multiply(new BigDecimal("0.003625"))).movePointLeft(6);
        assertEquals(0, expected.compareTo(c.exactUsd()), "got " + c.exactUsd());
    }

    @Test
    void separateReasoningPriceReplacesOutputPriceForReasoningTokensOnly() {
        PriceEntry e = new PriceEntry("r-model", "x", BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ONE, BigDecimal.ONE,
                BigDecimal.ONE, new BigDecimal("20"), java.util.List.of(), java.util.List.of(), false, null, null, PriceOrigin.USER);
        // 100 output of which 40 reasoning: 60*10 + 40*20 = 1400 per million
        assertEquals(new BigDecimal("0.0014"), CostCalculator.exactUsd(e, new TokenUsage(0, 100, 0, 0, 0, 40)));
        // reasoning above output is capped at output, never billed twice
        assertEquals(new BigDecimal("0.002"), CostCalculator.exactUsd(e, new TokenUsage(0, 100, 0, 0, 0, 500)));
    }

    @Test
    void nearNamesNeverTakeEachOthersPrice() {
        TokenUsage million = TokenUsage.of(1_000_000, 0);
        assertEquals("gpt-4.1", builtin.price("openai", "gpt-4.1", null, million).entryKey());
        assertEquals(new BigDecimal("2"), builtin.price("openai", "gpt-4.1", null, million).exactUsd());
        assertEquals("gpt-4", builtin.price("openai", "gpt-4", null, million).entryKey());
        assertEquals("deepseek-v4-pro", builtin.price("deepseek", "deepseek-v4-pro", null, million).entryKey());
        assertFalse(builtin.price("openai", "gpt-4.1-turbo-x", null, million).priced(), "no prefix matching");
        assertFalse(builtin.price("deepseek", "deepseek-v4-ultra", null, million).priced());
    }

    @Test
    void namesAreNormalizedBeforeMatching() {
        TokenUsage u = TokenUsage.of(1000, 1000);
        assertEquals("claude-sonnet-4-6", builtin.price("openrouter", "anthropic/claude-sonnet-4.6", null, u).entryKey());
        assertEquals("claude-sonnet-4-6", builtin.price("openrouter", "openrouter/anthropic/Claude-Sonnet-4.6", null, u).entryKey());
        assertEquals("claude-sonnet-4-5", builtin.price("anthropic", "claude-sonnet-4-5-20250929", null, u).entryKey());
        assertEquals("gpt-4.1", builtin.price("openai", "gpt-4.1-2025-04-14", null, u).entryKey());
        // A dated snapshot with its own price keeps it: the date is only stripped when nothing matches.
        assertEquals("gpt-4o-2024-05-13", builtin.price("openai", "gpt-4o-2024-05-13", null, u).entryKey());
        assertEquals("hermes-4-405b", builtin.price("nous", "NousResearch/Hermes-4-405B", null, u).entryKey());
    }

    @Test
    void servedModelWinsOverConfiguredModel() {
        TokenUsage u = TokenUsage.of(1_000_000, 0);
        assertEquals("claude-opus-4-7", builtin.price("anthropic", "claude-sonnet-4-6", "claude-opus-4-7", u).entryKey());
        assertEquals("claude-sonnet-4-6", builtin.price("anthropic", "claude-sonnet-4-6", "some-unknown-alias", u).entryKey());
    }

    @Test
    void longContextTierChargesEveryTokenAtTierPrices() {
        // claude-sonnet-4-5: base 3/15, above 200k prompt tokens 6/22.5
        CallCost small = builtin.price("anthropic", "claude-sonnet-4-5", null, TokenUsage.of(200_000, 1000));
        CallCost large = builtin.price("anthropic", "claude-sonnet-4-5", null, TokenUsage.of(200_001, 1000));
        assertEquals(new BigDecimal("0.615"), small.exactUsd());
        assertEquals(new BigDecimal("1.222506"), large.exactUsd());
    }

    @Test
    void unknownModelIsUnpricedNotFree() {
        CallCost c = builtin.price("custom", "my-local-llm", null, TokenUsage.of(10, 10));
        assertFalse(c.priced());
        assertTrue(c.unpricedReason().contains("my-local-llm"));
    }

    @Test
    void userPricingYamlInHermesTelemetryFormatWinsAndUsesMultipliers(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pricing.yaml"), """
                models:
                  # Free model
                  "openrouter/owl-alpha":
                    input: 0.00
                    output: 0.00
                  "openrouter/anthropic/claude-opus-4-7":
                    input: 4.00
                    output: 20.00
                    _auto: true
                defaults:
                  cache_read_multiplier: 0.10
                  cache_write_multiplier: 1.25
                """);
        PricingEngine e = PricingEngine.load(new HomeLayout(dir));
        assertTrue(e.problems().isEmpty(), e.problems().toString());
        CallCost owl = e.price("openrouter", "owl-alpha", null, TokenUsage.of(1000, 1000));
        assertTrue(owl.priced());
        assertEquals(0, owl.micros());
        CallCost opus = e.price("openrouter", "anthropic/claude-opus-4.7", null,
                new TokenUsage(1_000_000, 0, 1_000_000, 1_000_000, 0, 0));
        // 4 + the cache prices the entry omits, taken from the same model's entry in the layer below
        // at that entry's ratio to its input (OpenRouter's 0.5 read and 6.25 write on 5 in: 0.1 x and
        // 1.25 x), applied to the user's input 4: 0.4 + 5 (issue 17).
        assertEquals(0, new BigDecimal("9.4").compareTo(opus.exactUsd()), opus.exactUsd().toPlainString());
        // Direct Anthropic calls keep the built-in price.
        assertEquals(new BigDecimal("5"), e.price("anthropic", "claude-opus-4-7", null, TokenUsage.of(1_000_000, 0)).exactUsd());
    }

    @Test
    void brokenPricingFileIsReportedWithLineAndFieldAndLastGoodStays(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pricing.yaml");
        Files.writeString(file, "models:\n  my-model:\n    input: 1\n    output: 2\n");
        PricingEngine e = PricingEngine.load(new HomeLayout(dir));
        assertTrue(e.price(null, "my-model", null, TokenUsage.of(1, 1)).priced());
        Files.writeString(file, "models:\n  my-model:\n    input: 1\n    output: lots\n");
        var problems = e.reload();
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains(":4:"), problems.get(0));
        assertTrue(problems.get(0).contains("models.my-model.output"), problems.get(0));
        assertTrue(e.price(null, "my-model", null, TokenUsage.of(1, 1)).priced(), "last good prices stay in force");
    }

    @Test
    void unknownFieldsAndNegativePricesAreRejected() {
        ConfigException typo = assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                "models:\n  m:\n    input: 1\n    ouptut: 2\n", "p.yaml", PriceOrigin.USER));
        assertTrue(typo.getMessage().contains("p.yaml:4") && typo.getMessage().contains("ouptut"), typo.getMessage());
        ConfigException neg = assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                "models:\n  m:\n    input: -1\n    output: 2\n", "p.yaml", PriceOrigin.USER));
        assertTrue(neg.getMessage().contains("negative"), neg.getMessage());
    }

    /** Issue 15, point 2: every number in a price file is range-checked at the door, naming file, line and field. */
    @Test
    void absurdNumbersInAPriceFileAreRefusedWithFileLineAndField(@TempDir Path dir) throws Exception {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("-0.5", "must not be negative");
        refused.put("1e300", "must be at most 10000");
        refused.put("10000.000001", "must be at most 10000");
        refused.put(".nan", "expected a number");
        refused.put(".inf", "expected a number");
        refused.put("1".repeat(1200), "characters long");
        refused.put("0.000000000000000000001", "more than 20 decimal places");
        refused.put("1e-30", "more than 20 decimal places");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            ConfigException e = assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                    "models:\n  m:\n    input: 1\n    output: " + bad.getKey() + "\n", "pricing.yaml", PriceOrigin.USER), bad.getKey());
            assertTrue(e.getMessage().startsWith("pricing.yaml:4: models.m.output:") && e.getMessage().contains(bad.getValue()),
                    bad.getKey() + " -> " + e.getMessage());
            assertTrue(e.getMessage().length() < 200, "the message quotes no 1,200-digit number: " + e.getMessage());
        }
        ConfigException mult = assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                "defaults:\n  cache_read_multiplier: 1e9\nmodels: {}\n", "pricing.yaml", PriceOrigin.USER));
        assertTrue(mult.getMessage().startsWith("pricing.yaml:2: defaults.cache_read_multiplier: must be at most 100"), mult.getMessage());
        ConfigException tier = assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                "models:\n  m:\n    input: 1\n    output: 2\n    tiers:\n      - above_prompt_tokens: 1e30\n        input: 2\n",
                "pricing.yaml", PriceOrigin.USER));
        assertTrue(tier.getMessage().startsWith("pricing.yaml:6: models.m.tiers[0].above_prompt_tokens: must be a whole number"),
                tier.getMessage());
        ConfigException tierPrice = assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                "models:\n  m:\n    input: 1\n    output: 2\n    tiers:\n      - above_prompt_tokens: 200000\n        input: -2\n",
                "pricing.yaml", PriceOrigin.USER));
        assertTrue(tierPrice.getMessage().startsWith("pricing.yaml:7: models.m.tiers[0].input:"), tierPrice.getMessage());
        ConfigException fallback = assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                "provisional_fallback:\n  input: 1\n  output: 1e6\n", "pricing.yaml", PriceOrigin.USER));
        assertTrue(fallback.getMessage().startsWith("pricing.yaml:3: provisional_fallback.output:"), fallback.getMessage());
        // OpenRouter's -1 ("priced per request") stays accepted on variable-price entries, and only there.
        assertTrue(PriceTableParser.parse("models:\n  r:\n    variable_price: true\n    input: -1\n    output: -1\n",
                "f.yaml", PriceOrigin.FETCHED).find("r").orElseThrow().variablePrice());
        assertThrows(ConfigException.class, () -> PriceTableParser.parse(
                "models:\n  r:\n    variable_price: true\n    input: -7\n    output: -1\n", "f.yaml", PriceOrigin.FETCHED));

        // A reload that meets such a file keeps the table in force before it.
        Path file = dir.resolve("pricing.yaml");
        Files.writeString(file, "models:\n  my-model:\n    input: 1\n    output: 2\n");
        PricingEngine engine = PricingEngine.load(new HomeLayout(dir));
        Files.writeString(file, "models:\n  my-model:\n    input: 1\n    output: 1e300\n");
        var problems = engine.reload();
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith(file + ":4: models.my-model.output: price must be at most 10000"), problems.get(0));
        assertEquals(new BigDecimal("2"), engine.price(null, "my-model", null, TokenUsage.of(0, 1_000_000)).exactUsd());
    }

    @Test
    void anOpenRouterModelWithAnAbsurdPriceIsLeftOutNotWrittenIntoTheTable() throws Exception {
        String json = """
                {"data": [
                  {"id": "a/sane", "pricing": {"prompt": "0.000003", "completion": "0.000015"}},
                  {"id": "a/absurd", "pricing": {"prompt": "1e300", "completion": "0.000015"}},
                  {"id": "a/negative-tier", "pricing": {"prompt": "0.000003", "completion": "0.000015",
                    "overrides": [{"min_prompt_tokens": 200000, "prompt": "-0.5"}]}}
                ]}""";
        var entries = OpenRouterCatalog.parse(json, "2026-08-08");
        assertEquals(java.util.List.of("openrouter/a/sane"), entries.stream().map(PriceEntry::key).toList());
        assertEquals(1, PriceTableParser.parse(PriceTableWriter.write(entries, "t"), "f.yaml", PriceOrigin.FETCHED).size());
    }

    @Test
    void anUnknownModelsStandInIsItsProvidersDearestModelElseTheFallback(@TempDir Path dir) throws Exception {
        PriceEntry anthropic = builtin.standIn("anthropic");
        PriceEntry dearest = PricingEngine.builtinTable().entries().stream().filter(e -> "anthropic".equals(e.provider()))
                .max(java.util.Comparator.comparing(PriceEntry::output).thenComparing(PriceEntry::input)).orElseThrow();
        assertEquals(0, dearest.output().compareTo(anthropic.output()));
        assertEquals(0, dearest.input().compareTo(anthropic.input()));
        assertEquals("google", builtin.standIn("gemini").provider(), "Hermes's gemini provider is google in the tables");
        assertEquals(PricingEngine.DEFAULT_FALLBACK, builtin.standIn("acme"));
        assertEquals(PricingEngine.DEFAULT_FALLBACK, builtin.standIn(null));
        CallCost c = builtin.provisional("acme", TokenUsage.of(1_000_000, 1_000_000), "no price for model 'x'");
        assertTrue(c.provisional() && !c.priced());
        assertEquals(90_000_000, c.micros(), "$15 in + $75 out per million");

        // pricing.yaml may set the fallback, and a dearer model of a provider raises its stand-in.
        Files.writeString(dir.resolve("pricing.yaml"), """
                provisional_fallback:
                  input: 3
                  output: 9
                models:
                  claude-imaginary-ultra:
                    provider: anthropic
                    input: 900
                    output: 4000
                """);
        PricingEngine e = PricingEngine.load(new HomeLayout(dir));
        assertTrue(e.problems().isEmpty(), e.problems().toString());
        assertEquals("provisional-fallback", e.standIn("acme").key());
        assertEquals(0, new BigDecimal("9").compareTo(e.standIn("acme").output()));
        assertEquals("claude-imaginary-ultra", e.standIn("anthropic").key());
        long before = e.generation();
        e.reload();
        assertTrue(e.generation() > before, "a reload is a new generation of prices");
    }

    @Test
    void openRouterCatalogFixtureParsesExactlyAndFlagsVariablePrices() throws Exception {
        String json = Files.readString(TestSupport.fixtures().resolve("pricing/openrouter-models.json"));
        var entries = OpenRouterCatalog.parse(json, "2026-08-08");
        assertEquals(400, entries.size());
        PriceEntry auto = entries.stream().filter(x -> x.key().equals("openrouter/auto")).findFirst().orElseThrow();
        assertTrue(auto.variablePrice());
        PriceEntry sonnet = entries.stream().filter(x -> x.key().equals("openrouter/anthropic/claude-sonnet-4.6")).findFirst().orElseThrow();
        assertEquals(0, new BigDecimal("3").compareTo(sonnet.input()));
        assertEquals(0, new BigDecimal("6").compareTo(sonnet.cacheWrite1h()));
        PriceEntry tiered = entries.stream().filter(x -> x.key().equals("openrouter/anthropic/claude-sonnet-4.5")).findFirst().orElseThrow();
        // OpenRouter's min_prompt_tokens 200000: the tier starts AT 200000 prompt tokens (above 199999).
        assertEquals(199_999, tiered.tiers().get(0).abovePromptTokens());
        // Round trip through the writer and parser keeps every price.
        PriceTable back = PriceTableParser.parse(PriceTableWriter.write(entries, "test"), "fetched.yaml", PriceOrigin.FETCHED);
        assertEquals(400, back.size());
        assertEquals(0, sonnet.output().compareTo(back.find("openrouter/anthropic/claude-sonnet-4-6").orElseThrow().output()));
    }
}
