package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.config.ConfigException;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON form of the machine-written price layers: one bad entry costs only itself. */
class PriceLayerFileTest {
    private static final String GOOD = "\"provider\":\"openai\",\"input\":1,\"output\":2";

    @Test
    void eachBadEntryIsSkippedWithItsReasonAndTheRestLoads() {
        String json = "{\"schema\":1,\"models\":{\n"
                + "\"good-a\":{" + GOOD + "},\n"
                + "\"GOOD-A\":{\"input\":9,\"output\":9},\n"
                + "\"line\\nbreak\":{" + GOOD + "},\n"
                + "\"huge-tier\":{" + GOOD + ",\"tiers\":[{\"above_prompt_tokens\":1e15,\"input\":3}]},\n"
                + "\"word-tier\":{" + GOOD + ",\"tiers\":[{\"above_prompt_tokens\":200000,\"input\":\"lots\"}]},\n"
                + "\"dear\":{\"input\":10001,\"output\":1},\n"
                + "\"long-number\":{\"input\":0.10000000000000000000000000000000000000001,\"output\":1},\n"
                + "\"stranger\":{" + GOOD + ",\"colour\":\"blue\"},\n"
                + "\"good-b\":{\"input\":0.5,\"output\":1.5,\"cache_read\":0.05,\"tiers\":[{\"above_prompt_tokens\":128000,\"input\":1}]}\n"
                + "}}";
        PriceLayerFile.Loaded l = PriceLayerFile.read(json, "pricing.fetched.yaml", PriceOrigin.FETCHED);
        assertEquals(List.of("good-a", "good-b"), l.table().entries().stream().map(PriceEntry::key).toList());
        List<String> s = l.skipped();
        assertEquals(7, s.size(), s.toString());
        assertTrue(s.get(0).startsWith("'GOOD-A': the id is given twice"), s.get(0));
        assertTrue(s.get(1).startsWith("'line\\u000abreak': the id holds a control character"), s.get(1));
        assertTrue(s.get(2).contains("above_prompt_tokens must be a whole number from 0 to 1000000000"), s.get(2));
        assertTrue(s.get(3).contains("input is no number: lots"), s.get(3));
        assertTrue(s.get(4).contains("must be at most 10000"), s.get(4));
        assertTrue(s.get(5).contains("characters long"), s.get(5));
        assertTrue(s.get(6).contains("unknown field 'colour'"), s.get(6));
        PriceEntry b = l.table().find("good-b").orElseThrow();
        assertEquals(0, new BigDecimal("0.625").compareTo(b.cacheWrite()), "an omitted class takes the documented default");
        assertEquals(128_000, b.tierFor(200_000).abovePromptTokens());
    }

    @Test
    void whatIsWrittenReadsBackAsTheSameEntries() {
        List<PriceEntry> entries = List.of(
                new PriceEntry("openrouter/acme/x\u2028y", "openrouter", new BigDecimal("0.3"), BigDecimal.ONE,
                        new BigDecimal("0.03"), new BigDecimal("0.375"), new BigDecimal("0.6"), new BigDecimal("2"),
                        List.of(new PriceTier(200_000, new BigDecimal("0.6"), null, null, null, null)), List.of(), false,
                        "quote \" and backslash \\", "2026-08-08", PriceOrigin.FETCHED),
                new PriceEntry("acme/y", "acme", new BigDecimal("1E-7"), new BigDecimal("4"), BigDecimal.ZERO, BigDecimal.ONE,
                        BigDecimal.ONE, null, List.of(), List.of(), false, null, null, PriceOrigin.FETCHED));
        PriceLayerFile.Loaded l = PriceLayerFile.read(PriceLayerFile.write(entries, List.of("about", "line \"two\"")), "t",
                PriceOrigin.FETCHED);
        assertEquals(1, l.table().size(), "the id with a line separator is skipped: " + l.skipped());
        PriceEntry y = l.table().find("acme/y").orElseThrow();
        assertEquals(0, new BigDecimal("0.0000001").compareTo(y.input()), "exact, written as a plain decimal");
        assertEquals(0, new BigDecimal("4").compareTo(y.output()));
    }

    @Test
    void aFileThatIsNoTableIsRefusedWhole() {
        assertThrows(ConfigException.class, () -> PriceLayerFile.read("{\"data\":[]}", "f", PriceOrigin.FETCHED));
        assertThrows(ConfigException.class, () -> PriceLayerFile.read("{\"models\":{}} trailing", "f", PriceOrigin.FETCHED));
        assertThrows(ConfigException.class, () -> PriceLayerFile.read("{\"models\":{\"a\":", "f", PriceOrigin.FETCHED));
    }
}
