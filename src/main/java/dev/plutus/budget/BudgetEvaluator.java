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
        ScopeStatus worst = statuses.get(0);
        Verdict v = switch (worst.level()) {
            case OK -> Verdict.OK;
            case SOFT -> new Verdict.Soft(worst);
            case HARD -> new Verdict.Hard(worst);
            case UNKNOWN -> throw new IllegalStateException("a scope status is never unknown");
        };
        return new BudgetCheck(statuses, v);
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
        WindowSpend spend = ledger.spend(scope, window, now);
        long hardAt = BudgetConfig.threshold(limitMicros, config.hardPct());
        long softAt = BudgetConfig.threshold(limitMicros, config.softPct());
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
        long nowMillis = now.toEpochMilli();
        String periodKey;
        Instant resetsAt;
        if (window.rolling()) {
            periodKey = ledger.calendar().rollingAlertKey(window, nowMillis);
            resetsAt = level == Level.HARD ? ledger.rollingRelief(scope, window, hardAt, now) : null;
        } else {
            Period p = ledger.calendar().periodOf(window, nowMillis);
            periodKey = p.key();
            resetsAt = Instant.ofEpochMilli(p.endMillis());
        }
        return new ScopeStatus(scope, window, spend, limitMicros, level, degraded, unpricedHard, periodKey, resetsAt, held);
    }
}
