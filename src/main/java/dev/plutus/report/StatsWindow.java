package dev.plutus.report;

import java.time.Duration;
import java.util.Optional;

/** The look-back of a /stats report: the last 24 hours, 7 days or 30 days. */
public enum StatsWindow {
    TODAY("last 24 h", Duration.ofHours(24)),
    WEEK("last 7 days", Duration.ofDays(7)),
    MONTH("last 30 days", Duration.ofDays(30));

    private final String title;
    private final Duration length;

    StatsWindow(String title, Duration length) {
        this.title = title;
        this.length = length;
    }

    public String title() {
        return title;
    }

    public Duration length() {
        return length;
    }

    public static Optional<StatsWindow> parse(String word) {
        return switch (word.toLowerCase()) {
            case "today", "day", "24h" -> Optional.of(TODAY);
            case "week", "7d" -> Optional.of(WEEK);
            case "month", "30d" -> Optional.of(MONTH);
            default -> Optional.empty();
        };
    }
}
