package dev.plutus.adapter;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.core.LlmCall;
import java.time.Instant;

/** What became of one guarded model call, as {@link CallObserver}s see it. */
public sealed interface CallOutcome {
    /** The call as it was asked for: who for, which model, when, and what Plutus held for it. */
    record Attempt(String intentId, CallIds ids, String provider, String model, Instant startedAt, long reservedMicros) {}

    Attempt attempt();

    /** The call went out, came back and was priced and stored; {@code check} is the verdict it was let through on. */
    record Recorded(Attempt attempt, BudgetCheck check, LlmCall call) implements CallOutcome {}

    /** Refused before it left the process; nothing was sent. */
    record Refused(Attempt attempt, BudgetCheck check) implements CallOutcome {}

    /** It failed or was cancelled; its hold was given back and nothing was stored. */
    record Released(Attempt attempt, BudgetCheck check, String reason) implements CallOutcome {}
}
