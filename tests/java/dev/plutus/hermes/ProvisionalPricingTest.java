package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import dev.plutus.TestSupport.MutableClock;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Verdict;
import dev.plutus.budget.Window;
import dev.plutus.core.LlmCall;
import dev.plutus.pricing.PriceEntry;
import dev.plutus.pricing.PricingEngine;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, point 5: a call to a model with no known price is counted at a provisional price, so a
 * hard cap holds against it; the amount is marked provisional everywhere it is shown, the
 * conversation is told once, and a real price re-prices the stored calls and the verdict.
 */
@Tag("store")
class ProvisionalPricingTest {
    private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
    private static final String DOLLAR_A_DAY = "budgets:\n  global:\n    daily_usd: 1\n";
    private static final String SESSION = "20261124_101500_a1b2c3";

    private static TestEngine open(Path home, String budgetYaml) throws IOException {
        Files.createDirectories(home);
        Files.writeString(home.resolve("budget.yaml"), budgetYaml);
        return TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")));
    }

    /** A post_api_request of {@code output} output tokens and nothing else, to a model no table lists. */
    private static ObjectNode call(String session, String provider, String model, long output, String requestId) throws IOException {
        ObjectNode k = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        k.put("session_id", session).put("task_id", session).put("provider", provider).put("model", model)
                .put("response_model", model).put("api_request_id", requestId);
        for (JsonNode usage : new JsonNode[] {k.get("usage"), k.get("response").get("usage")}) {
            ((ObjectNode) usage).put("input_tokens", 0).put("output_tokens", output).put("cache_read_tokens", 0)
                    .put("cache_write_tokens", 0).put("prompt_tokens", 0).put("total_tokens", output);
        }
        ((ObjectNode) k.get("response")).put("model", model);
        return k;
    }

    private static ObjectNode withSession(String fixture, String session) throws IOException {
        ObjectNode k = (ObjectNode) TestSupport.hermesJson(fixture);
        return k.put("session_id", session).put("task_id", session);
    }

    private static String preLlmCall(TestEngine p, String session) throws IOException {
        return p.hooks().dispatch("pre_llm_call", withSession("pre_llm_call.json", session)).toJson().path("context").asText("");
    }

    @Test
    void aDollarCapBlocksAMillionOutputTokensOfAnUnknownModel(@TempDir Path home) throws Exception {
        try (TestEngine p = open(home, DOLLAR_A_DAY)) {
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 1_000_000, "r1"));

            LlmCall stored = p.calls().recent(1).get(0);
            assertTrue(stored.provisional() && !stored.priced(), "stored as provisional, not as priced");
            assertEquals(PricingEngine.FALLBACK_KEY, stored.priceEntry(), "acme has no price at all: the fallback");
            assertEquals(75_000_000, stored.costMicros(), "1M output tokens at the documented $75 per million");

            assertInstanceOf(Verdict.Hard.class, p.checkSession(SESSION).verdict());
            JsonNode tool = p.hooks().dispatch("pre_tool_call", withSession("pre_tool_call.json", SESSION)).toJson();
            assertEquals("block", tool.path("action").asText(), tool.toString());
        }
    }

    @Test
    void anUnknownModelOfAKnownProviderCountsAtThatProvidersDearestPrice(@TempDir Path home) throws Exception {
        try (TestEngine p = open(home, DOLLAR_A_DAY)) {
            PriceEntry standIn = p.pricing().standIn("anthropic");
            assertEquals("anthropic", standIn.provider());
            for (PriceEntry e : PricingEngine.builtinTable().entries()) {
                if ("anthropic".equals(e.provider())) {
                    assertTrue(standIn.output().compareTo(e.output()) >= 0, e.key() + " is dearer than " + standIn.key());
                }
            }
            p.hooks().dispatch("post_api_request", call(SESSION, "anthropic", "claude-mystery-9", 1_000_000, "r1"));
            LlmCall stored = p.calls().recent(1).get(0);
            assertEquals(standIn.key(), stored.priceEntry());
            assertEquals(standIn.output().movePointRight(6).longValueExact(), stored.costMicros());
            assertInstanceOf(Verdict.Hard.class, p.checkSession(SESSION).verdict());
        }
    }

    @Test
    void aCallInFlightToAnUnknownModelIsHeldAtTheStandInPrice(@TempDir Path home) throws Exception {
        try (TestEngine p = open(home, DOLLAR_A_DAY)) {
            // 1024 expected output tokens at $75 per million: $0.0768 held.
            var held = p.reserve(new dev.plutus.core.CallIntent("api:1", SESSION, "cli", "acme", "mystery-1", 0, null));
            assertInstanceOf(dev.plutus.budget.ReservationBook.Outcome.Admitted.class, held);
            assertEquals(76_800, p.heldMicros(ScopeRef.GLOBAL));
            var big = p.reserve(new dev.plutus.core.CallIntent("api:2", SESSION, "cli", "acme", "mystery-1", 20_000, null));
            assertEquals(76_800 + 20_000 * 15 + 76_800, p.heldMicros(ScopeRef.GLOBAL), "prompt tokens at the stand-in input price");
            assertInstanceOf(dev.plutus.budget.ReservationBook.Outcome.Admitted.class, big);
        }
    }

    @Test
    void provisionalAmountsAreMarkedInStatsAndBudget(@TempDir Path home) throws Exception {
        try (TestEngine p = open(home, DOLLAR_A_DAY)) {
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 1_000_000, "r1"));
            p.hooks().dispatch("post_api_request", TestSupport.hermesJson("post_api_request-anthropic-cache.json"));
            for (boolean rolledUp : new boolean[] {false, true}) {
                if (rolledUp) {
                    p.rollups().catchUp();
                }
                var stats = p.commands().run("stats", "");
                assertTrue(stats.text().contains("($75.00 provisional)"), stats.text());
                assertTrue(stats.text().contains("1 call(s) used models with no known price and are counted at provisional prices"),
                        stats.text());
                assertEquals(1, stats.json().path("usage").path("provisional_calls").asLong(), stats.json().toString());
                assertEquals(0, new BigDecimal("75").compareTo(stats.json().path("usage").path("provisional_usd").decimalValue()));
                String models = p.commands().run("stats", "models").text();
                assertTrue(models.lines().anyMatch(l -> l.contains("mystery-1") && l.contains("$75.00 provisional")), models);
                assertTrue(models.lines().anyMatch(l -> l.contains("claude-sonnet-4-6") && !l.contains("provisional")), models);
            }
            var budget = p.commands().run("budget", "");
            assertTrue(budget.text().contains("~provisional:$75.00"), budget.text());
            JsonNode scope = budget.json().path("scopes").get(0);
            assertEquals(0, new BigDecimal("75").compareTo(scope.path("provisional_usd").decimalValue()), scope.toString());
            assertTrue(p.commands().run("stats", "raw").text().contains("provisional"));
        }
    }

    @Test
    void theConversationIsToldOncePerSessionAndModel(@TempDir Path home) throws Exception {
        try (TestEngine p = open(home, "budgets: {}\n")) {
            assertFalse(preLlmCall(p, SESSION).contains("no known price"));
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 1000, "r1"));
            String first = preLlmCall(p, SESSION);
            assertTrue(first.contains("Model 'mystery-1' (provider acme) has no known price")
                    && first.contains("$15 in / $75 out per million tokens"), first);
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 1000, "r2"));
            assertFalse(preLlmCall(p, SESSION).contains("no known price"), "the same model is not announced again");

            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-2", 1000, "r3"));
            String other = preLlmCall(p, SESSION);
            assertTrue(other.contains("'mystery-2'") && !other.contains("'mystery-1'"), other);

            p.hooks().dispatch("post_api_request", call("20261124_120000_bbbbbb", "acme", "mystery-1", 1000, "r4"));
            assertTrue(preLlmCall(p, "20261124_120000_bbbbbb").contains("'mystery-1'"), "another conversation is told too");
        }
        try (TestEngine p = open(home, "budgets: {}\n")) {
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 1000, "r5"));
            assertFalse(preLlmCall(p, SESSION).contains("no known price"), "not again after a restart");
            assertEquals(5_000 * 75, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).provisionalMicros(),
                    "the rebuilt totals know which spend is provisional");
        }
    }

    @Test
    void aPriceThatAppearsRepricesStoredCallsAndTheVerdictFollows(@TempDir Path home) throws Exception {
        try (TestEngine p = open(home, DOLLAR_A_DAY); TestEngine other = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 1_000_000, "r1"));
            p.rollups().catchUp();
            other.syncLedger();
            assertInstanceOf(Verdict.Hard.class, p.checkSession(SESSION).verdict());
            assertInstanceOf(Verdict.Hard.class, other.check(java.util.List.of(ScopeRef.GLOBAL)).verdict());

            // A new stand-in price re-prices the call, which stays provisional.
            Files.writeString(home.resolve("pricing.yaml"), "provisional_fallback:\n  input: 1\n  output: 2\n");
            p.reloadIfChanged();
            LlmCall standIn = p.calls().recent(1).get(0);
            assertTrue(standIn.provisional());
            assertEquals(2_000_000, standIn.costMicros());
            assertInstanceOf(Verdict.Hard.class, p.checkSession(SESSION).verdict(), "$2 of $1");

            // The model's own price: the call is priced, its rollup and every process's totals follow.
            Files.writeString(home.resolve("pricing.yaml"), "models:\n  mystery-1:\n    provider: acme\n    input: 0.1\n    output: 0.1\n");
            p.reloadIfChanged();
            LlmCall priced = p.calls().recent(1).get(0);
            assertTrue(priced.priced() && !priced.provisional());
            assertEquals(100_000, priced.costMicros());
            assertEquals("mystery-1", priced.priceEntry());
            assertEquals(Verdict.OK, p.checkSession(SESSION).verdict());
            assertEquals(100_000, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
            assertEquals(0, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).provisionalMicros());

            JsonNode usage = p.commands().run("stats", "").json().path("usage");
            assertEquals(0, new BigDecimal("0.1").compareTo(usage.path("cost_usd").decimalValue()), usage.toString());
            assertEquals(0, usage.path("unpriced_calls").asLong());
            assertEquals(0, usage.path("provisional_calls").asLong());

            other.reloadIfChanged();
            assertEquals(Verdict.OK, other.check(java.util.List.of(ScopeRef.GLOBAL)).verdict(), "the other process follows");
            assertEquals(100_000, other.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
        }
    }

    @Test
    void warnOnlyKeepsTheOldZeroAndEnforceStillBlocks(@TempDir Path home) throws Exception {
        try (TestEngine p = open(home.resolve("warn"), DOLLAR_A_DAY + "on_unpriced: warn_only\n")) {
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 1_000_000, "r1"));
            LlmCall stored = p.calls().recent(1).get(0);
            assertFalse(stored.provisional() || stored.priced());
            assertEquals(0, stored.costMicros());
            assertEquals(Verdict.OK, p.checkSession(SESSION).verdict());
            assertFalse(preLlmCall(p, SESSION).contains("no known price"));
        }
        try (TestEngine p = open(home.resolve("enforce"), DOLLAR_A_DAY + "on_unpriced: {mode: enforce}\n")) {
            p.hooks().dispatch("post_api_request", call(SESSION, "acme", "mystery-1", 10, "r1"));
            assertTrue(p.checkSession(SESSION).verdict() instanceof Verdict.Hard h && h.cause().unpricedHard());
        }
    }
}
