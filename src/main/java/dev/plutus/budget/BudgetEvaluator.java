package dev.plutus.budget;

import dev.plutus.core.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Turns running spend into verdicts. Reads only memory: a verdict costs a handful of map lookups
 * whatever the size of the database.
 */
public final class BudgetEvaluator {
    private static final Comparator<ScopeStatus> WORST_FIRST = Comparator
            .comparing(ScopeStatus::level).reversed()
            .thenComparing(Comparator.comparingLong(ScopeStatus::percent).reversed());

    private final SpendLedger ledger;

    public BudgetEvaluator(SpendLedger ledger) {
        this.ledger = ledger;
    }

    public BudgetCheck check(BudgetConfig config, Collection<ScopeRef> scopes, Instant now) {
        return check(config, scopes, now, scope -> 0);
    }

    /** As {@link #check(BudgetConfig, Collection, Instant)}, with money held for calls in flight counted as spent. */
    public BudgetCheck check(BudgetConfig config, Collection<ScopeRef> scopes, Instant now, java.util.function.ToLongFunction<ScopeRef> held) {
        if (!config.hasAnyLimit()) {
            return BudgetCheck.NONE;
        }
        List<ScopeStatus> statuses = new ArrayList<>();
        for (ScopeRef scope : scopes) {
            Limits limits = config.limitsFor(scope);
            for (Map.Entry<Window, Long> l : limits.perWindow().entrySet()) {
                statuses.add(status(config, scope, l.getKey(), l.getValue(), now, held.applyAsLong(scope)));
            }
        }
        if (statuses.isEmpty()) {
            return BudgetCheck.NONE;
        }
        statuses.sort(WORST_FIRST);
        return new BudgetCheck(statuses, verdictOf(statuses.get(0)));
    }

    /**
     * Money that can still be committed to {@code scope} before any of its windows reaches its hard
     * threshold, with {@code held} counted as spent; {@link Long#MAX_VALUE} for a scope without
     * limits, 0 once one is hard (an unpriced call under {@code on_unpriced: enforce} included).
     */
    public long headroom(BudgetConfig config, ScopeRef scope, Instant now, long held) {
        long free = Long.MAX_VALUE;
        for (Map.Entry<Window, Long> l : config.limitsFor(scope).perWindow().entrySet()) {
            WindowSpend spend = ledger.spend(scope, l.getKey(), now);
            if (spend.unpricedCalls() > 0 && config.onUnpriced() == EnforcementMode.ENFORCE) {
                return 0;
            }
            long hardAt = BudgetConfig.threshold(l.getValue(), config.hardPct());
            free = Math.min(free, Math.max(0, Money.minus(Money.minus(hardAt, spend.spentMicros()), held)));
        }
        return free;
    }

    public ScopeStatus status(BudgetConfig config, ScopeRef scope, Window window, long limitMicros, Instant now) {
        return status(config, scope, window, limitMicros, now, 0);
    }

    private ScopeStatus status(BudgetConfig config, ScopeRef asked, Window window, long limitMicros, Instant now, long held) {
        ScopeRef scope = config.written(asked);
        long nowMillis = now.toEpochMilli();
        return statusOf(config, scope, window, ledger.spend(scope, window, nowMillis), limitMicros,
                BudgetConfig.threshold(limitMicros, config.softPct()), BudgetConfig.threshold(limitMicros, config.hardPct()), held,
                nowMillis);
    }

    /**
     * The verdict for planned scopes with nothing held, as {@link #check(BudgetConfig, Collection, Instant)} gives it.
     * {@code previous} comes back as is while it {@linkplain VerdictMemo#holds holds}: no call counted into its
     * scopes and the clock short of its next period or rolling-minute boundary, told by comparing a few numbers and
     * references (no lookup, no lock, no allocation). Otherwise each status is rebuilt, reusing the one its scope and
     * window last produced while its spend and period are the objects it was computed from.
     */
    public VerdictMemo check(BudgetPlan.Planned planned, long nowMillis, VerdictMemo previous) {
        BudgetPlan plan = planned.plan;
        if (!plan.anyLimit() || planned.statuses == 0) {
            return VerdictMemo.NONE;
        }
        if (previous != null && previous.holds(planned, ledger, nowMillis)) {
            return previous;
        }
        BudgetConfig config = plan.config();
        // Layout and change count before the counters, each scope's version before its totals: a call counted
        // meanwhile makes the next check look again rather than keep a verdict that missed it.
        long layout = ledger.layout();
        long changes = ledger.changes();
        BudgetPlan.ScopePlan[] scopes = planned.scopes;
        SpendLedger.ScopeCounters[] counters;
        if (previous != null && previous.planned == planned && (previous.layout == layout || previous.sameCounters(ledger))) {
            counters = previous.counters;
        } else {
            counters = new SpendLedger.ScopeCounters[scopes.length];
            for (int i = 0; i < scopes.length; i++) {
                counters[i] = ledger.counters(scopes[i].scope);
            }
        }
        long[] versions = new long[scopes.length];
        for (int i = 0; i < scopes.length; i++) {
            versions[i] = counters[i] == null ? 0 : counters[i].version();
        }
        PeriodCalendar calendar = ledger.calendar();
        ScopeStatus[] before = previous == null ? null : previous.inputs;
        ScopeStatus[] fresh = null;
        long validUntil = Long.MAX_VALUE;
        int n = 0;
        for (int i = 0; i < scopes.length; i++) {
            BudgetPlan.ScopePlan sp = scopes[i];
            for (int w = 0; w < sp.windows.length; w++, n++) {
                Window window = sp.windows[w];
                Period current = window.rolling() ? calendar.periodOf(Window.DAILY, nowMillis) : calendar.periodOf(window, nowMillis);
                // A calendar status holds until its period ends; a rolling one until its alert day ends or its oldest
                // minute ages out (when a hard one resets is worked out from those minutes).
                validUntil = Math.min(validUntil, current.endMillis());
                if (window.rolling() && counters[i] != null) {
                    validUntil = Math.min(validUntil, counters[i].rollingStableUntil(window, nowMillis));
                }
                WindowSpend spend = counters[i] == null ? WindowSpend.ZERO : counters[i].spend(window, current, nowMillis);
                ScopeStatus s = reusedOrNew(config, sp, w, spend, nowMillis);
                if (fresh == null) {
                    if (before != null && n < before.length && before[n] == s) {
                        continue;
                    }
                    fresh = new ScopeStatus[planned.statuses];
                    if (n > 0) {
                        System.arraycopy(before, 0, fresh, 0, n);
                    }
                }
                fresh[n] = s;
            }
        }
        if (fresh == null && before != null && before.length == n) {
            return new VerdictMemo(before, previous.check(), planned, counters, versions, layout, changes, nowMillis, validUntil);
        }
        List<ScopeStatus> statuses = new ArrayList<>(java.util.Arrays.asList(fresh));
        statuses.sort(WORST_FIRST);
        return new VerdictMemo(fresh, new BudgetCheck(statuses, verdictOf(statuses.get(0))), planned, counters, versions, layout,
                changes, nowMillis, validUntil);
    }

    private ScopeStatus reusedOrNew(BudgetConfig config, BudgetPlan.ScopePlan sp, int w, WindowSpend spend, long nowMillis) {
        Window window = sp.windows[w];
        ScopeStatus last = sp.last.get(w);
        if (last != null && last.spend() == spend) {
            // A calendar status holds while its period does; a rolling one while its alert day does (its spend is
            // a new object as soon as a minute ages out, so when a hard one resets is unchanged too).
            if (window.rolling() ? last.periodKey().equals(ledger.calendar().rollingAlertKey(window, nowMillis))
                    : last.resetsAt().toEpochMilli() == ledger.calendar().periodOf(window, nowMillis).endMillis()) {
                return last;
            }
        }
        ScopeStatus s = statusOf(config, sp.scope, window, spend, sp.limits[w], sp.softAt[w], sp.hardAt[w], 0, nowMillis);
        sp.last.set(w, s);
        return s;
    }

    private ScopeStatus statusOf(BudgetConfig config, ScopeRef scope, Window window, WindowSpend spend, long limitMicros,
                                 long softAt, long hardAt, long held, long nowMillis) {
        long committed = Money.plus(spend.spentMicros(), held);
        Level level = committed >= hardAt ? Level.HARD : committed >= softAt ? Level.SOFT : Level.OK;
        boolean degraded = false;
        if (level == Level.HARD && config.onEstimated() == EnforcementMode.WARN_ONLY
                && Money.minus(committed, spend.estimatedMicros()) < hardAt) {
            level = Level.SOFT;
            degraded = true;
        }
        boolean unpricedHard = false;
        if (spend.unpricedCalls() > 0 && config.onUnpriced() == EnforcementMode.ENFORCE && level != Level.HARD) {
            level = Level.HARD;
            unpricedHard = true;
        }
        String periodKey;
        Instant resetsAt;
        if (window.rolling()) {
            periodKey = ledger.calendar().rollingAlertKey(window, nowMillis);
            resetsAt = level == Level.HARD ? ledger.rollingRelief(scope, window, hardAt, Instant.ofEpochMilli(nowMillis)) : null;
        } else {
            Period p = ledger.calendar().periodOf(window, nowMillis);
            periodKey = p.key();
            resetsAt = Instant.ofEpochMilli(p.endMillis());
        }
        return new ScopeStatus(scope, window, spend, limitMicros, level, degraded, unpricedHard, periodKey, resetsAt, held);
    }

    private static Verdict verdictOf(ScopeStatus worst) {
        return switch (worst.level()) {
            case OK -> Verdict.OK;
            case SOFT -> new Verdict.Soft(worst);
            case HARD -> new Verdict.Hard(worst);
            case UNKNOWN -> throw new IllegalStateException("a scope status is never unknown");
        };
    }
}
