package dev.plutus.core;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/**
 * The two configured JSON mappers every part of Plutus shares (a mapper is thread-safe once built
 * and costly to build): one for everyday JSON, and one for bodies that carry money.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /**
     * Every decimal read as a {@link java.math.BigDecimal} and kept digit for digit (0.1 is one
     * tenth, 0.015600 stays 0.015600 in a replay); a repeated member or trailing text is refused
     * rather than guessed at ({"input_tokens": 5, "input_tokens": 500}).
     */
    public static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private Json() {}
}
