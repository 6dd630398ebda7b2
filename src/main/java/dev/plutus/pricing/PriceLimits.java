package dev.plutus.pricing;

import java.math.BigDecimal;

/**
 * The range every number in a price table must fall in, so that no file can make a cost absurd or
 * overflow a total: prices 0 to {@value #MAX_PRICE} USD per million tokens with at most
 * {@value #MAX_DECIMALS} decimal places; cache multipliers 0 to {@value #MAX_MULTIPLIER}; tier
 * thresholds 0 to {@value #MAX_TIER_TOKENS} prompt tokens. The dearest model sold today costs a few
 * hundred dollars per million tokens, so the ceiling only ever refuses a typo or an attack.
 */
public final class PriceLimits {
    public static final int MAX_PRICE = 10_000;
    public static final int MAX_DECIMALS = 20;
    public static final int MAX_MULTIPLIER = 100;
    public static final long MAX_TIER_TOKENS = 1_000_000_000L;
    /** Longer text is refused before it is read as a number: no valid price needs more characters. */
    public static final int MAX_TEXT = 40;

    private static final BigDecimal PRICE_CEILING = BigDecimal.valueOf(MAX_PRICE);
    private static final BigDecimal MULTIPLIER_CEILING = BigDecimal.valueOf(MAX_MULTIPLIER);

    private PriceLimits() {}

    /** Why {@code usdPerMillion} is no acceptable price, or null when it is. */
    public static String priceProblem(BigDecimal usdPerMillion) {
        return problem(usdPerMillion, PRICE_CEILING, "USD per million tokens");
    }

    /** Why {@code m} is no acceptable cache multiplier, or null when it is. */
    public static String multiplierProblem(BigDecimal m) {
        return problem(m, MULTIPLIER_CEILING, "times the input price");
    }

    private static String problem(BigDecimal v, BigDecimal ceiling, String unit) {
        if (v.signum() < 0) {
            return "must not be negative, got " + v.toPlainString();
        }
        if (v.compareTo(ceiling) > 0) {
            return "must be at most " + ceiling.toPlainString() + " " + unit + ", got " + shortText(v);
        }
        if (v.stripTrailingZeros().scale() > MAX_DECIMALS) {
            return "has more than " + MAX_DECIMALS + " decimal places: " + shortText(v);
        }
        return null;
    }

    private static String shortText(BigDecimal v) {
        String s = v.toString();
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
