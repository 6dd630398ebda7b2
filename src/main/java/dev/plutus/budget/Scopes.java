package dev.plutus.budget;

import dev.plutus.store.LedgerEntry;
import java.util.LinkedHashSet;
import java.util.Set;

/** Which scopes a call spends into, and which a session is judged by. */
public final class Scopes {
    private Scopes() {}

    public static Set<ScopeRef> forCall(LedgerEntry e) {
        return of(e.sessionId(), e.rootSessionId(), e.cronJobId(), e.senderId(), e.provider(), e.model());
    }

    /**
     * Global, plus each scope the facts name: the cron job and sender (inherited by subagents),
     * the provider and model, and the session together with the root session it was delegated from.
     */
    public static Set<ScopeRef> of(String sessionId, String rootSessionId, String cronJobId, String senderId,
                                   String provider, String model) {
        Set<ScopeRef> s = new LinkedHashSet<>();
        s.add(ScopeRef.GLOBAL);
        addIf(s, ScopeKind.CRON_JOB, cronJobId);
        addIf(s, ScopeKind.SENDER, senderId);
        addIf(s, ScopeKind.PROVIDER, provider);
        addIf(s, ScopeKind.MODEL, model);
        addIf(s, ScopeKind.SESSION, sessionId);
        addIf(s, ScopeKind.SESSION, rootSessionId);
        return s;
    }

    private static void addIf(Set<ScopeRef> s, ScopeKind kind, String id) {
        if (id != null && !id.isBlank()) {
            s.add(ScopeRef.of(kind, id));
        }
    }
}
