package dev.plutus.report;

import java.time.Duration;
import java.util.Optional;

/** The look-back of a /stats report: the last 24 hours, 7 days or 30 days. */
public enum StatsWindow {
    LAST_24_HOURS("today", "last 24 h", Duration.ofHours(24)),
    LAST_7_DAYS("week", "last 7 days", Duration.ofDays(7)),
    LAST_30_DAYS("month", "last 30 days", Duration.ofDays(30));

    private final String key;
    private final String title;
    private final Duration length;

    StatsWindow(String key, String title, Duration length) {
        this.key = key;
        this.title = title;
        this.length = length;
    }

    /** The word the commands and the JSON answers use for it (kept from before the windows were named for what they are). */
    public String key() {
        return key;
    }

    public String title() {
        return title;
    }

    public Duration length() {
        return length;
    }

    public static Optional<StatsWindow> parse(String word) {
        return switch (word.toLowerCase()) {
            case "today", "day", "24h" -> Optional.of(LAST_24_HOURS);
            case "week", "7d" -> Optional.of(LAST_7_DAYS);
            case "month", "30d" -> Optional.of(LAST_30_DAYS);
            default -> Optional.empty();
        };
    }
}
