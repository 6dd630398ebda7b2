package dev.plutus.pricing;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Prices of one model in USD per million tokens, exact. {@code reasoning} null means reasoning is
 * billed as output. {@code variablePrice} marks routers whose price is only known per request.
 */
public record PriceEntry(
        String key,
        String provider,
        BigDecimal input,
        BigDecimal output,
        BigDecimal cacheRead,
        BigDecimal cacheWrite,
        BigDecimal cacheWrite1h,
        BigDecimal reasoning,
        List<PriceTier> tiers,
        List<String> aliases,
        boolean variablePrice,
        String source,
        String asOf,
        PriceOrigin origin) {

    public PriceEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(cacheRead, "cache_read");
        Objects.requireNonNull(cacheWrite, "cache_write");
        Objects.requireNonNull(cacheWrite1h, "cache_write_1h");
        tiers = tiers.stream().sorted(Comparator.comparingLong(PriceTier::abovePromptTokens)).toList();
        aliases = List.copyOf(aliases);
    }

    /** The tier that applies to a request with this many prompt tokens, or null for base prices. */
    public PriceTier tierFor(long promptTokens) {
        PriceTier applies = null;
        for (PriceTier t : tiers) {
            if (promptTokens > t.abovePromptTokens()) {
                applies = t;
            }
        }
        return applies;
    }

    public BigDecimal reasoningOrOutput() {
        return reasoning != null ? reasoning : output;
    }
}
