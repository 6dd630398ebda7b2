package dev.plutus.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Why a call costs what it costs: the resolution (layer, key, the name it matched, maker fallback,
 * inherited classes), the dated period and time-of-day window in force at the call's time, the
 * long-context tier, and the bill line by line. {@code resolution} is null for an unpriced call.
 * {@code warnings}: price rules the prices in force break (a user entry merged with what it
 * inherits); {@code notYetInForce}: entries for this model that take effect after {@code at}.
 */
public record PriceExplanation(Instant at, PriceResolution resolution, PriceEntry period, PriceWindow window,
                               PriceTier tier, List<CostCalculator.ClassCost> lines, CallCost cost, List<String> warnings,
                               List<String> notYetInForce) {

    public PriceExplanation {
        warnings = List.copyOf(warnings);
        notYetInForce = List.copyOf(notYetInForce);
    }

    /** The source of the prices in force: a dated change's own, else the entry's. */
    public String source() {
        if (period != null && period.source() != null) {
            return period.source();
        }
        return resolution == null ? null : resolution.entry().source();
    }

    /**
     * The prices in force just before the dated period this call falls in (the entry's earlier
     * change, or its first prices), or null when the call's prices are the entry's first.
     */
    public PriceEntry previousPeriod() {
        if (resolution == null || period == null || period.effectiveFrom() == null) {
            return null;
        }
        PriceEntry before = resolution.entry();
        if (before == period || (before.effectiveFrom() != null && !before.effectiveFrom().isBefore(period.effectiveFrom()))) {
            return null;
        }
        for (PriceEntry c : resolution.entry().changes()) {
            if (c.effectiveFrom().isBefore(period.effectiveFrom())) {
                before = c;
            }
        }
        return before;
    }

    /**
     * The prices charged just before the dated period this call falls in, as a call then was billed: classes the
     * entry leaves out are the ones it inherited, not defaults. Null when {@link #previousPeriod()} is. An earlier
     * period with time-of-day windows is given as written (outside its windows).
     */
    public PriceEntry previousPrices() {
        PriceEntry before = previousPeriod();
        if (before == null || !before.windows().isEmpty()) {
            return before;
        }
        return resolution.pricesAt(period.effectiveFrom().minusNanos(1));
    }

    /** The layer the entry came from: user, openrouter, curated, litellm-fetched or litellm. */
    public String layer() {
        return resolution == null ? null : resolution.entry().origin().layerName();
    }

    /** Classes the user entry left out and took from the layer below, or empty. */
    public List<String> inherited() {
        if (resolution == null || resolution.inheritsFrom() == null) {
            return List.of();
        }
        return PriceEntry.INHERITABLE.stream().filter(resolution.entry().defaulted()::contains).toList();
    }

    public BigDecimal totalUsd() {
        return cost.exactUsd();
    }
}
