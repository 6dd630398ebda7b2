package dev.plutus.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Prices of one model in USD per million tokens, exact. {@code reasoning} null means reasoning is
 * billed as output. {@code variablePrice} marks routers whose price is only known per request.
 * {@code perRequest} and {@code perImage} are USD per request and per image (null: none).
 *
 * <p>Prices change: {@code effectiveFrom} is when these prices took effect (null: always), and
 * {@code changes} are later prices of the same model, each complete and with its own
 * {@code effectiveFrom}; {@code windows} are time-of-day prices within a period. {@code defaulted}
 * names the classes the file left out (filled from defaults), which a lower layer's entry for the
 * same model may supply instead. {@code note} says why a curated entry differs from upstream.
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
        PriceOrigin origin,
        BigDecimal perRequest,
        BigDecimal perImage,
        Instant effectiveFrom,
        List<PriceEntry> changes,
        List<PriceWindow> windows,
        Set<String> defaulted,
        String note) {

    /** Classes a lower layer may fill when the file omitted them. */
    public static final List<String> INHERITABLE = List.of("cache_read", "cache_write", "cache_write_1h", "reasoning",
            "per_request", "per_image", "tiers");

    public PriceEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(cacheRead, "cache_read");
        Objects.requireNonNull(cacheWrite, "cache_write");
        Objects.requireNonNull(cacheWrite1h, "cache_write_1h");
        tiers = tiers.stream().sorted(Comparator.comparingLong(PriceTier::abovePromptTokens)).toList();
        aliases = List.copyOf(aliases);
        changes = changes == null ? List.of() : changes.stream()
                .sorted(Comparator.comparing(PriceEntry::effectiveFrom)).toList();
        windows = windows == null ? List.of() : List.copyOf(windows);
        defaulted = defaulted == null ? Set.of() : Set.copyOf(defaulted);
    }

    public PriceEntry(String key, String provider, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
            BigDecimal cacheWrite, BigDecimal cacheWrite1h, BigDecimal reasoning, List<PriceTier> tiers,
            List<String> aliases, boolean variablePrice, String source, String asOf, PriceOrigin origin) {
        this(key, provider, input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning, tiers, aliases,
                variablePrice, source, asOf, origin, null, null, null, List.of(), List.of(), Set.of(), null);
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

    /**
     * True when this entry's prices had taken effect by {@code t}: an entry whose first
     * {@code effective_from} is later prices no call made before it (the lookup goes on to the next layer).
     */
    public boolean inForceAt(Instant t) {
        return effectiveFrom == null || !effectiveFrom.isAfter(t);
    }

    /** The dated period in force at {@code t}: the latest change that took effect by then, else this entry. */
    public PriceEntry periodAt(Instant t) {
        PriceEntry in = this;
        for (PriceEntry c : changes) {
            if (!c.effectiveFrom().isAfter(t)) {
                in = c;
            }
        }
        return in;
    }

    /** The time-of-day window of this period covering {@code t}, or null. */
    public PriceWindow windowAt(Instant t) {
        for (PriceWindow w : windows) {
            if (w.covers(t)) {
                return w;
            }
        }
        return null;
    }

    /** The flat prices a call at {@code t} pays: dated period, then time-of-day window. */
    public PriceEntry pricesAt(Instant t) {
        PriceEntry period = periodAt(t);
        PriceWindow w = period.windowAt(t);
        return w != null ? w.prices() : period;
    }

    /** This entry with the classes its file omitted taken from {@code lower} (same model, a lower layer). */
    public PriceEntry inheritingFrom(PriceEntry lower) {
        if (defaulted.isEmpty() || lower == null) {
            return this;
        }
        BigDecimal cr = defaulted.contains("cache_read") ? lower.cacheRead() : cacheRead;
        BigDecimal cw = defaulted.contains("cache_write") ? lower.cacheWrite() : cacheWrite;
        BigDecimal cw1h = defaulted.contains("cache_write_1h") ? lower.cacheWrite1h() : cacheWrite1h;
        BigDecimal r = defaulted.contains("reasoning") ? lower.reasoning() : reasoning;
        BigDecimal pr = defaulted.contains("per_request") ? lower.perRequest() : perRequest;
        BigDecimal pi = defaulted.contains("per_image") ? lower.perImage() : perImage;
        List<PriceTier> t = defaulted.contains("tiers") ? lower.tiers() : tiers;
        return new PriceEntry(key, provider, input, output, cr, cw, cw1h, r, t, aliases, variablePrice, source, asOf,
                origin, pr, pi, effectiveFrom, List.of(), List.of(), Set.of(), note);
    }

    /** True when a call is billed something besides tokens. */
    public boolean hasNonTokenPrice() {
        return (perRequest != null && perRequest.signum() > 0) || (perImage != null && perImage.signum() > 0);
    }
}
