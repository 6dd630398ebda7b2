package dev.plutus.budget;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Cuts time into calendar periods in the user's zone. Days start at local midnight (or the first
 * instant after it where a DST gap swallows midnight), so a DST day lasts 23 or 25 hours. The last
 * period computed per window is cached: most calls fall into the current period.
 */
public final class PeriodCalendar {
    private final ZoneId zone;
    private final DayOfWeek weekStart;
    private final AtomicReferenceArray<Period> last = new AtomicReferenceArray<>(Window.values().length);
    /** Per rolling window, the alert key of the day it was last asked on (verdicts ask on every check). */
    private final AtomicReferenceArray<RollingKey> rollingKeys = new AtomicReferenceArray<>(Window.values().length);

    private record RollingKey(long dayStart, String key) {}

    public PeriodCalendar(ZoneId zone, DayOfWeek weekStart) {
        this.zone = zone;
        this.weekStart = weekStart;
    }

    public ZoneId zone() {
        return zone;
    }

    public DayOfWeek weekStart() {
        return weekStart;
    }

    public Period periodOf(Window window, long epochMillis) {
        if (window.rolling()) {
            throw new IllegalArgumentException(window.label() + " is a rolling window, not a calendar one");
        }
        Period cached = last.get(window.ordinal());
        if (cached != null && cached.contains(epochMillis)) {
            return cached;
        }
        Period p = compute(window, epochMillis);
        last.set(window.ordinal(), p);
        return p;
    }

    private Period compute(Window window, long epochMillis) {
        LocalDate day = Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate();
        LocalDate start;
        LocalDate end;
        String key;
        switch (window) {
            case DAILY -> {
                start = day;
                end = day.plusDays(1);
                key = day.toString();
            }
            case WEEKLY -> {
                start = day.with(TemporalAdjusters.previousOrSame(weekStart));
                end = start.plusWeeks(1);
                key = "week-of-" + start;
            }
            case MONTHLY -> {
                start = day.withDayOfMonth(1);
                end = start.plusMonths(1);
                key = start.toString().substring(0, 7);
            }
            default -> throw new IllegalStateException(window.toString());
        }
        return new Period(start.atStartOfDay(zone).toInstant().toEpochMilli(),
                end.atStartOfDay(zone).toInstant().toEpochMilli(), key);
    }

    /** The key alerts for a rolling window are de-duplicated by: the local day they fire on. */
    public String rollingAlertKey(Window window, long nowMillis) {
        Period day = periodOf(Window.DAILY, nowMillis);
        RollingKey cached = rollingKeys.get(window.ordinal());
        if (cached != null && cached.dayStart() == day.startMillis()) {
            return cached.key();
        }
        String key = window.label() + "@" + day.key();
        rollingKeys.set(window.ordinal(), new RollingKey(day.startMillis(), key));
        return key;
    }
}
