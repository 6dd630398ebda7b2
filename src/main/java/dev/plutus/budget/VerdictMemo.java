package dev.plutus.budget;

/**
 * A verdict and what it was built from: the statuses in the order they were computed, and, to tell
 * without looking anything up whether it still holds, the counters of each planned scope (resolved
 * once), the version each had, and the instant from which time alone would change it (a period
 * ending, a rolling window's oldest minute ageing out).
 */
public final class VerdictMemo {
    public static final VerdictMemo NONE = new VerdictMemo(new ScopeStatus[0], BudgetCheck.NONE, null, null, null, 0, 0,
            Long.MIN_VALUE, Long.MAX_VALUE);

    final ScopeStatus[] inputs;
    private final BudgetCheck check;
    /** The scopes this was built for (null for {@link #NONE}). */
    final BudgetPlan.Planned planned;
    /** Per planned scope, its counters when built (null: it had none). */
    final SpendLedger.ScopeCounters[] counters;
    /** Per planned scope, its counters' version when built. */
    final long[] versions;
    /** The ledger's layout under which {@link #counters} were last found current. */
    volatile long layout;
    /** The ledger's change count at which {@link #versions} were last found current. */
    volatile long changes;
    /** Valid for clock readings in [builtAt, validUntil). */
    final long builtAt;
    final long validUntil;

    VerdictMemo(ScopeStatus[] inputs, BudgetCheck check, BudgetPlan.Planned planned, SpendLedger.ScopeCounters[] counters,
                long[] versions, long layout, long changes, long builtAt, long validUntil) {
        this.inputs = inputs;
        this.check = check;
        this.planned = planned;
        this.counters = counters;
        this.versions = versions;
        this.layout = layout;
        this.changes = changes;
        this.builtAt = builtAt;
        this.validUntil = validUntil;
    }

    public BudgetCheck check() {
        return check;
    }

    /**
     * Whether this verdict is still the one for {@code planned} at {@code nowMillis}: the same scopes, the
     * clock inside its validity, and no call counted into any of its scopes since. No hash lookup while no
     * scope's counters were created or dropped; reads the ledger's change count, and each scope's version
     * only when calls were counted somewhere since.
     */
    public boolean holds(BudgetPlan.Planned planned, SpendLedger ledger, long nowMillis) {
        if (planned != this.planned || nowMillis < builtAt || nowMillis >= validUntil) {
            return false;
        }
        long layoutNow = ledger.layout();
        if (layoutNow != layout) {
            if (!sameCounters(ledger)) {
                return false;
            }
            layout = layoutNow;
        }
        long changesNow = ledger.changes();
        if (changesNow == changes) {
            return true;
        }
        for (int i = 0; i < counters.length; i++) {
            SpendLedger.ScopeCounters c = counters[i];
            if (c != null && c.version() != versions[i]) {
                return false;
            }
        }
        changes = changesNow;
        return true;
    }

    /** Whether every planned scope still has the counters this was built from (looked up again). */
    boolean sameCounters(SpendLedger ledger) {
        BudgetPlan.ScopePlan[] scopes = planned.scopes;
        for (int i = 0; i < scopes.length; i++) {
            if (ledger.counters(scopes[i].scope) != counters[i]) {
                return false;
            }
        }
        return true;
    }
}
