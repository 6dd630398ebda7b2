package dev.plutus.budget;

import java.util.EnumMap;
import java.util.Map;

/**
 * Limits in micro-dollars per window; a window without an entry is unlimited. budget.yaml takes at
 * most {@link #MAX_USD} per window: far beyond any real budget, and small enough that a limit times
 * the largest threshold (10) stays well inside a long.
 */
public record Limits(Map<Window, Long> perWindow) {
    public static final Limits NONE = new Limits(Map.of());
    /** The largest limit budget.yaml takes, per window: $1,000,000,000. */
    public static final java.math.BigDecimal MAX_USD = new java.math.BigDecimal("1000000000");
    public static final long MAX_MICROS = 1_000_000_000L * dev.plutus.core.Money.MICROS_PER_USD;

    public Limits {
        perWindow = perWindow.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(perWindow));
    }

    /** These limits, with any window they leave open taken from {@code fallback}. */
    public Limits over(Limits fallback) {
        EnumMap<Window, Long> merged = new EnumMap<>(Window.class);
        merged.putAll(fallback.perWindow);
        merged.putAll(perWindow);
        return new Limits(merged);
    }

    public boolean isEmpty() {
        return perWindow.isEmpty();
    }
}
