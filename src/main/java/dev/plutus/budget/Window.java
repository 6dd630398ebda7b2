package dev.plutus.budget;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/** Budget windows: calendar ones in the user's zone, and rolling ones measured back from now. */
public enum Window {
    DAILY("daily", null),
    WEEKLY("weekly", null),
    MONTHLY("monthly", null),
    ROLLING_24H("rolling_24h", Duration.ofHours(24)),
    ROLLING_7D("rolling_7d", Duration.ofDays(7));

    private final String label;
    private final Duration rollingLength;

    Window(String label, Duration rollingLength) {
        this.label = label;
        this.rollingLength = rollingLength;
    }

    /** The name used in commands and reports: {@code daily}, {@code rolling_24h}, ... */
    public String label() {
        return label;
    }

    /** The budget.yaml field: {@code daily_usd}, {@code rolling_24h_usd}, ... */
    public String yamlField() {
        return label + "_usd";
    }

    public boolean rolling() {
        return rollingLength != null;
    }

    public Duration rollingLength() {
        return rollingLength;
    }

    public static Optional<Window> byLabel(String text) {
        String t = text.trim().toLowerCase();
        return Arrays.stream(values()).filter(w -> w.label.equals(t) || w.yamlField().equals(t)).findFirst();
    }
}
