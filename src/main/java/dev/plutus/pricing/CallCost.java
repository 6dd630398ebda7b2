package dev.plutus.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The price of one call. {@code exactUsd} is the exact product of tokens and prices; the stored
 * amount is {@code micros}, that value rounded once, half-even, to the micro-dollar.
 * An unpriced call has no entry and costs zero until a price is known, unless it is
 * {@code provisional}: then it is counted at {@code entry}'s price (the provider's dearest model, or
 * the fallback) and still reported unpriced, until a real price re-prices it.
 * {@code makerFallback} marks a call priced at the model maker's list price because the host it
 * went through ({@code provider}) has no price of its own in any table: priced, but not the host's bill;
 * the same flag marks a Bedrock regional id priced at the global price. {@code estimateMark} is the
 * suffix the stored price_entry carries then ({@link #MAKER_PRICE_MARK} or {@link #GLOBAL_PRICE_MARK}).
 */
public record CallCost(BigDecimal exactUsd, long micros, PriceEntry entry, String unpricedReason, boolean provisional,
                       boolean makerFallback, String estimateMark) {

    /** The suffix of a stored price_entry when the maker's price stood in for the host's. */
    public static final String MAKER_PRICE_MARK = " (maker price)";
    /** The suffix when a Bedrock regional id was priced at the global (un-prefixed) price. */
    public static final String GLOBAL_PRICE_MARK = " (global price)";
    /** The suffix when an OpenRouter variant ({@code :exacto}, …) no layer lists was priced at its base model's price. */
    public static final String VARIANT_PRICE_MARK = " (base model price)";
    /** The suffix when the call was billed tokens of a class whose price the entry marks as an estimate. */
    public static final String ESTIMATED_PRICE_MARK = " (price estimated)";
    /**
     * Both at once: the maker's price stood in for the host's AND the call was billed a class priced by
     * estimate. One mark that ends in neither of theirs, so /stats counts such a call once, with both reasons.
     */
    public static final String MAKER_AND_ESTIMATED_MARK = " (maker price, price estimated)";
    /**
     * Every mark a flagged price carries, with what it means, in the words stats and --explain use;
     * "tokens estimated" (a call whose usage was missing) is another thing, never one of these.
     */
    public static final java.util.List<java.util.Map.Entry<String, String>> FLAGS = java.util.List.of(
            java.util.Map.entry(MAKER_PRICE_MARK, "price from maker: the host it went through has no price of its own"),
            java.util.Map.entry(GLOBAL_PRICE_MARK, "price estimated: the global price for a Bedrock regional id"),
            java.util.Map.entry(VARIANT_PRICE_MARK, "price estimated: the base model's price for an unlisted variant"),
            java.util.Map.entry(ESTIMATED_PRICE_MARK, "price estimated: a class priced by estimate, not from a source"),
            java.util.Map.entry(MAKER_AND_ESTIMATED_MARK, "price from maker: the host it went through has no price of its own;"
                    + " and price estimated: a class priced by estimate, not from a source"));

    /** What a flag mark means (see {@link #FLAGS}), or null for no flag. */
    public static String flagReason(String mark) {
        return FLAGS.stream().filter(f -> f.getKey().equals(mark)).map(java.util.Map.Entry::getValue).findFirst().orElse(null);
    }

    /**
     * What the mark a stored price_entry ends with means ({@link #recordedEntry()} appends it to the
     * entry's key), or null when the entry carries none. No mark ends with another, so at most one matches.
     */
    public static String flagReasonOfEntry(String storedEntry) {
        if (storedEntry == null) {
            return null;
        }
        return FLAGS.stream().filter(f -> storedEntry.endsWith(f.getKey())).map(java.util.Map.Entry::getValue).findFirst().orElse(null);
    }

    public CallCost {
        if (estimateMark == null) {
            estimateMark = makerFallback ? MAKER_PRICE_MARK : "";
        }
    }

    public CallCost(BigDecimal exactUsd, long micros, PriceEntry entry, String unpricedReason, boolean provisional,
            boolean makerFallback) {
        this(exactUsd, micros, entry, unpricedReason, provisional, makerFallback, null);
    }

    public CallCost(BigDecimal exactUsd, long micros, PriceEntry entry, String unpricedReason, boolean provisional) {
        this(exactUsd, micros, entry, unpricedReason, provisional, false);
    }

    public CallCost(BigDecimal exactUsd, long micros, PriceEntry entry, String unpricedReason) {
        this(exactUsd, micros, entry, unpricedReason, false);
    }

    public static CallCost of(BigDecimal exactUsd, PriceEntry entry) {
        return new CallCost(exactUsd, exactUsd.movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact(),
                entry, null);
    }

    /** An unknown model's call counted at {@code stand-in}'s prices until its own price is known. */
    public static CallCost provisional(BigDecimal exactUsd, PriceEntry standIn, String reason) {
        return new CallCost(exactUsd, of(exactUsd, standIn).micros(), standIn, reason, true);
    }

    public static CallCost unpriced(String reason, PriceEntry variableEntry) {
        return new CallCost(BigDecimal.ZERO, 0, variableEntry, reason);
    }

    public CallCost withMakerFallback(boolean fallback) {
        return new CallCost(exactUsd, micros, entry, unpricedReason, provisional, fallback);
    }

    /**
     * This cost flagged as priced at a stand-in price ({@code makerFallback} is that one flag: the
     * maker's price for the host's, or the global price for a Bedrock region's), {@code mark} saying which.
     */
    public CallCost withEstimatedPrice(boolean estimated, String mark) {
        return new CallCost(exactUsd, micros, entry, unpricedReason, provisional, estimated, estimated ? mark : "");
    }

    /** True when the maker's price stood in for the host's (alone or with an estimated class). */
    public boolean fromMaker() {
        return makerFallback && (MAKER_PRICE_MARK.equals(estimateMark) || MAKER_AND_ESTIMATED_MARK.equals(estimateMark));
    }

    /** True when the price is a stand-in or estimate other than the maker's price (alone or besides it). */
    public boolean priceEstimated() {
        return makerFallback && !MAKER_PRICE_MARK.equals(estimateMark);
    }

    public boolean priced() {
        return unpricedReason == null;
    }

    public String entryKey() {
        return entry == null ? null : entry.key();
    }

    /** The price_entry a stored call keeps: the key, marked when the maker's price stood in for the host's. */
    public String recordedEntry() {
        return entry == null ? null : makerFallback ? entry.key() + estimateMark : entry.key();
    }
}
