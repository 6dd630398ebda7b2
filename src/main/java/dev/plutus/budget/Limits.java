package dev.plutus.budget;

import java.util.EnumMap;
import java.util.Map;

/** Limits in micro-dollars per window; a window without an entry is unlimited. */
public record Limits(Map<Window, Long> perWindow) {
    public static final Limits NONE = new Limits(Map.of());

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
