package dev.plutus.pricing;

import java.time.Instant;

/**
 * How a call's model found its price: the entry, the name it matched under, the entry of a lower
 * layer it takes omitted classes from (or null), and whether it is the maker's price standing in
 * for a host ({@code provider}) that has no price of its own for this model.
 */
public record PriceResolution(PriceEntry entry, String matchedName, PriceEntry inheritsFrom, boolean makerFallback,
                              String provider) {

    /** The flat prices a call at {@code t} pays, with omitted classes filled from the lower layer. */
    public PriceEntry pricesAt(Instant t) {
        PriceEntry p = entry.pricesAt(t);
        return inheritsFrom == null ? p : p.inheritingFrom(inheritsFrom.pricesAt(t));
    }
}
