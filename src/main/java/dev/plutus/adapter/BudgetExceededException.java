package dev.plutus.adapter;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Verdict;
import dev.plutus.core.Money;

/**
 * A model call Plutus refused before it left the process: a hard budget is full (or no verdict
 * could be computed, {@link Verdict.Unknown}). Nothing was sent and nothing is held.
 */
public final class BudgetExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient BudgetCheck check;

    public BudgetExceededException(BudgetCheck check) {
        this(check, null);
    }

    /** {@code centralMessage}: in remote mode, the central Plutus's own words for its refusal (null otherwise). */
    public BudgetExceededException(BudgetCheck check, String centralMessage) {
        super(centralMessage != null ? "Plutus refused the model call: the central Plutus answered hard: " + centralMessage : message(check));
        this.check = check;
    }

    /** Every limited scope the call fell under, with its spend, hold and limit. */
    public BudgetCheck check() {
        return check;
    }

    /** {@link Verdict.Hard} naming the scope that is full, or {@link Verdict.Unknown} with its reason. */
    public Verdict verdict() {
        return check.verdict();
    }

    private static String message(BudgetCheck check) {
        if (check.verdict() instanceof Verdict.Hard hard) {
            ScopeStatus s = hard.cause();
            return "Plutus refused the model call: the " + s.window().label() + " budget of "
                    + s.scope().describe() + " is full (" + Money.display(Money.plus(s.spentMicros(), s.heldMicros()), s.limitMicros())
                    + " spent or held of " + Money.display(s.limitMicros(), s.limitMicros()) + ")" + (s.resetsAt() == null ? "" : "; it resets at " + s.resetsAt());
        }
        if (check.verdict() instanceof Verdict.Unknown unknown) {
            return "Plutus refused the model call: no budget verdict could be computed (" + unknown.reason() + ")";
        }
        return "Plutus refused the model call: " + check.verdict().level().label();
    }
}
