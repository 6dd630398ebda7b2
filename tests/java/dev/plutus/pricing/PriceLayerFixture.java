package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Price layers for the pricing tests: a layer written as a real file and read back by the parser the
 * engine uses, engines stacked from the shipped tables or from a test's own layers, priced on one fixed
 * day, and money compared to the digit.
 */
final class PriceLayerFixture {
    /** The day the tests price on. */
    static final Clock NOW = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
    /** A snapshot of LiteLLM's model_prices_and_context_window.json, as fetched. */
    static final Path LITELLM_FIXTURE = Path.of("tests/fixtures/pricing/litellm-model-prices.json");
    /** A snapshot of OpenRouter's /api/v1/models answer, as fetched. */
    static final Path OPENROUTER_FIXTURE = Path.of("tests/fixtures/pricing/openrouter-models.json");

    private final Path dir;

    /** Layers written under {@code dir} (a test's temporary directory). */
    PriceLayerFixture(Path dir) {
        this.dir = dir;
    }

    /** A layer as a real file, read back by the parser the engine uses. */
    PriceTable layer(String name, String yaml, PriceOrigin origin) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return PriceTableParser.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), origin);
    }

    /** The shipped tables (OpenRouter's, the curated one, LiteLLM's) under {@code user}. */
    static PricingEngine shipped(PriceTable user) {
        return PricingEngine.of(user, PriceTable.empty(), PricingEngine.openrouterTable(), PricingEngine.builtinTable(),
                PriceTable.empty(), PricingEngine.litellmTable(), NOW);
    }

    /** Only a test's own layers: {@code user} over {@code curated} over {@code litellm}, nothing shipped. */
    static PricingEngine engine(PriceTable user, PriceTable curated, PriceTable litellm) {
        return PricingEngine.of(user, PriceTable.empty(), PriceTable.empty(), curated, PriceTable.empty(), litellm, NOW);
    }

    static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected " + expected + ", got " + actual.toPlainString());
    }

    /** The call is priced, at exactly {@code expected} dollars. */
    static void assertUsd(String expected, CallCost c) {
        assertTrue(c.priced(), () -> "unpriced: " + c.unpricedReason());
        assertEquals(0, new BigDecimal(expected).compareTo(c.exactUsd()), () -> "expected $" + expected + ", got $" + c.exactUsd()
                + " from " + c.entryKey());
    }
}
