package dev.plutus.adapter;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.Verdict;

/**
 * Told when a call is let through on a soft verdict (a budget past its warning threshold): the
 * application decides what to do with it (tell the user, switch to a cheaper model, page someone).
 * Called on the thread making the call, before the request goes out; it should return quickly.
 */
@FunctionalInterface
public interface SoftVerdictListener {
    void onSoft(CallIds ids, Verdict.Soft verdict, BudgetCheck check);

    SoftVerdictListener NONE = (ids, verdict, check) -> { };
}
