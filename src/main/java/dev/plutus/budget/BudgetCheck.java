package dev.plutus.budget;

import java.util.List;

/** Every limited scope/window that applies, and the verdict they add up to. */
public record BudgetCheck(List<ScopeStatus> statuses, Verdict verdict) {
    public static final BudgetCheck NONE = new BudgetCheck(List.of(), Verdict.OK);

    public BudgetCheck {
        statuses = List.copyOf(statuses);
    }
}
