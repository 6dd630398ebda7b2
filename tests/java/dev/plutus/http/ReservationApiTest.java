package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.budget.ScopeRef;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP pre-check: hold before the call, refuse when the cap is spent or held, end the hold with the usage report. */
@org.junit.jupiter.api.Tag("store")
class ReservationApiTest {
    static HttpResponse<String> send(DaemonHarness d, String method, String path, String key, String body, String... headers) throws Exception {
        return d.send(method, path, body, key, headers);
    }

    @Test
    void holdRefuseSettleAndRelease(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets:\n  global:\n    daily_usd: 0.04\n").start()) {
            String key = d.apiKeys().create("agent").secret();
            String other = d.apiKeys().create("other").secret();
            String call = "{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"input_tokens\":9120}";
            HttpResponse<String> first = send(d, "POST", "/v1/reservations", key, call);
            assertEquals(200, first.statusCode(), first.body());
            JsonNode a = TestSupport.JSON.readTree(first.body());
            assertTrue(a.path("admitted").asBoolean());
            assertEquals(0, new java.math.BigDecimal("0.04272").compareTo(a.path("held_usd").decimalValue()), a.toString());
            String id = a.path("reservation_id").asText();

            JsonNode refused = TestSupport.JSON.readTree(send(d, "POST", "/v1/reservations", key, call).body());
            assertFalse(refused.path("admitted").asBoolean(), "the first call's hold uses up the $0.04");
            assertEquals("hard", refused.path("budget").path("level").asText());
            assertTrue(refused.path("budget").path("message").asText().contains("held for calls in flight"), refused.toString());

            assertEquals(404, send(d, "DELETE", "/v1/reservations/" + id, other, null).statusCode(), "another key cannot release it");
            HttpResponse<String> usage = send(d, "POST", "/v1/usage", key,
                    "{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"input_tokens\":1200,\"output_tokens\":800}",
                    "Plutus-Reservation", id);
            assertEquals(200, usage.statusCode(), usage.body());
            assertEquals(0, d.plutus().reservations().heldMicros(ScopeRef.GLOBAL), "the usage report ended the hold");
            JsonNode next = TestSupport.JSON.readTree(send(d, "POST", "/v1/reservations", key, call).body());
            assertTrue(next.path("admitted").asBoolean(), "$0.0156 spent, nothing held: the next call fits");
            String id2 = next.path("reservation_id").asText();
            assertEquals(204, send(d, "DELETE", "/v1/reservations/" + id2, key, null).statusCode());
            assertEquals(404, send(d, "DELETE", "/v1/reservations/" + id2, key, null).statusCode());

            assertEquals(401, send(d, "POST", "/v1/reservations", null, call).statusCode());
            HttpResponse<String> bad = send(d, "POST", "/v1/reservations", key, "{\"provider\":\"anthropic\",\"input_tokens\":-1}");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("input_tokens"), bad.body());
            assertEquals(400, send(d, "POST", "/v1/reservations", key, "{\"provider\":\"anthropic\",\"prompt\":\"x\"}").statusCode());
            assertEquals(400, send(d, "POST", "/v1/reservations", key, "{\"model\":\"x\"}").statusCode());
            assertEquals(405, send(d, "GET", "/v1/reservations", key, null).statusCode());
        }
    }
}
