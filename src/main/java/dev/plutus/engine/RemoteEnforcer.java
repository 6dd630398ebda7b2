package dev.plutus.engine;

import dev.plutus.budget.Level;
import dev.plutus.core.CallIntent;
import dev.plutus.remote.RemoteLink;
import dev.plutus.remote.RemoteVerdict;
import java.util.List;
import java.util.Optional;

/**
 * Remote mode: the central Plutus's last verdict decides while it is fresh; nothing is held locally.
 * A verdict that cannot be had (none read yet, too old, the central instance could not compute one)
 * is thrown as {@link VerdictUnknown}, never taken for "ok".
 */
public final class RemoteEnforcer implements Enforcer {
    static final String EXHAUSTED = "Plutus: the central budget is exhausted. Tool calls are blocked; finish with a short summary.";

    private final RemoteLink link;
    private volatile String lastNotice;

    RemoteEnforcer(RemoteLink link) {
        this.link = link;
    }

    @Override
    public Optional<Block> block(String sessionId) {
        RemoteVerdict v = known();
        if (v.level() != Level.HARD) {
            return Optional.empty();
        }
        return Optional.of(new Block(v.message() != null ? v.message() : EXHAUSTED, Optional.empty()));
    }

    /** The central verdict's message, the first time this process sees it (a new verdict is announced again). */
    @Override
    public Announcements announce(String sessionId) {
        RemoteVerdict v = known();
        if (v.level() == Level.OK || v.message() == null || v.message().equals(lastNotice)) {
            return Announcements.NONE;
        }
        lastNotice = v.message();
        return new Announcements(List.of(v.message().startsWith("[Plutus]") ? v.message() : "[Plutus] " + v.message()),
                Optional.empty());
    }

    private RemoteVerdict known() {
        RemoteVerdict v = link.enforceable();
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
    public boolean release(String intentId) {
        return false;
    }
}
