package dev.plutus.budget;

import dev.plutus.store.LedgerEntry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
        addIf(s, ScopeKind.CRON_JOB, cronJobId, null);
        addIf(s, ScopeKind.SENDER, senderId, null);
        addIf(s, ScopeKind.PROVIDER, provider, null);
        addIf(s, ScopeKind.MODEL, model, null);
        addIf(s, ScopeKind.SESSION, sessionId, null);
        addIf(s, ScopeKind.SESSION, rootSessionId, null);
        return s;
    }

    /**
     * The same scopes as {@link #of}, for counting a call: a list (each scope once), provider and model
     * refs taken from {@code refs} rather than worked out again.
     */
    static List<ScopeRef> forCounting(String sessionId, String rootSessionId, String cronJobId, String senderId,
                                      String provider, String model, ScopeRefs refs) {
        List<ScopeRef> s = new ArrayList<>(7);
        s.add(ScopeRef.GLOBAL);
        addIf(s, ScopeKind.CRON_JOB, cronJobId, refs);
        addIf(s, ScopeKind.SENDER, senderId, refs);
        addIf(s, ScopeKind.PROVIDER, provider, refs);
        addIf(s, ScopeKind.MODEL, model, refs);
        addIf(s, ScopeKind.SESSION, sessionId, refs);
        if (rootSessionId != null && !rootSessionId.isBlank()) {
            ScopeRef root = ScopeRef.of(ScopeKind.SESSION, rootSessionId);
            if (!s.contains(root)) {
                s.add(root);
            }
        }
        return s;
    }

    private static void addIf(java.util.Collection<ScopeRef> s, ScopeKind kind, String id, ScopeRefs refs) {
        if (id != null && !id.isBlank()) {
            s.add(refs == null ? ScopeRef.of(kind, id) : refs.of(kind, id));
        }
    }
}
