package dev.plutus.engine;

import dev.plutus.budget.BudgetMessages;

/**
 * No verdict could be computed for a question that needs one (may this tool run, may this call go
 * out): the store failed, say. Never read as "ok": hosts answer it as they answer an unreachable
 * Plutus, so their fail mode decides (the daemon answers 503; the Hermes bridge then blocks tools
 * under {@code fail_mode: closed}).
 */
public final class VerdictUnknown extends RuntimeException {
    public VerdictUnknown(String reason, Throwable cause) {
        super(BudgetMessages.unknown(reason), cause);
    }

    /** What went wrong, in a few words, for an exception that stopped a verdict. */
    public static String reasonOf(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
