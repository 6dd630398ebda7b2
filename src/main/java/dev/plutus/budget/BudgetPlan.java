package dev.plutus.budget;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A budget.yaml compiled for verdicts: per scope, its limited windows with their soft and hard
 * thresholds worked out once (not a BigDecimal product per check), and the status each window last
 * produced, which a verdict reuses while the spend and the period it was computed from are unchanged.
 * One plan belongs to one {@link BudgetConfig}; a reloaded budget gets a new plan.
 */
public final class BudgetPlan {
    /** Session scopes come and go; past this many the plans are dropped and rebuilt as asked. */
    private static final int MAX_SCOPES = 100_000;

    private final BudgetConfig config;
    private final boolean anyLimit;
    private final ConcurrentHashMap<ScopeRef, ScopePlan> scopes = new ConcurrentHashMap<>();

    public BudgetPlan(BudgetConfig config) {
        this.config = config;
        this.anyLimit = config.hasAnyLimit();
    }

    public BudgetConfig config() {
        return config;
    }

    public boolean anyLimit() {
        return anyLimit;
    }

    /** These scopes, each with its limited windows, in the order given. */
    public Planned plan(Collection<ScopeRef> asked) {
        ScopePlan[] plans = new ScopePlan[asked.size()];
        int i = 0;
        int statuses = 0;
        for (ScopeRef scope : asked) {
            plans[i] = of(scope);
            statuses += plans[i].windows.length;
            i++;
        }
        return new Planned(this, plans, statuses);
    }

    private ScopePlan of(ScopeRef scope) {
        ScopePlan p = scopes.get(scope);
        if (p == null) {
            if (scopes.size() >= MAX_SCOPES) {
                scopes.clear();
            }
            p = scopes.computeIfAbsent(scope, s -> new ScopePlan(config, s));
        }
        return p;
    }

    /** Scopes a verdict is asked for, planned once and reused for as long as the plan is in force. */
    public static final class Planned {
        final BudgetPlan plan;
        final ScopePlan[] scopes;
        final int statuses;

        private Planned(BudgetPlan plan, ScopePlan[] scopes, int statuses) {
            this.plan = plan;
            this.scopes = scopes;
            this.statuses = statuses;
        }

        public BudgetPlan plan() {
            return plan;
        }
    }

    static final class ScopePlan {
        /** The scope as budget.yaml spells it (statuses name it so). */
        final ScopeRef scope;
        /** Limited windows in {@link Window} order, with their limit and thresholds. */
        final Window[] windows;
        final long[] limits;
        final long[] softAt;
        final long[] hardAt;
        /** Per window, the status it last produced; any thread may replace it, each one is valid for its inputs. */
        final AtomicReferenceArray<ScopeStatus> last;

        ScopePlan(BudgetConfig config, ScopeRef asked) {
            this.scope = config.written(asked);
            Map<Window, Long> perWindow = config.limitsFor(asked).perWindow();
            windows = new Window[perWindow.size()];
            limits = new long[windows.length];
            softAt = new long[windows.length];
            hardAt = new long[windows.length];
            int i = 0;
            for (Window w : Window.values()) {
                Long limit = perWindow.get(w);
                if (limit != null) {
                    windows[i] = w;
                    limits[i] = limit;
                    softAt[i] = BudgetConfig.threshold(limit, config.softPct());
                    hardAt[i] = BudgetConfig.threshold(limit, config.hardPct());
                    i++;
                }
            }
            last = new AtomicReferenceArray<>(windows.length);
        }
    }
}
