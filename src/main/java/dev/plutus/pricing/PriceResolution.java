package dev.plutus.pricing;

import java.time.Instant;

/**
 * How a call's model found its price: the entry, the name it matched under, the entry of a lower
 * layer it takes omitted classes from (or null), and whether it is the maker's price standing in
 * for a host ({@code provider}) that has no price of its own for this model. {@code match} is how
 * close the matched name is to the model's own; {@code rule} says in words which rule picked the
 * entry (for {@code price --explain}); {@code regionFallback} marks a Bedrock regional id priced at
 * the un-prefixed (global) price because no layer lists the regional one; {@code variant} is an
 * OpenRouter variant suffix ({@code :exacto}, {@code :nitro}, …) priced at its base model's price
 * because no layer lists the variant (null when none): such variants may be dearer, so flagged.
 */
public record PriceResolution(PriceEntry entry, String matchedName, PriceEntry inheritsFrom, boolean makerFallback,
                              String provider, Match match, String rule, boolean regionFallback, String variant) {

    /** How close a matched name is to the model's own, closest first. */
    public enum Match {
        /** The name itself, host-qualified or with leading path segments removed. */
        EXACT,
        /** The name without its trailing release date. */
        UNDATED,
        /** A loose form: an OpenRouter variant suffix or a Bedrock region prefix removed, a Bedrock id as the maker's name. */
        LOOSE,
        /** No entry: a documented rule priced it (OpenRouter's {@code :free}). */
        RULE
    }

    public PriceResolution(PriceEntry entry, String matchedName, PriceEntry inheritsFrom, boolean makerFallback,
            String provider) {
        this(entry, matchedName, inheritsFrom, makerFallback, provider, Match.EXACT, null, false, null);
    }

    public PriceResolution(PriceEntry entry, String matchedName, PriceEntry inheritsFrom, boolean makerFallback,
            String provider, Match match, String rule, boolean regionFallback) {
        this(entry, matchedName, inheritsFrom, makerFallback, provider, match, rule, regionFallback, null);
    }

    /**
     * The flat prices a call at {@code t} pays, with omitted classes filled from the lower layer; a
     * machine-written layer's class that breaks a price rule is priced as the rule says ({@link #corrections}).
     */
    public PriceEntry pricesAt(Instant t) {
        PriceEntry p = PriceInvariants.corrected(entry.pricesAt(t)).entry();
        return inheritsFrom == null ? p : p.inheritingFrom(PriceInvariants.corrected(inheritsFrom.pricesAt(t)).entry());
    }

    /**
     * The classes of a machine-written entry (fetched or shipped) in force at {@code t} that broke a
     * price rule and are priced as the rule says instead, each with the reason; the user's and the
     * curated table's own prices are never changed. Empty when nothing was corrected.
     */
    public java.util.List<String> corrections(Instant t) {
        java.util.List<String> out = new java.util.ArrayList<>(PriceInvariants.corrected(entry.pricesAt(t)).corrections());
        if (inheritsFrom != null) {
            PriceInvariants.corrected(inheritsFrom.pricesAt(t)).corrections().forEach(c -> out.add("inherited: " + c));
        }
        return out;
    }

    /**
     * True when the price is a stand-in (the maker's for the host's, the global for a region's, the
     * base model's for a variant's): flagged on the call.
     */
    public boolean estimatedPrice() {
        return makerFallback || regionFallback || variant != null;
    }

    /** The mark a stored call's price_entry carries when the price is a stand-in, else "". */
    public String estimateMark() {
        return regionFallback ? CallCost.GLOBAL_PRICE_MARK : variant != null ? CallCost.VARIANT_PRICE_MARK
                : makerFallback ? CallCost.MAKER_PRICE_MARK : "";
    }
}
