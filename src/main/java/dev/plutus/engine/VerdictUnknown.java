package dev.plutus.engine;

import dev.plutus.budget.BudgetMessages;
import dev.plutus.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No verdict could be computed for a question that needs one (may this tool run, may this call go
 * out): the store failed, say. Never read as "ok": hosts answer it as they answer an unreachable
 * Plutus, so their fail mode decides (the daemon answers 503; the Hermes bridge then blocks tools
 * under {@code fail_mode: closed}).
 */
public final class VerdictUnknown extends RuntimeException {
    private static final Logger LOG = LoggerFactory.getLogger(VerdictUnknown.class);

    public VerdictUnknown(String reason, Throwable cause) {
        super(BudgetMessages.unknown(reason), cause);
    }

    /**
     * What went wrong, in plain words for whoever sees the answer (a chat, a client); the details
     * (class, message, SQL) go to the log only.
     */
    public static String reasonOf(Throwable e) {
        LOG.warn("a budget verdict could not be computed", e);
        return e instanceof StoreException || e.getCause() instanceof StoreException
                ? "the store failed (the log has the details)"
                : "an internal error (the log has the details)";
    }
}
