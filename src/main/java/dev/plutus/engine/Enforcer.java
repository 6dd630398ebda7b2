package dev.plutus.engine;

import dev.plutus.budget.CronPauseRequest;
import dev.plutus.core.CallIntent;
import java.util.List;
import java.util.Optional;

/**
 * Who decides whether a session may go on spending: this process's own ledger, or a central Plutus
 * (remote mode). Chosen once, when the engine opens, so hosts never branch on the mode. A verdict
 * that cannot be computed is thrown as {@link VerdictUnknown}, never answered as "may go on".
 */
public sealed interface Enforcer permits LocalEnforcer, RemoteEnforcer {

    /** A session in hard breach: the message that stops its work, and its cron job's pause when one is due. */
    record Block(String message, Optional<CronPauseRequest> pause) {}

    /** What to tell the conversation before its next turn, and a cron pause that is due. */
    record Announcements(List<String> notices, Optional<CronPauseRequest> pause) {
        public static final Announcements NONE = new Announcements(List.of(), Optional.empty());
    }

    /** The block for a session whose budget is in hard breach; empty when it may go on. */
    Optional<Block> block(String sessionId);

    /** Budget notices due for the session (each announced once per scope, window and level). */
    Announcements announce(String sessionId);

    /**
     * Before a model call: holds its expected cost against the session's budgets and answers a block
     * when the hold is refused. Remote mode holds nothing here and answers the central verdict.
     */
    Optional<Block> admit(CallIntent intent);

    /**
     * A model call already let out renews its hold (a retry, or the request as it finally went out, read from the
     * bridge's journal): nobody waits for an answer, so no block, notice or cron pause is handed out (a pause
     * recorded here would be marked done and never carried out). Remote mode holds nothing.
     */
    void renew(CallIntent intent);

    /** Ends the hold of a call that failed and will not be retried; false when nothing was held. */
    boolean release(String intentId);
}
