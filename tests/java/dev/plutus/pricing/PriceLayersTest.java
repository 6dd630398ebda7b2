package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.plutus.pricing.PriceLayerFixture.NOW;
import static dev.plutus.pricing.PriceLayerFixture.shipped;

import dev.plutus.core.HomeLayout;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layered table of issue 17: hosts, exact-first lookup, dates, inheritance, dedup, invariants, coverage. */
class PriceLayersTest {
    private static final TokenUsage MILLION_IN_OUT = TokenUsage.of(1_000_000, 1_000_000);
    private static PriceTable user(String yaml) {
        return PriceTableParser.parse(yaml, "pricing.yaml", PriceOrigin.USER);
    }

    @Test
    void aHostIsPricedAtItsOwnPriceAndTheMakerPriceIsOnlyAFlaggedFallback() {
        PricingEngine e = shipped(PriceTable.empty());
        CallCost azure = e.price("azure", "mistral-large-latest", null, MILLION_IN_OUT);
        assertEquals("azure/mistral-large-latest", azure.entryKey());
        assertEquals(0, new BigDecimal("32").compareTo(azure.exactUsd()), "Azure bills $8 + $24, got " + azure.exactUsd());
        assertFalse(azure.makerFallback());
        CallCost mistral = e.price("mistral", "mistral-large-latest", null, MILLION_IN_OUT);
        assertEquals(0, new BigDecimal("2").compareTo(mistral.exactUsd()), "Mistral's own $0.50 + $1.50");

        CallCost fireworks = e.price("fireworks", "accounts/fireworks/models/deepseek-v4-pro", null, MILLION_IN_OUT);
        assertEquals("fireworks_ai/accounts/fireworks/models/deepseek-v4-pro", fireworks.entryKey());
        assertEquals(0, new BigDecimal("5.22").compareTo(fireworks.exactUsd()), "1.74 + 3.48, got " + fireworks.exactUsd());

        // A host with no price of its own for the model: the maker's price, flagged and marked on the stored entry.
        CallCost fallback = e.price("fireworks", "claude-opus-4-7", null, MILLION_IN_OUT);
        assertTrue(fallback.priced());
        assertTrue(fallback.makerFallback());
        assertEquals("claude-opus-4-7" + CallCost.MAKER_PRICE_MARK, fallback.recordedEntry());
        assertEquals(CallCost.flagReason(CallCost.MAKER_PRICE_MARK), CallCost.flagReasonOfEntry(fallback.recordedEntry()));
        for (var flag : CallCost.FLAGS) {
            assertEquals(flag.getValue(), CallCost.flagReasonOfEntry("some/model" + flag.getKey()), "each mark is told from the others");
        }
        assertEquals(null, CallCost.flagReasonOfEntry(e.price("anthropic", "claude-opus-4-7", null, MILLION_IN_OUT).recordedEntry()));
        assertEquals(null, CallCost.flagReasonOfEntry(null));
        assertFalse(e.price("anthropic", "claude-opus-4-7", null, MILLION_IN_OUT).makerFallback());
        assertFalse(e.price(null, "claude-opus-4-7", null, MILLION_IN_OUT).makerFallback(), "no host named, nothing to flag");
    }

    @Test
    void anExactDatedNameInALowerLayerBeatsAShortenedNameInAHigherOne() {
        PricingEngine e = shipped(user("models:\n  gpt-4o:\n    input: 1.25\n    output: 5\n"));
        CallCost dated = e.price("openai", "gpt-4o-2024-05-13", null, TokenUsage.of(1_000_000, 0));
        assertEquals("gpt-4o-2024-05-13", dated.entryKey());
        assertEquals(0, new BigDecimal("5").compareTo(dated.exactUsd()), "the dated model's own price, got " + dated.exactUsd());
        assertEquals(PriceOrigin.USER, e.price("openai", "gpt-4o", null, MILLION_IN_OUT).entry().origin());
    }

    @Test
    void aUserEntryTakesOmittedClassesFromTheLowerLayersEntryBeforeDefaults() {
        PricingEngine e = shipped(user("models:\n  gpt-4o-mini:\n    input: 0.15\n    output: 0.6\n"));
        CallCost c = e.price("openai", "gpt-4o-mini", null, new TokenUsage(0, 0, 1_000_000, 0, 0, 0));
        assertEquals(0, new BigDecimal("0.075").compareTo(c.exactUsd()), "curated cache read $0.075, not 10 % of input; got "
                + c.exactUsd());
        PricingEngine alone = PricingEngine.of(user("models:\n  my-model:\n    input: 1\n    output: 2\n"), PriceTable.empty(),
                PriceTable.empty());
        assertEquals(0, new BigDecimal("0.1").compareTo(alone.price(null, "my-model", null,
                new TokenUsage(0, 0, 1_000_000, 0, 0, 0)).exactUsd()), "no lower entry: the documented 10 % default");
    }

    @Test
    void aCallIsPricedAtThePriceInForceAtItsOwnTimeAndWindowInTheProvidersZone() {
        PricingEngine e = shipped(PriceTable.empty());
        TokenUsage out = TokenUsage.of(0, 1_000_000);
        // 2026-09-01 00:00 Beijing is 2026-08-31T16:00Z: one second before, the promotion.
        assertEquals(0, new BigDecimal("0.87").compareTo(e.price("deepseek", "deepseek-v4-pro", null, out,
                Instant.parse("2026-08-31T15:59:59Z"), 0).exactUsd()));
        // 10:00 Beijing: standard list price.
        assertEquals(0, new BigDecimal("3.96").compareTo(e.price("deepseek", "deepseek-v4-pro", null, out,
                Instant.parse("2026-09-01T02:00:00Z"), 0).exactUsd()));
        // 01:00 Beijing (17:00Z the day before): the off-peak window, which wraps past no midnight in Beijing.
        assertEquals(0, new BigDecimal("1.98").compareTo(e.price("deepseek", "deepseek-v4-pro", null, out,
                Instant.parse("2026-09-01T17:00:00Z"), 0).exactUsd()));
        // 08:30 Beijing exactly: the window has ended.
        assertEquals(0, new BigDecimal("3.96").compareTo(e.price("deepseek", "deepseek-v4-pro", null, out,
                Instant.parse("2026-09-02T00:30:00Z"), 0).exactUsd()));
    }

    @Test
    void datedChangesAndWindowsParseAndExplain() {
        PricingEngine e = PricingEngine.of(user("""
                models:
                  m:
                    input: 1
                    output: 2
                    changes:
                      - from: 2026-03-01
                        output: 4
                        windows:
                          - {from: "22:00", until: "06:00", zone: Europe/Paris, output: 3}
                """), PriceTable.empty(), PriceTable.empty());
        TokenUsage u = TokenUsage.of(1_000_000, 1_000_000);
        assertEquals(0, new BigDecimal("3").compareTo(e.price(null, "m", null, u, Instant.parse("2026-02-28T23:59:59Z"), 0).exactUsd()));
        assertEquals(0, new BigDecimal("5").compareTo(e.price(null, "m", null, u, Instant.parse("2026-03-01T12:00:00Z"), 0).exactUsd()));
        PriceExplanation x = e.explain(null, "m", null, u, Instant.parse("2026-03-02T00:00:00Z"), 0);
        assertEquals(0, new BigDecimal("4").compareTo(x.totalUsd()), "01:00 in Paris is in the window");
        assertEquals("22:00-06:00 Europe/Paris", x.window().label());
        assertEquals(Instant.parse("2026-03-01T00:00:00Z"), x.period().effectiveFrom());
        assertEquals("user", x.layer());
        assertEquals(List.of("input", "output"), x.lines().stream().map(CostCalculator.ClassCost::billedClass).toList());
    }

    @Test
    void perRequestAndPerImagePricesAreCountedNotDropped() {
        PricingEngine e = PricingEngine.of(user("""
                models:
                  search-model:
                    per_request: 0.005
                  image-model:
                    input: 0
                    output: 0
                    per_image: 0.04
                """), PriceTable.empty(), PriceTable.empty());
        CallCost search = e.price(null, "search-model", null, TokenUsage.of(100, 100));
        assertTrue(search.priced());
        assertEquals(0, new BigDecimal("0.005").compareTo(search.exactUsd()), "never a priced $0 call");
        assertEquals(5000, search.micros());
        assertEquals(0, new BigDecimal("0.12").compareTo(e.price(null, "image-model", null, TokenUsage.ZERO,
                Instant.EPOCH, 3).exactUsd()));
    }

    @Test
    void fetchedIdsDifferingOnlyByDotAndDashAreEachKeptAndReported() throws Exception {
        String json = """
                {"data":[
                 {"id":"z-ai/glm-4.5","pricing":{"prompt":"0.0000006","completion":"0.0000022"}},
                 {"id":"z-ai/glm-4-5","pricing":{"prompt":"0.000001","completion":"0.000003"}},
                 {"id":"openrouter/free","pricing":{"prompt":"0","completion":"0"}},
                 {"id":"acme/search","pricing":{"prompt":"0","completion":"0","request":"0.01"}}]}""";
        List<PriceEntry> entries = OpenRouterCatalog.parse(json, "t");
        PriceTable t = PriceTableParser.parse(PriceTableWriter.write(entries, "test"), "pricing.fetched.yaml", PriceOrigin.FETCHED);
        assertEquals(4, t.size(), "nothing refused");
        assertEquals(1, t.clashes().size(), t.clashes().toString());
        PricingEngine e = PricingEngine.of(PriceTable.empty(), t, PriceTable.empty());
        assertEquals("openrouter/z-ai/glm-4.5", e.price("openrouter", "z-ai/glm-4.5", null, MILLION_IN_OUT).entryKey());
        assertEquals("openrouter/z-ai/glm-4-5", e.price("openrouter", "z-ai/glm-4-5", null, MILLION_IN_OUT).entryKey());
        assertEquals("openrouter/free", e.price("openrouter", "openrouter/free", null, MILLION_IN_OUT).entryKey(),
                "OpenRouter's own router is not prefixed twice");
        assertEquals(0, new BigDecimal("0.01").compareTo(e.price("openrouter", "acme/search", null, MILLION_IN_OUT).exactUsd()));
    }

    @Test
    void theInvariantCheckerCatchesAPlantedWrongPrice() {
        PriceTable planted = user("""
                models:
                  claude-test-9:
                    input: 3
                    output: 15
                    cache_read: 0.3
                    cache_write: 3.75
                    cache_write_1h: 6
                    tiers:
                      - above_prompt_tokens: 200000
                        input: 6
                        output: 22.5
                        cache_read: 0.6
                        cache_write: 7.5
                  claude-test-8:
                    input: 0.25
                    output: 1.25
                    cache_write_1h: 6
                """);
        List<String> found = PriceInvariants.check(planted);
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.get(0).contains("claude-test-9: cache_write_1h above 200000 prompt tokens is 6, expected 12"), found.get(0));
        assertTrue(found.get(1).contains("claude-test-8: cache_write_1h is 6, expected 0.5"), found.get(1));
    }

    @Test
    void everyShippedLayerKeepsTheInvariantsOrIsOverriddenByACuratedEntryThatSaysWhy() {
        PriceTable curated = PricingEngine.builtinTable();
        assertEquals(List.of(), PriceInvariants.check(curated));
        assertEquals(List.of(), PriceInvariants.check(PricingEngine.openrouterTable()));
        List<String> unexplained = new ArrayList<>();
        for (PriceEntry e : PricingEngine.litellmTable().entries()) {
            List<String> broken = PriceInvariants.check(e);
            if (broken.isEmpty()) {
                continue;
            }
            var over = curated.find(e.key());
            if (over.isEmpty() || over.get().note() == null) {
                unexplained.addAll(broken);
            }
        }
        assertEquals(List.of(), unexplained);
        // The three wrong 1-hour prices LiteLLM has, overridden in the curated layer.
        PricingEngine e = shipped(PriceTable.empty());
        TokenUsage oneHour = new TokenUsage(0, 0, 0, 0, 1_000_000, 0);
        assertEquals(0, new BigDecimal("0.5").compareTo(e.price("anthropic", "claude-3-haiku-20240307", null, oneHour).exactUsd()));
        assertEquals(0, new BigDecimal("30").compareTo(e.price("anthropic", "claude-3-opus-20240229", null, oneHour).exactUsd()));
        assertEquals(0, new BigDecimal("2.400012").compareTo(e.price("anthropic", "claude-sonnet-4-20250514", null,
                new TokenUsage(0, 0, 0, 0, 200_001, 0)).exactUsd()), "$12/M above 200k");
    }

    @Test
    void theShippedLiteLlmLayerIsExactlyWhatTheConverterMakesOfTheRecordedMap() throws Exception {
        String json = Files.readString(dev.plutus.TestSupport.fixtures().resolve("pricing/litellm-model-prices.json"));
        LiteLlmCatalog.Conversion c = LiteLlmCatalog.convert(json, "2026-07-24", PriceOrigin.LITELLM);
        String shipped = Files.readString(Path.of("pricing/litellm.json"), StandardCharsets.UTF_8);
        String body = PriceLayerFile.write(c.entries(), List.of("x"));
        assertEquals(shipped.substring(shipped.indexOf("\"models\"")), body.substring(body.indexOf("\"models\"")));
        assertEquals(c.entries().size(), PricingEngine.litellmTable().size());
        assertEquals(List.of(), PriceLayerFile.read(shipped, "pricing/litellm.json", PriceOrigin.LITELLM).skipped());
        String openrouter = Files.readString(Path.of("pricing/openrouter.json"), StandardCharsets.UTF_8);
        PriceLayerFile.Loaded or = PriceLayerFile.read(openrouter, "pricing/openrouter.json", PriceOrigin.OPENROUTER_SHIPPED);
        assertEquals(List.of(), or.skipped());
        assertEquals(OpenRouterCatalog.parse(Files.readString(dev.plutus.TestSupport.fixtures()
                .resolve("pricing/openrouter-models.json")), "2026-08-08").size(), or.table().size());
    }

    /** A realistic list of ids as Hermes's providers send them: ≥ 98 % priced with no setup, none as another model. */
    @Test
    void hermesModelIdsArePricedWithNoSetupAndNeverAsAnotherModel() throws Exception {
        PricingEngine e = shipped(PriceTable.empty());
        List<String> wrong = new ArrayList<>();
        int total = 0;
        int priced = 0;
        for (String line : Files.readAllLines(Path.of("tests/resources/dev/plutus/pricing/hermes-model-ids.tsv"))) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            total++;
            String got = e.resolve(f[0], f[1]).map(PriceEntry::key).orElse("-");
            if (!got.equals("-")) {
                priced++;
            }
            if (!got.equals(f[2])) {
                wrong.add(f[0] + " " + f[1] + ": expected " + f[2] + ", got " + got);
            }
        }
        assertTrue(total >= 150, "the list holds " + total + " ids");
        assertEquals(List.of(), wrong, "priced as another model, or not as expected");
        assertTrue(priced * 100 >= total * 98, priced + " of " + total + " priced");
    }

    @Test
    void theEngineReadsTheFetchedLiteLlmLayerBeneathTheCuratedTable(@TempDir Path dir) throws Exception {
        HomeLayout home = new HomeLayout(dir);
        Files.writeString(PricingEngine.litellmFetchedFile(home), """
                models:
                  brand-new-model:
                    provider: openai
                    input: 1
                    output: 2
                  claude-opus-4-7:
                    provider: anthropic
                    input: 99
                    output: 99
                """);
        PricingEngine e = PricingEngine.load(home, NOW);
        assertEquals(PriceOrigin.LITELLM_FETCHED, e.price("openai", "brand-new-model", null, MILLION_IN_OUT).entry().origin());
        assertEquals(PriceOrigin.BUILTIN, e.price("anthropic", "claude-opus-4-7", null, MILLION_IN_OUT).entry().origin());
    }
}
