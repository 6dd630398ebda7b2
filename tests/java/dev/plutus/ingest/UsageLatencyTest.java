package dev.plutus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** /v1/usage takes a call's latency, in range like every other number it takes. */
class UsageLatencyTest {
    private static UsageEvent parse(String json) throws UsageRejected {
        return UsageEventParser.parse(json.getBytes(StandardCharsets.UTF_8)).events().get(0);
    }

    @Test
    void latencyIsAcceptedAndLeftOutWhenNotSent() throws Exception {
        assertEquals(5120, parse("{\"provider\":\"openai\",\"model\":\"gpt-4.1\",\"output_tokens\":10,\"latency_ms\":5120}").latencyMillis());
        assertEquals(0, parse("{\"provider\":\"openai\",\"output_tokens\":10}").latencyMillis());
    }

    @Test
    void latencyOutOfRangeIsRefusedNamingTheField() {
        for (String bad : new String[] {"-1", "1.5", "\"fast\"", "86400001"}) {
            UsageRejected e = assertThrows(UsageRejected.class, () -> parse("{\"provider\":\"openai\",\"latency_ms\":" + bad + "}"), bad);
            assertTrue(e.getMessage().contains("field 'latency_ms'"), e.getMessage());
        }
    }
}
