package dev.plutus.pricing;

import java.math.BigDecimal;

/**
 * Long-context prices: when a request's prompt exceeds {@code abovePromptTokens}, every token of
 * it is charged at these prices. A null price keeps the entry's base price for that class.
 */
public record PriceTier(long abovePromptTokens, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
                        BigDecimal cacheWrite, BigDecimal cacheWrite1h) {
}
