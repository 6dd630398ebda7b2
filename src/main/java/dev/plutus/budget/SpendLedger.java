package dev.plutus.budget;

import dev.plutus.core.Money;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Running spend per scope and window, in memory, so a verdict never touches the database. For a
 * calendar window only the newest period is kept per scope: a call dated in an older period can
 * no longer change a verdict (the stores keep it for reports). Rolling windows keep minute buckets.
 */
public final class SpendLedger {
    /** The calendar and the counters cut by it, swapped together by {@link #replaceWith}. */
    private record State(PeriodCalendar calendar, ConcurrentHashMap<ScopeRef, ScopeCounters> counters) {}

    private volatile State state;
    /**
     * Changes whenever a scope's counters are created or dropped, or the ledger is replaced: while it is
     * unchanged, counters resolved by {@link #counters} are still the ones calls are added to.
     */
    private final AtomicLong layout = new AtomicLong();
    /** Changes after every call counted (after that scope's {@link ScopeCounters#version()} did). */
    private final AtomicLong changes = new AtomicLong();

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
        layout.incrementAndGet();
    }

    /** See {@link #layout}: read it before resolving counters, and they hold while it reads the same. */
    public long layout() {
        return layout.get();
    }

    /** A number that changes after every call counted into any scope. */
    public long changes() {
        return changes.get();
    }

    /**
     * The counters calls to {@code scope} are added to, null while it has none; valid while {@link #layout()}
     * reads as it did before this was called.
     */
    public ScopeCounters counters(ScopeRef scope) {
        return state.counters().get(scope);
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
            while (true) {
                ScopeCounters c = s.counters().get(scope);
                if (c == null) {
                    c = s.counters().computeIfAbsent(scope, k -> new ScopeCounters());
                    layout.incrementAndGet();
                }
                if (c.addUnlessRetired(day, week, month, epochMillis, costMicros, estimated, priced, provisional)) {
                    break;
                }
                // Evicted as idle between the lookup and the add: the call goes into the scope's new counters.
                s.counters().remove(scope, c);
            }
        }
        changes.incrementAndGet();
    }

    public WindowSpend spend(ScopeRef scope, Window window, Instant now) {
        return spend(scope, window, now.toEpochMilli());
    }

    /**
     * As {@link #spend(ScopeRef, Window, Instant)}. A calendar window is read without a lock or an
     * allocation; the same object comes back until a call changes that total (verdicts rely on this
     * to reuse what they computed from it).
     */
    public WindowSpend spend(ScopeRef scope, Window window, long nowMillis) {
        State s = state;
        ScopeCounters c = s.counters().get(scope);
        if (c == null) {
            return WindowSpend.ZERO;
        }
        return window.rolling() ? c.rolling(window, nowMillis) : c.calendar(window, s.calendar().periodOf(window, nowMillis));
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
        // Retired under each counter's own lock, so an add racing the eviction (a scope's first call, or the first
        // after a quiet week) sees it retired and starts new counters rather than adding to dropped ones.
        boolean removed = s.counters().entrySet().removeIf(e -> e.getValue().retireIfIdle(s.calendar(), now.toEpochMilli()));
        if (removed) {
            layout.incrementAndGet();
        }
        return before - s.counters().size();
    }

    public int scopeCount() {
        return state.counters().size();
    }

    /** One calendar window's total for the period starting at {@code periodStart}; replaced, never changed. */
    private record CalendarTotal(long periodStart, WindowSpend spend) {
        static final CalendarTotal NONE = new CalendarTotal(Long.MIN_VALUE, WindowSpend.ZERO);
    }

    /** One scope's running totals: what a verdict that resolved them once reads on every check. */
    public static final class ScopeCounters {
        /** Day, week and month, published whole so a verdict reads them without this object's lock. */
        private final AtomicReferenceArray<CalendarTotal> totals = new AtomicReferenceArray<>(
                new CalendarTotal[] {CalendarTotal.NONE, CalendarTotal.NONE, CalendarTotal.NONE});
        private final RollingCounter day = new RollingCounter(24 * 60);
        private final RollingCounter week = new RollingCounter(7 * 24 * 60);
        /** Raised after every call added, once its totals are published: read it before the totals. */
        private volatile long version;
        /** Set when eviction dropped these counters from the ledger (under this object's lock). */
        private boolean retired;

        private ScopeCounters() {}

        /** False, adding nothing, once eviction has retired these counters (they are no longer the scope's). */
        synchronized boolean addUnlessRetired(Period d, Period w, Period m, long ts, long cost, boolean est, boolean priced,
                boolean prov) {
            if (retired) {
                return false;
            }
            add(d, w, m, ts, cost, est, priced, prov);
            return true;
        }

        /** Retires these counters if they hold no spend in any current window; a retired counter takes no more calls. */
        synchronized boolean retireIfIdle(PeriodCalendar cal, long now) {
            if (!retired && idle(cal, now)) {
                retired = true;
            }
            return retired;
        }

        private void add(Period d, Period w, Period m, long ts, long cost, boolean est, boolean priced, boolean prov) {
            addCalendar(0, d, cost, est, priced, prov);
            addCalendar(1, w, cost, est, priced, prov);
            addCalendar(2, m, cost, est, priced, prov);
            day.add(ts, cost, est, priced, prov);
            week.add(ts, cost, est, priced, prov);
            version = version + 1;
        }

        /** A number that changes after every call added to this scope. */
        public long version() {
            return version;
        }

        /**
         * Spend in {@code window}'s current period as {@link SpendLedger#spend(ScopeRef, Window, long)} reads it;
         * {@code current} is the calendar window's current period (ignored for a rolling window).
         */
        WindowSpend spend(Window window, Period current, long nowMillis) {
            return window.rolling() ? rolling(window, nowMillis) : calendar(window, current);
        }

        /**
         * Until when (exclusive) a rolling window's spend stays what it reads now if nothing is added: the
         * moment its oldest minute ages out; {@link Long#MAX_VALUE} when it holds none.
         */
        synchronized long rollingStableUntil(Window w, long nowMillis) {
            return (w == Window.ROLLING_24H ? day : week).stableUntil(nowMillis);
        }

        private void addCalendar(int i, Period p, long cost, boolean est, boolean priced, boolean prov) {
            CalendarTotal t = totals.get(i);
            if (p.startMillis() < t.periodStart()) {
                return;
            }
            WindowSpend v = p.startMillis() > t.periodStart() ? WindowSpend.ZERO : t.spend();
            // Saturating: a total past $9.2 trillion stays there rather than wrapping to "money left".
            totals.set(i, new CalendarTotal(p.startMillis(), new WindowSpend(Money.plus(v.spentMicros(), cost),
                    est ? Money.plus(v.estimatedMicros(), cost) : v.estimatedMicros(),
                    priced ? v.unpricedCalls() : Money.plus(v.unpricedCalls(), 1),
                    prov ? Money.plus(v.provisionalMicros(), cost) : v.provisionalMicros())));
        }

        WindowSpend calendar(Window w, Period current) {
            CalendarTotal t = totals.get(w.ordinal());
            return t.periodStart() == current.startMillis() ? t.spend() : WindowSpend.ZERO;
        }

        synchronized WindowSpend rolling(Window w, long now) {
            return (w == Window.ROLLING_24H ? day : week).read(now);
        }

        synchronized Long relief(Window w, long threshold, long now) {
            return (w == Window.ROLLING_24H ? day : week).millisWhenBelow(threshold, now);
        }

        synchronized boolean idle(PeriodCalendar cal, long now) {
            // The rolling week outlasts the current day and week; the month needs its own check.
            boolean monthCurrent = totals.get(2).periodStart() == cal.periodOf(Window.MONTHLY, now).startMillis();
            boolean weekCurrent = totals.get(1).periodStart() == cal.periodOf(Window.WEEKLY, now).startMillis();
            return !monthCurrent && !weekCurrent && week.isEmpty(now) && day.isEmpty(now);
        }
    }
}
