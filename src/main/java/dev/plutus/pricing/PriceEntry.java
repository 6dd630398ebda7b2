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
 * {@code estimated} names the classes whose price is an estimate, not read from a source: a call
 * billed any tokens of such a class is flagged "price estimated".
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
        String note,
        Set<String> estimated) {

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
        estimated = estimated == null ? Set.of() : Set.copyOf(estimated);
    }

    public PriceEntry(String key, String provider, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
            BigDecimal cacheWrite, BigDecimal cacheWrite1h, BigDecimal reasoning, List<PriceTier> tiers,
            List<String> aliases, boolean variablePrice, String source, String asOf, PriceOrigin origin,
            BigDecimal perRequest, BigDecimal perImage, Instant effectiveFrom, List<PriceEntry> changes,
            List<PriceWindow> windows, Set<String> defaulted, String note) {
        this(key, provider, input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning, tiers, aliases, variablePrice,
                source, asOf, origin, perRequest, perImage, effectiveFrom, changes, windows, defaulted, note, Set.of());
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

    /**
     * This entry with the classes its file omitted taken from {@code lower} (same model, a lower
     * layer). Classes priced relative to input there (cache read and writes, long-context tiers)
     * keep their RATIO, scaled to this entry's own input (tier output and reasoning to its output):
     * your cheaper input makes your cache reads cheaper too, never dearer than your input. Where the
     * lower price it scales from is zero, and for per-request and per-image prices, the lower
     * layer's absolute price is taken.
     */
    public PriceEntry inheritingFrom(PriceEntry lower) {
        if (defaulted.isEmpty() || lower == null) {
            return this;
        }
        BigDecimal cr = defaulted.contains("cache_read") ? scaled(lower.cacheRead(), lower.input(), input) : cacheRead;
        BigDecimal cw = defaulted.contains("cache_write") ? scaled(lower.cacheWrite(), lower.input(), input) : cacheWrite;
        BigDecimal cw1h = defaulted.contains("cache_write_1h") ? scaled(lower.cacheWrite1h(), lower.input(), input) : cacheWrite1h;
        BigDecimal r = defaulted.contains("reasoning") ? scaled(lower.reasoning(), lower.textOutput(), output) : reasoning;
        BigDecimal pr = defaulted.contains("per_request") ? lower.perRequest() : perRequest;
        BigDecimal pi = defaulted.contains("per_image") ? lower.perImage() : perImage;
        List<PriceTier> t = tiers;
        if (defaulted.contains("tiers")) {
            t = lower.tiers().stream().map(x -> new PriceTier(x.abovePromptTokens(), scaled(x.input(), lower.input(), input),
                    scaled(x.output(), lower.output(), output), scaled(x.cacheRead(), lower.input(), input),
                    scaled(x.cacheWrite(), lower.input(), input), scaled(x.cacheWrite1h(), lower.input(), input))).toList();
        }
        return new PriceEntry(key, provider, input, output, cr, cw, cw1h, r, t, aliases, variablePrice, source, asOf,
                origin, pr, pi, effectiveFrom, List.of(), List.of(), Set.of(), note, estimated);
    }

    /**
     * The price of a text output token. Where a converter raised {@code output} to an image-token
     * price (an estimate: image and text output tokens come as one count) it kept the text price as
     * {@code reasoning}, since thinking is text; a reasoning ratio taken against the image price
     * would put your text price's reasoning at a twelfth of it (2.5 / 30 for Gemini 2.5 Flash Image).
     */
    BigDecimal textOutput() {
        return estimated.contains("output") && reasoning != null ? reasoning : output;
    }

    /** Digits kept when a ratio is applied: 1e-12 USD per million tokens, far below any bill's micro-dollar. */
    private static final int SCALE = 12;

    /** {@code price} × {@code base} / {@code lowerBase}: the lower layer's ratio applied to this entry's base price. */
    static BigDecimal scaled(BigDecimal price, BigDecimal lowerBase, BigDecimal base) {
        if (price == null || lowerBase == null || lowerBase.signum() == 0 || lowerBase.compareTo(base) == 0) {
            return price;
        }
        return price.multiply(base).divide(lowerBase, SCALE, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
    }

    /** True when the lower layer's {@code cls} would be scaled to this entry's price (not taken as is). */
    public boolean scalesInherited(String cls, PriceEntry lower) {
        return switch (cls) {
            case "cache_read", "cache_write", "cache_write_1h", "tiers" -> lower.input().signum() != 0
                    && lower.input().compareTo(input) != 0;
            case "reasoning" -> lower.textOutput().signum() != 0 && lower.textOutput().compareTo(output) != 0;
            default -> false;
        };
    }

    /** True when a call is billed something besides tokens. */
    public boolean hasNonTokenPrice() {
        return (perRequest != null && perRequest.signum() > 0) || (perImage != null && perImage.signum() > 0);
    }
}
