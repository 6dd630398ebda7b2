package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.core.Json;
import dev.plutus.core.TokenUsage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Hermes's recorded hook payloads read into typed events, and what a broken one becomes. */
class HookEventsTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void aRecordedPostApiRequestCarriesItsUsageTimesAndIds() throws Exception {
        JsonNode k = TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        HookEvent.PostApiRequest e = assertInstanceOf(HookEvent.PostApiRequest.class, HookEvents.parse("post_api_request", k, NOW));
        assertEquals(k.path("session_id").asText(), e.sessionId());
        assertEquals(k.path("provider").asText(), e.provider());
        assertEquals(k.path("usage").path("input_tokens").asLong(), e.usage().input());
        assertEquals(k.path("usage").path("cache_read_tokens").asLong(), e.usage().cacheRead());
        assertNull(e.usageProblem());
        assertEquals(Math.round(k.path("api_duration").asDouble() * 1000), e.latencyMillis());
    }

    @Test
    void theBridgesStampIsWhenTheHookFiredAndEndedAtIsWhenTheCallEnded() throws Exception {
        JsonNode k = Json.MAPPER.readTree("{\"session_id\":\"s\",\"_plutus_ts\":1780000000.5,\"ended_at\":1780000001.25,"
                + "\"_plutus_event_id\":\"b-1\",\"usage\":null}");
        HookEvent.PostApiRequest e = (HookEvent.PostApiRequest) HookEvents.parse("post_api_request", k, NOW);
        assertEquals(Instant.ofEpochMilli(1_780_000_000_500L), e.at());
        assertEquals(Instant.ofEpochMilli(1_780_000_001_250L), e.endedAt());
        assertEquals("b-1", e.bridgeEventId());
        assertNull(e.usage(), "no usage reported: the call is estimated");
        HookEvent unstamped = HookEvents.parse("pre_tool_call", Json.MAPPER.readTree("{\"session_id\":\"s\"}"), NOW);
        assertEquals(NOW, unstamped.at(), "without the bridge's stamp the hook fired when it arrived");
    }

    @Test
    void aBrokenUsageIsNamedAndTheCallKeptForAnEstimate() throws Exception {
        JsonNode k = Json.MAPPER.readTree("{\"session_id\":\"s\",\"usage\":{\"input_tokens\":1.5},\"assistant_content_chars\":40,"
                + "\"_plutus_tool_call_chars\":8}");
        HookEvent.PostApiRequest e = (HookEvent.PostApiRequest) HookEvents.parse("post_api_request", k, NOW);
        assertNull(e.usage());
        assertTrue(e.usageProblem().contains("usage.input_tokens is not a whole number"), e.usageProblem());
        assertEquals(48, e.outputChars());
        TokenUsage estimate = new UsageEstimator().estimate(null, "s", e.outputChars());
        assertEquals(12, estimate.output(), "48 characters at four a token");
    }

    @Test
    void argumentsThatAreNotAnObjectAreMalformedAndAnUnknownHookIsKnownAsSuch() throws Exception {
        HookEvents.Malformed m = assertThrows(HookEvents.Malformed.class,
                () -> HookEvents.parse("pre_tool_call", Json.MAPPER.readTree("[1]"), NOW));
        assertEquals("keyword arguments are not a JSON object", m.getMessage());
        HookEvent.Unknown u = assertInstanceOf(HookEvent.Unknown.class, HookEvents.parse("on_moon_rise", Json.MAPPER.readTree("{}"), NOW));
        assertEquals("on_moon_rise", u.name());
        HookEvent.SessionFinalize f = (HookEvent.SessionFinalize) HookEvents.parse("on_session_finalize",
                Json.MAPPER.readTree("{\"old_session_id\":\"old\"}"), NOW);
        assertEquals("old", f.sessionId(), "finalize names the session by its old id when that is all it has");
    }
}
