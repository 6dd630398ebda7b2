package dev.plutus.budget;

/**
 * A verdict and the statuses it was built from, in the order they were computed; the next check of
 * the same scopes returns it unchanged when every status comes out as the very same object.
 */
public final class VerdictMemo {
    public static final VerdictMemo NONE = new VerdictMemo(new ScopeStatus[0], BudgetCheck.NONE);

    final ScopeStatus[] inputs;
    private final BudgetCheck check;

    VerdictMemo(ScopeStatus[] inputs, BudgetCheck check) {
        this.inputs = inputs;
        this.check = check;
    }

    public BudgetCheck check() {
        return check;
    }
}
