package dev.plutus.budget;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Scope refs for the ids every call names again (its provider and model), each canonicalised once:
 * a model's canonical id takes several string passes ({@code ModelNames.budgetKey}), which counting a
 * call would otherwise pay for each call. Bounded: past {@link #MAX} distinct ids a map starts over.
 */
final class ScopeRefs {
    static final int MAX = 4_096;

    private final ConcurrentHashMap<String, ScopeRef> providers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ScopeRef> models = new ConcurrentHashMap<>();

    ScopeRef of(ScopeKind kind, String id) {
        ConcurrentHashMap<String, ScopeRef> known = kind == ScopeKind.PROVIDER ? providers : kind == ScopeKind.MODEL ? models : null;
        if (known == null) {
            return ScopeRef.of(kind, id);
        }
        ScopeRef ref = known.get(id);
        if (ref == null) {
            ref = ScopeRef.of(kind, id);
            if (known.size() >= MAX) {
                known.clear();
            }
            known.put(id, ref);
        }
        return ref;
    }
}
