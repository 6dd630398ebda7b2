package dev.plutus.engine;

import dev.plutus.budget.Level;
import dev.plutus.core.CallIntent;
import dev.plutus.remote.RemoteLink;
import dev.plutus.remote.RemoteSession;
import dev.plutus.store.SessionDirectory;
import dev.plutus.remote.RemoteVerdict;
import java.util.List;
import java.util.Optional;

/**
 * Remote mode: the central Plutus's last verdict decides while it is fresh (the host-wide one, and the
 * session's own for its session, cron job and sender budgets); nothing is held locally.
 * A verdict that cannot be had (none read yet, too old, the central instance could not compute one)
 * is thrown as {@link VerdictUnknown}, never taken for "ok".
 */
public final class RemoteEnforcer implements Enforcer {
    static final String EXHAUSTED = "Plutus: the central budget is exhausted. Tool calls are blocked; finish with a short summary.";

    private final RemoteLink link;
    private final SessionDirectory sessions;
    private volatile String lastNotice;

    RemoteEnforcer(RemoteLink link, SessionDirectory sessions) {
        this.link = link;
        this.sessions = sessions;
    }

    @Override
    public Optional<Block> block(String sessionId) {
        RemoteVerdict v = known(sessionId);
        if (v.level() != Level.HARD) {
            return Optional.empty();
        }
        return Optional.of(new Block(v.message() != null ? v.message() : EXHAUSTED, Optional.empty()));
    }

    /** The central verdict's message, the first time this process sees it (a new verdict is announced again). */
    @Override
    public Announcements announce(String sessionId) {
        RemoteVerdict v = known(sessionId);
        if (v.level() == Level.OK || v.message() == null || v.message().equals(lastNotice)) {
            return Announcements.NONE;
        }
        lastNotice = v.message();
        return new Announcements(List.of(v.message().startsWith("[Plutus]") ? v.message() : "[Plutus] " + v.message()),
                Optional.empty());
    }

    private RemoteVerdict known(String sessionId) {
        // What this host knows of the session goes with the question: the central instance may not have seen it yet.
        RemoteSession who = sessionId == null ? null : sessions.find(sessionId)
                .map(s -> new RemoteSession(s.sessionId(), s.rootSessionId(), s.cronJobId(), s.senderId()))
                .orElseGet(() -> new RemoteSession(sessionId, null, null, null));
        RemoteVerdict v = link.enforceable(who);
        if (v.level() == Level.UNKNOWN) {
            throw new VerdictUnknown(v.message(), null);
        }
        return v;
    }

    @Override
    public Optional<Block> admit(CallIntent intent) {
        return block(intent.sessionId());
    }

    @Override
    public void renew(CallIntent intent) {
        // Nothing is held here: the central daemon holds (or not) for the calls it answered.
    }

    @Override
    public boolean release(String intentId) {
        return false;
    }
}
