package dev.plutus.core;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money is carried as integer micro-dollars (1 USD = 1,000,000). These helpers convert at the
 * edges only: user input in, text out. No arithmetic here ever goes through {@code double}.
 */
public final class Money {
    public static final long MICROS_PER_USD = 1_000_000L;

    private Money() {}

    /** Parses a USD amount such as {@code "5"}, {@code "0.001"} or {@code "2.50"} exactly. */
    public static long parseUsd(String text) {
        BigDecimal usd;
        try {
            usd = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a dollar amount: '" + text + "'");
        }
        return usdToMicros(usd);
    }

    public static long usdToMicros(BigDecimal usd) {
        if (usd.signum() < 0) {
            throw new IllegalArgumentException("amount must not be negative: " + usd.toPlainString());
        }
        BigDecimal micros = usd.movePointRight(6);
        if (micros.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("amount has more precision than a micro-dollar: " + usd.toPlainString());
        }
        return micros.longValueExact();
    }

    /**
     * {@code a + b}, held to {@link Long#MAX_VALUE} (and {@link Long#MIN_VALUE}) instead of wrapping:
     * a total that large is already absurd, and a wrapped one would read as money left.
     */
    public static long plus(long a, long b) {
        long r = a + b;
        // Overflow only when both have the sign the result lacks.
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** {@code a - b}, saturating as {@link #plus} does. */
    public static long minus(long a, long b) {
        long r = a - b;
        if (((a ^ b) & (a ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    public static BigDecimal microsToUsd(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    /** {@code $1.234567}: all six decimals, as /stats shows cost. */
    public static String usd6(long micros) {
        return "$" + microsToUsd(micros).toPlainString();
    }

    /** {@code $1.23}: cents, rounded half-up, as /budget shows spend and limits. */
    public static String usd2(long micros) {
        return "$" + microsToUsd(micros).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    /** Cents when that is exact, otherwise enough decimals to show the amount exactly. */
    public static String usdShort(long micros) {
        BigDecimal usd = microsToUsd(micros).stripTrailingZeros();
        if (usd.scale() < 2) {
            usd = usd.setScale(2, RoundingMode.UNNECESSARY);
        }
        return "$" + usd.toPlainString();
    }

    /**
     * The one way every view prints an amount of money: cents from $1 up; below $1, at least two
     * significant digits (up to the micro-dollar), so $0.0024 never reads as $0.00.
     */
    public static String display(long micros) {
        return display(micros, 0);
    }

    /**
     * {@link #display(long)}, with at least as many decimals as {@code referenceMicros} needs to be
     * shown exactly: spend printed beside a $0.004 limit has three decimals or more.
     */
    public static String display(long micros, long referenceMicros) {
        int decimals = Math.max(2, exactDecimals(referenceMicros));
        long magnitude = micros == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(micros);
        if (magnitude > 0 && magnitude < MICROS_PER_USD) {
            // Decimals that leave two significant digits: 0.0024 (2,400 micros) needs 4.
            int digits = Long.toString(magnitude).length();
            decimals = Math.max(decimals, Math.min(6, 6 - digits + 2));
        }
        return (micros < 0 ? "-$" : "$")
                + microsToUsd(magnitude).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
    }

    private static int exactDecimals(long micros) {
        if (micros == 0 || micros == Long.MIN_VALUE) {
            return 0;
        }
        return Math.max(0, microsToUsd(Math.abs(micros)).stripTrailingZeros().scale());
    }
}
