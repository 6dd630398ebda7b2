package dev.plutus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.CallEvent;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import dev.plutus.ingest.UsageEventParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recorded call's image count reaches its price: per-image models are charged per image, never recorded at a priced $0. */
class PerImageRecordTest {
    private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");

    @Test
    void imagesOfARecordedCallAreChargedAndAnUncountedCallIsUnpricedNotZero(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("pricing.yaml"), "models:\n  painter-1:\n    provider: openai\n    per_image: 0.04\n");
        try (Plutus p = Plutus.open(PlutusConfig.builder(new PlutusHome(home)).clock(Clock.fixed(NOON, ZoneOffset.UTC))
                .environment(java.util.Map.of()).upkeep(false).build())) {
            LlmCall counted = p.record(new CallEvent("img-1", NOON, "s", "api", "openai", "painter-1", null, TokenUsage.of(20, 0),
                    false, 10, null, null, 3)).call();
            assertTrue(counted.priced());
            assertEquals(120_000, counted.costMicros(), "3 images at $0.04");
            LlmCall uncounted = p.record(new CallEvent("img-2", NOON, "s", "api", "openai", "painter-1", null, TokenUsage.of(20, 0),
                    false, 10, null)).call();
            assertFalse(uncounted.priced(), "no image count: unpriced (so provisional counting applies), never a priced $0 call");
        }
        // /v1/usage carries the count to the same place.
        assertEquals(2, UsageEventParser.parse("{\"provider\":\"openai\",\"model\":\"painter-1\",\"images\":2}"
                .getBytes(StandardCharsets.UTF_8)).events().get(0).images());
    }
}
