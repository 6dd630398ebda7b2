package dev.plutus.report;

import dev.plutus.core.NearestWord;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The span a /stats report covers, {@code from} inclusive to {@code to} exclusive, and how it is
 * named. {@code today} is the calendar day in the budget zone (what a daily budget counts);
 * {@code 24h}, {@code week} and {@code month} are rolling; {@code from X to Y} is any span, its
 * dates and times read in the budget zone.
 */
public record StatsRange(String key, String title, Instant from, Instant to, ZoneId zone) {
    /** The words a window can be given as, for usage text and "did you mean". */
    public static final List<String> WORDS = List.of("today", "24h", "week", "month", "7d", "30d", "day");
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    public StatsRange {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("the range ends (" + DAY_TIME.format(to.atZone(zone)) + ") before it starts ("
                    + DAY_TIME.format(from.atZone(zone)) + ")");
        }
    }

    /** The calendar day of {@code now} in {@code zone}, up to now. */
    public static StatsRange today(Instant now, ZoneId zone) {
        LocalDate day = LocalDate.ofInstant(now, zone);
        Instant start = day.atStartOfDay(zone).toInstant();
        return new StatsRange("today", "today, " + day + " " + dev.plutus.core.ZoneNames.display(zone), start, later(now, start), zone);
    }

    /** A rolling window ending now. */
    public static StatsRange rolling(StatsWindow w, Instant now, ZoneId zone) {
        String key = w == StatsWindow.LAST_24_HOURS ? "24h" : w.key();
        return new StatsRange(key, w.title() + ", rolling, times in " + dev.plutus.core.ZoneNames.display(zone), now.minus(w.length()), now.plusMillis(1), zone);
    }

    /** A window word: {@code today}, {@code 24h}/{@code day}, {@code week}/{@code 7d}, {@code month}/{@code 30d}. */
    public static Optional<StatsRange> window(String word, Instant now, ZoneId zone) {
        String w = word.toLowerCase(Locale.ROOT);
        if (w.equals("today")) {
            return Optional.of(today(now, zone));
        }
        return StatsWindow.parse(w).map(sw -> rolling(sw, now, zone));
    }

    /**
     * {@code from} and {@code to} as typed: {@code 2026-03-01}, {@code 2026-03-01T09:30} or
     * {@code 2026-03-01 09:30} in {@code zone}, or an instant with an offset. A date as {@code to}
     * includes that whole day; {@code to} left out is now.
     */
    public static StatsRange between(String from, String to, Instant now, ZoneId zone) {
        Instant start = point(from, zone, false, "from");
        Instant end = to == null ? now.plusMillis(1) : point(to, zone, true, "to");
        if (to != null && end.equals(start)) {
            throw new IllegalArgumentException("--from '" + from.strip() + "' and --to '" + to.strip() + "' are the same time ("
                    + DAY_TIME.format(start.atZone(zone)) + " " + dev.plutus.core.ZoneNames.display(zone) + "), so the range is empty: give a later --to, or a date"
                    + " alone as --to to include that whole day");
        }
        if (to != null && end.isBefore(start)) {
            throw new IllegalArgumentException("--to '" + to.strip() + "' ends the range (" + DAY_TIME.format(end.atZone(zone))
                    + ") before --from '" + from.strip() + "' starts it (" + DAY_TIME.format(start.atZone(zone)) + " " + dev.plutus.core.ZoneNames.display(zone)
                    + "): give the earlier time as --from");
        }
        if (to == null && !end.isAfter(start)) {
            throw new IllegalArgumentException("--from (" + DAY_TIME.format(start.atZone(zone)) + " " + dev.plutus.core.ZoneNames.display(zone)
                    + ") is in the future: nothing has been recorded after it yet");
        }
        String title = DAY_TIME.format(start.atZone(zone)) + " to " + DAY_TIME.format(end.atZone(zone)) + " " + dev.plutus.core.ZoneNames.display(zone);
        return new StatsRange("range", title, start, end, zone);
    }

    private static Instant point(String text, ZoneId zone, boolean endOfDay, String what) {
        return instant(text, zone, endOfDay, "--" + what);
    }

    /**
     * One end of a range as typed ({@code 2026-03-01}, {@code 2026-03-01T09:30} in {@code zone}, or an
     * instant with its offset); {@code name} is what the error calls it ({@code --from}, or the
     * dashboard's {@code from}). A date as the end ({@code endOfDay}) includes that whole day. A time the
     * clocks skip or show twice is refused with the offsets to use, never guessed.
     */
    public static Instant instant(String text, ZoneId zone, boolean endOfDay, String name) {
        String t = text.trim().replace(' ', 'T');
        LocalDateTime local;
        try {
            if (t.length() == 10) {
                LocalDate d = LocalDate.parse(t);
                return (endOfDay ? d.plusDays(1) : d).atStartOfDay(zone).toInstant();
            }
            if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return java.time.OffsetDateTime.parse(t).toInstant();
            }
            local = LocalDateTime.parse(t);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a date (2026-03-01) or a date and time"
                    + " (2026-03-01T09:30, read in " + dev.plutus.core.ZoneNames.display(zone) + ")");
        }
        // A wall-clock time the clocks skip (spring forward) or show twice (fall back) names no one instant.
        List<java.time.ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            var gap = zone.getRules().getTransition(local);
            throw new IllegalArgumentException(name + " '" + text + "' does not exist in " + dev.plutus.core.ZoneNames.display(zone) + ": the clocks jump from "
                    + gap.getDateTimeBefore().toLocalTime() + " to " + gap.getDateTimeAfter().toLocalTime() + " that day; give a time"
                    + " outside the gap, or one with its offset (" + local.toLocalDate() + "T" + gap.getDateTimeAfter().toLocalTime()
                    + gap.getOffsetAfter() + ")");
        }
        if (offsets.size() > 1) {
            throw new IllegalArgumentException(name + " '" + text + "' happens twice in " + dev.plutus.core.ZoneNames.display(zone) + " (the clocks go back"
                    + " that night); add the offset: " + local + offsets.get(0) + " (the first) or " + local + offsets.get(1)
                    + " (the second)");
        }
        return local.atZone(zone).toInstant();
    }

    private static Instant later(Instant now, Instant start) {
        return now.isAfter(start) ? now.plusMillis(1) : start.plusMillis(1);
    }

    /** Why {@code word} is not a window, with the nearest window word when one is close. */
    public static String notAWindow(String word) {
        return "unknown window '" + word + "'" + NearestWord.hint(word, WORDS) + " (today, 24h, week, month, or from <date> [to <date>])";
    }
}
