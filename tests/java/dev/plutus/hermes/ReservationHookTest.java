package dev.plutus.hermes;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.TestSupport;
import dev.plutus.TestSupport.MutableClock;
import dev.plutus.budget.BudgetConfigParser;
import dev.plutus.budget.ScopeRef;
import dev.plutus.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pre_api_request holds a call's expected cost; post_api_request (or a final error) gives it back. */
@org.junit.jupiter.api.Tag("store")
class ReservationHookTest {
    static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
    /** 9,120 prompt tokens at $3/M plus 1,024 expected output tokens at $15/M. */
    static final long EXPECTED = 27_360 + 15_360;

    static ObjectNode pre(String session, String apiRequestId) throws Exception {
        return ((ObjectNode) TestSupport.hermesJson("pre_api_request.json")).put("session_id", session).put("api_request_id", apiRequestId);
    }

    /** The call's result: 1,000 prompt and 100 output tokens of claude-sonnet-4-6, $0.0045. */
    static ObjectNode post(String session, String apiRequestId) throws Exception {
        ObjectNode post = (ObjectNode) TestSupport.hermesJson("post_api_request-openrouter.json");
        post.put("session_id", session).put("api_request_id", apiRequestId).put("provider", "anthropic").put("model", "claude-sonnet-4-6")
                .put("ended_at", NOON.getEpochSecond());
        ((ObjectNode) post.get("usage")).put("input_tokens", 1000).put("output_tokens", 100).put("cache_read_tokens", 0)
                .put("cache_write_tokens", 0);
        return post;
    }

    /** The call failed for good (not retryable). */
    static ObjectNode finalError(String session, String apiRequestId) throws Exception {
        return ((ObjectNode) TestSupport.hermesJson("api_request_error.json")).put("session_id", session)
                .put("api_request_id", apiRequestId).put("retryable", false);
    }

    @Test
    void aCallInFlightCountsAgainstTheNextOneUntilItsCostIsRecorded(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.04\n");
        MutableClock clock = new MutableClock(NOON, ZoneId.of("UTC"));
        try (TestEngine p = TestSupport.open(home, clock)) {
            assertEquals(HookReply.NOTHING, p.hooks().dispatch("pre_api_request", pre("A", "A:api:1")));
            assertEquals(EXPECTED, p.heldMicros(ScopeRef.GLOBAL));
            HookReply b = p.hooks().dispatch("pre_api_request", pre("B", "B:api:1"));
            assertTrue(b.action() instanceof HookAction.BlockTool block && block.message().contains("$0.043 held for calls in flight"),
                    b.toJson().toString());
            assertEquals(HookReply.NOTHING, p.hooks().dispatch("pre_api_request", pre("A", "A:api:1")), "a retry renews its own hold");
            assertEquals(EXPECTED, p.heldMicros(ScopeRef.GLOBAL), "and is not counted twice");

            p.hooks().dispatch("post_api_request", post("A", "A:api:1"));
            assertEquals(0, p.heldMicros(ScopeRef.GLOBAL), "the real cost replaced the hold");
            assertEquals(4_500, p.ledger().spend(ScopeRef.GLOBAL, dev.plutus.budget.Window.DAILY, NOON).spentMicros());

            assertEquals(HookReply.NOTHING, p.hooks().dispatch("pre_api_request", pre("B", "B:api:1")), "B fits now");
            p.hooks().dispatch("api_request_error", finalError("B", "B:api:1"));
            assertEquals(0, p.heldMicros(ScopeRef.GLOBAL), "a call that failed for good holds nothing");
        }
    }

    /** Two processes on one store: a call in flight on one blocks the other; once its cost is recorded the other fits at once. */
    @Test
    void hostsSharingAStoreSeeEachOthersCallsInFlight(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.04\nreservations:\n  shared: true\n");
        MutableClock clock = new MutableClock(NOON, ZoneId.of("UTC"));
        try (TestEngine a = TestSupport.open(home, clock); TestEngine b = TestSupport.open(home, clock)) {
            assertEquals(HookReply.NOTHING, a.hooks().dispatch("pre_api_request", pre("A", "A:api:1")));
            assertEquals(EXPECTED, b.heldInStoreMicros(ScopeRef.GLOBAL), "B sees A's hold in the store");
            HookReply blocked = b.hooks().dispatch("pre_api_request", pre("B", "B:api:1"));
            assertTrue(blocked.action() instanceof HookAction.BlockTool block && block.message().contains("held for calls in flight"),
                    blocked.toJson().toString());

            a.hooks().dispatch("post_api_request", post("A", "A:api:1"));
            assertEquals(0, b.heldInStoreMicros(ScopeRef.GLOBAL), "near the cap A claimed nothing more: its hold is gone at once");
            assertEquals(HookReply.NOTHING, b.hooks().dispatch("pre_api_request", pre("B", "B:api:1")), "B fits now, with no wait");
            b.hooks().dispatch("api_request_error", finalError("B", "B:api:1"));
            assertEquals(0, a.heldInStoreMicros(ScopeRef.GLOBAL), "a call that failed for good holds nothing anywhere");
        }
    }

    /** Refused only for what is held: the words say so, not "exhausted", and tools stay allowed. */
    @Test
    void aCallRefusedForWhatIsHeldSaysItDoesNotFitNotThatTheBudgetIsExhausted(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.045\n");
        MutableClock clock = new MutableClock(NOON, ZoneId.of("UTC"));
        try (TestEngine p = TestSupport.open(home, clock)) {
            p.hooks().dispatch("pre_api_request", pre("A", "A:api:0"));
            p.hooks().dispatch("post_api_request", post("A", "A:api:0")); // $0.0045 spent: 10 % of the limit
            assertEquals(HookReply.NOTHING, p.hooks().dispatch("pre_api_request", pre("A", "A:api:1")));
            HookReply b = p.hooks().dispatch("pre_api_request", pre("B", "B:api:1"));
            String said = b.action() instanceof HookAction.BlockTool block ? block.message() : b.toJson().toString();
            assertEquals("Plutus: the next call's expected cost ($0.043) does not fit in what is left of global daily ($0.041 of"
                    + " $0.045, with $0.043 held for calls in flight). This call is cut short; spend is $0.0045 (10%), under the limit,"
                    + " so tools are still allowed.", said);
            assertFalse(said.contains("exhausted"), said);
            ObjectNode tool = ((ObjectNode) TestSupport.hermesJson("pre_tool_call.json")).put("session_id", "B");
            assertFalse(p.hooks().dispatch("pre_tool_call", tool).action() instanceof HookAction.BlockTool, "tools are still allowed");

            // /budget says why B was cut short, though no scope reads hard: what is held, and the refused call.
            var shown = p.commands().run("budget", "");
            assertTrue(shown.text().contains("held:$0.043"), shown.text());
            assertTrue(shown.text().contains("Model calls cut short lately"), shown.text());
            assertTrue(shown.text().contains("12:00:00  session B  global daily: expected cost $0.043 did not fit: $0.0045 spent"
                    + " + $0.043 held for calls in flight, of $0.045 (tools still allowed)"), shown.text());
            assertEquals("ok", shown.json().get("scopes").get(0).get("level").asText(), "no scope is hard: " + shown.text());
            var refused = shown.json().get("refused_calls");
            assertEquals(1, refused.size(), refused.toString());
            assertEquals("B", refused.get(0).get("session_id").asText());
            assertEquals("held", refused.get(0).get("cause").asText());
            assertEquals(EXPECTED, Math.round(refused.get(0).get("held_usd").asDouble() * 1e6));
            assertEquals(EXPECTED, Math.round(shown.json().get("scopes").get(0).get("held_usd").asDouble() * 1e6));

            // A call refused because the spend itself reached the limit says that, and the refusal ages out after an hour.
            p.hooks().dispatch("post_api_request", post("A", "A:api:1"));
            for (int i = 2; i < 12; i++) {
                p.hooks().dispatch("pre_api_request", pre("A", "A:api:" + i));
                p.hooks().dispatch("post_api_request", post("A", "A:api:" + i));
            }
            p.hooks().dispatch("pre_api_request", pre("C", "C:api:1"));
            String later = p.commands().run("budget", "").text();
            assertTrue(later.contains("session C  global daily: spend $0.054 of $0.045 reached the hard limit"), later);
            clock.advance(Duration.ofMinutes(61));
            assertFalse(p.commands().run("budget", "").text().contains("cut short lately"), "an hour later the list is empty");
        }
    }

    @Test
    void aHoldThatIsNeverSettledExpires(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.04\nreservations:\n  ttl: 1m\n");
        MutableClock clock = new MutableClock(NOON, ZoneId.of("UTC"));
        try (TestEngine p = TestSupport.open(home, clock)) {
            p.hooks().dispatch("pre_api_request", pre("A", "A:api:1"));
            assertTrue(p.hooks().dispatch("pre_api_request", pre("B", "B:api:1")).action() instanceof HookAction.BlockTool);
            clock.advance(Duration.ofSeconds(61));
            assertEquals(HookReply.NOTHING, p.hooks().dispatch("pre_api_request", pre("B", "B:api:1")), "A's hold ran out");
            assertEquals(EXPECTED, p.heldMicros(ScopeRef.GLOBAL), "only B holds now");
        }
    }

    @Test
    void reservationsCanBeTurnedOffAndTheirSettingsAreChecked(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.04\nreservations:\n  enabled: false\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            p.hooks().dispatch("pre_api_request", pre("A", "A:api:1"));
            assertFalse(p.hooks().dispatch("pre_api_request", pre("B", "B:api:1")).action() instanceof HookAction.BlockTool);
            assertEquals(0, p.heldMicros(ScopeRef.GLOBAL));
        }
        ConfigException e = assertThrows(ConfigException.class, () -> BudgetConfigParser.parse(
                "reservations:\n  expected_output_tokens: -3\n", "budget.yaml", ZoneId.of("UTC")));
        assertEquals("budget.yaml:2: reservations.expected_output_tokens: must not be negative", e.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> BudgetConfigParser.parse("reservations:\n  ttl: soon\n", "budget.yaml",
                ZoneId.of("UTC"))).getMessage().startsWith("budget.yaml:2: reservations.ttl: expected a duration"));
        assertTrue(assertThrows(ConfigException.class, () -> BudgetConfigParser.parse("reservations:\n  share: true\n", "budget.yaml",
                ZoneId.of("UTC"))).getMessage().contains("unknown field"));
    }
}
