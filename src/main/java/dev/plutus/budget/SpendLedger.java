package dev.plutus.budget;

import dev.plutus.core.Money;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Running spend per scope and window, in memory, so a verdict never touches the database. For a
 * calendar window only the newest period is kept per scope: a call dated in an older period can
 * no longer change a verdict (the stores keep it for reports). Rolling windows keep minute buckets.
 */
public final class SpendLedger {
    /** The calendar and the counters cut by it, swapped together by {@link #replaceWith}. */
    private record State(PeriodCalendar calendar, ConcurrentHashMap<ScopeRef, ScopeCounters> counters) {}

    private volatile State state;

    public SpendLedger(PeriodCalendar calendar) {
        this.state = new State(calendar, new ConcurrentHashMap<>());
    }

    public PeriodCalendar calendar() {
        return state.calendar();
    }

    /**
     * Takes over {@code fresh}'s totals in one step, so every holder of this ledger (verdicts,
     * reservations) sees the rebuilt totals at once and never a half-filled ledger.
     */
    public void replaceWith(SpendLedger fresh) {
        state = fresh.state;
    }

    public void add(Collection<ScopeRef> scopes, long epochMillis, long costMicros, boolean estimated, boolean priced) {
        add(scopes, epochMillis, costMicros, estimated, priced, false);
    }

    /** {@code provisional}: the cost is a stand-in price for a model with no known price. */
    public void add(Collection<ScopeRef> scopes, long epochMillis, long costMicros, boolean estimated, boolean priced,
                    boolean provisional) {
        State s = state;
        Period day = s.calendar().periodOf(Window.DAILY, epochMillis);
        Period week = s.calendar().periodOf(Window.WEEKLY, epochMillis);
        Period month = s.calendar().periodOf(Window.MONTHLY, epochMillis);
        for (ScopeRef scope : scopes) {
            s.counters().computeIfAbsent(scope, k -> new ScopeCounters())
                    .add(day, week, month, epochMillis, costMicros, estimated, priced, provisional);
        }
    }

    public WindowSpend spend(ScopeRef scope, Window window, Instant now) {
        State s = state;
        PeriodCalendar calendar = s.calendar();
        ScopeCounters c = s.counters().get(scope);
        if (c == null) {
            return WindowSpend.ZERO;
        }
        long nowMillis = now.toEpochMilli();
        return window.rolling() ? c.rolling(window, nowMillis) : c.calendar(window, calendar.periodOf(window, nowMillis));
    }

    /** For a rolling window in breach: when spend falls below the threshold if nothing more is spent. */
    public Instant rollingRelief(ScopeRef scope, Window window, long thresholdMicros, Instant now) {
        ScopeCounters c = state.counters().get(scope);
        Long at = c == null ? null : c.relief(window, thresholdMicros, now.toEpochMilli());
        return at == null ? null : Instant.ofEpochMilli(at);
    }

    /** Ids of the given kind that have spend in the current day, week, month or rolling week. */
    public Set<String> activeIds(ScopeKind kind, Instant now) {
        Set<String> ids = new TreeSet<>();
        State s = state;
        PeriodCalendar calendar = s.calendar();
        for (var e : s.counters().entrySet()) {
            if (e.getKey().kind() == kind && !e.getValue().idle(calendar, now.toEpochMilli())) {
                ids.add(e.getKey().id());
            }
        }
        return ids;
    }

    /** Drops scopes with no spend left in any current window, so per-session counters do not pile up. */
    public int evictIdle(Instant now) {
        State s = state;
        int before = s.counters().size();
        s.counters().entrySet().removeIf(e -> e.getValue().idle(s.calendar(), now.toEpochMilli()));
        return before - s.counters().size();
    }

    public int scopeCount() {
        return state.counters().size();
    }

    private static final class ScopeCounters {
        private final long[] periodStart = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
        private final long[][] values = new long[3][4];
        private final RollingCounter day = new RollingCounter(24 * 60);
        private final RollingCounter week = new RollingCounter(7 * 24 * 60);

        synchronized void add(Period d, Period w, Period m, long ts, long cost, boolean est, boolean priced, boolean prov) {
            addCalendar(0, d, cost, est, priced, prov);
            addCalendar(1, w, cost, est, priced, prov);
            addCalendar(2, m, cost, est, priced, prov);
            day.add(ts, cost, est, priced, prov);
            week.add(ts, cost, est, priced, prov);
        }

        private void addCalendar(int i, Period p, long cost, boolean est, boolean priced, boolean prov) {
            if (p.startMillis() < periodStart[i]) {
                return;
            }
            if (p.startMillis() > periodStart[i]) {
                periodStart[i] = p.startMillis();
                values[i] = new long[4];
            }
            // Saturating: a total past $9.2 trillion stays there rather than wrapping to "money left".
            values[i][0] = Money.plus(values[i][0], cost);
            if (est) {
                values[i][1] = Money.plus(values[i][1], cost);
            }
            if (!priced) {
                values[i][2] = Money.plus(values[i][2], 1);
            }
            if (prov) {
                values[i][3] = Money.plus(values[i][3], cost);
            }
        }

        synchronized WindowSpend calendar(Window w, Period current) {
            int i = w.ordinal();
            if (periodStart[i] != current.startMillis()) {
                return WindowSpend.ZERO;
            }
            return new WindowSpend(values[i][0], values[i][1], values[i][2], values[i][3]);
        }

        synchronized WindowSpend rolling(Window w, long now) {
            return (w == Window.ROLLING_24H ? day : week).read(now);
        }

        synchronized Long relief(Window w, long threshold, long now) {
            return (w == Window.ROLLING_24H ? day : week).millisWhenBelow(threshold, now);
        }

        synchronized boolean idle(PeriodCalendar cal, long now) {
            // The rolling week outlasts the current day and week; the month needs its own check.
            boolean monthCurrent = periodStart[2] == cal.periodOf(Window.MONTHLY, now).startMillis();
            boolean weekCurrent = periodStart[1] == cal.periodOf(Window.WEEKLY, now).startMillis();
            return !monthCurrent && !weekCurrent && week.isEmpty(now) && day.isEmpty(now);
        }
    }
}
