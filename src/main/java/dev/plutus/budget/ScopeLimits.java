package dev.plutus.budget;

import java.util.Map;

/**
 * The limits of one scope kind: a default for every id, and overrides for named ids (by canonical
 * id). {@code written} maps a canonical id to how budget.yaml spells it, where that differs.
 */
public record ScopeLimits(Limits defaults, Map<String, Limits> overrides, Map<String, String> written) {
    public static final ScopeLimits NONE = new ScopeLimits(Limits.NONE, Map.of());

    public ScopeLimits {
        overrides = Map.copyOf(overrides);
        written = Map.copyOf(written);
    }

    public ScopeLimits(Limits defaults, Map<String, Limits> overrides) {
        this(defaults, overrides, Map.of());
    }

    public Limits forId(String canonicalId) {
        Limits o = overrides.get(canonicalId);
        return o == null ? defaults : o.over(defaults);
    }

    public boolean isEmpty() {
        return defaults.isEmpty() && overrides.values().stream().allMatch(Limits::isEmpty);
    }
}
