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
                + "\"_plutus_tool_call_chars\":8,\"_plutus_approx_input_tokens\":900}");
        HookEvent.PostApiRequest e = (HookEvent.PostApiRequest) HookEvents.parse("post_api_request", k, NOW);
        assertNull(e.usage());
        assertTrue(e.usageProblem().contains("usage.input_tokens is not a whole number"), e.usageProblem());
        assertEquals(48, e.outputChars());
        assertEquals(900, e.requestApproxInputTokens());
        TokenUsage estimate = new UsageEstimator().estimate(null, "s", e.requestApproxInputTokens(), e.outputChars());
        assertEquals(12, estimate.output(), "48 characters at four a token");
        assertEquals(900, estimate.input(), "the request's size, as the bridge carried it");
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
    private static java.util.List<String> notes(String event, String kwargs) throws Exception {
        java.util.List<String> notes = new java.util.ArrayList<>();
        HookEvents.parse(event, Json.MAPPER.readTree(kwargs), NOW, notes::add);
        return notes;
    }

    @Test
    void timesNoCallCanHaveBecomeTheArrivalTimeAndEachSaysWhy() throws Exception {
        long now = NOW.getEpochSecond();
        for (String[] c : new String[][] {
                {Long.toString(now + 86_400), "is in the future by more than 5 minutes (2026-06-02T12:00:00Z)"},
                {Long.toString(now * 1000), "is in the future by more than 5 minutes (+58385-"},
                {"1e300", "is not a time in Unix seconds"},
                {"-1e300", "is not a time in Unix seconds"},
                {"\"tomorrow\"", "is not a time in Unix seconds"},
                {"1", "is before 2000-01-01T00:00:00Z (1970-01-01T00:00:01Z)"}}) {
            java.util.List<String> notes = new java.util.ArrayList<>();
            HookEvent.PostApiRequest e = (HookEvent.PostApiRequest) HookEvents.parse("post_api_request",
                    Json.MAPPER.readTree("{\"session_id\":\"s\",\"ended_at\":" + c[0] + "}"), NOW, notes::add);
            assertEquals(NOW, e.endedAt(), c[0]);
            assertEquals(1, notes.size(), c[0] + ": " + notes);
            assertTrue(notes.get(0).startsWith("ended_at " + c[0].replace("1e300", "1.0E300") + " " + c[1]), notes.get(0));
            assertTrue(notes.get(0).endsWith("; the time the hook arrived is used"), notes.get(0));
        }
        // The bridge's stamp is checked the same way, and a stamp inside the slack is kept without a note.
        assertEquals(java.util.List.of("_plutus_ts 1.0E300 is not a time in Unix seconds; the time the hook arrived is used"),
                notes("pre_tool_call", "{\"session_id\":\"s\",\"_plutus_ts\":1e300}"));
        assertEquals(java.util.List.of(), notes("post_api_request", "{\"session_id\":\"s\",\"_plutus_ts\":" + (now + 240)
                + ",\"ended_at\":" + (now - 5) + "}"));
        String far = "1" + "0".repeat(40);
        assertEquals("ended_at " + far.substring(0, 40) + "… is not a time in Unix seconds; the time the hook arrived is used",
                notes("post_api_request", "{\"ended_at\":" + far + "}").get(0), "a long number is cut short in the note");
    }

    @Test
    void durationsAndTokenCountsOutOfRangeAreHeldToItAndEachSaysSo() throws Exception {
        HookEvent.PostApiRequest slow = (HookEvent.PostApiRequest) HookEvents.parse("post_api_request",
                Json.MAPPER.readTree("{\"api_duration\":1e300}"), NOW, n -> { });
        assertEquals(86_400_000L, slow.latencyMillis());
        assertEquals(java.util.List.of("api_duration 1.0E300 held to 86400000 ms"), notes("post_api_request", "{\"api_duration\":1e300}"));
        assertEquals(java.util.List.of("api_duration -2.5 held to 0 ms"), notes("post_api_request", "{\"api_duration\":-2.5}"));
        assertEquals(java.util.List.of("duration_ms 90000000000 held to 86400000 ms"),
                notes("post_tool_call", "{\"duration_ms\":90000000000}"));
        assertEquals(java.util.List.of(), notes("post_api_request", "{\"api_duration\":2.5}"), "in range: no note");

        HookEvent.PreApiRequest big = (HookEvent.PreApiRequest) HookEvents.parse("pre_api_request",
                Json.MAPPER.readTree("{\"approx_input_tokens\":1e20,\"max_tokens\":-7}"), NOW, n -> { });
        assertEquals(1_000_000_000_000L, big.approxInputTokens());
        assertEquals(0L, big.maxTokens());
        assertEquals(java.util.List.of("approx_input_tokens 1.0E20 held to 1000000000000"),
                notes("pre_api_request", "{\"approx_input_tokens\":1e20}"));
        assertEquals(java.util.List.of("approx_input_tokens -5 held to 0"), notes("pre_api_request", "{\"approx_input_tokens\":-5}"));
        assertEquals(java.util.List.of(), notes("pre_api_request", "{\"approx_input_tokens\":1200}"));
    }
}
