package dev.plutus.budget;

import dev.plutus.pricing.ModelNames;
import java.util.Locale;
import java.util.Objects;

/**
 * One budget scope: a kind and, except for global, the id of what it limits. {@code id} is the
 * canonical form scopes are compared by; {@code written} is how budget.yaml spells it
 * ({@code gpt-4.1} for the id {@code gpt-4-1}), the form people are shown. Equality ignores it.
 */
public record ScopeRef(ScopeKind kind, String id, String written) {
    public static final ScopeRef GLOBAL = new ScopeRef(ScopeKind.GLOBAL, "");

    public ScopeRef {
        Objects.requireNonNull(kind, "kind");
        id = kind == ScopeKind.GLOBAL ? "" : canonicalId(kind, Objects.requireNonNull(id, "id"));
        written = kind == ScopeKind.GLOBAL || written == null || written.isBlank() || !canonicalId(kind, written).equals(id)
                ? id : written.trim();
    }

    public ScopeRef(ScopeKind kind, String id) {
        this(kind, id, null);
    }

    /** The same scope, shown as {@code written} when that spells the same id. */
    public ScopeRef writtenAs(String spelling) {
        return new ScopeRef(kind, id, spelling);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScopeRef r && r.kind == kind && r.id.equals(id);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + id.hashCode();
    }

    public static ScopeRef of(ScopeKind kind, String id) {
        return new ScopeRef(kind, id);
    }

    /** Ids are compared in one form: providers lower-cased, models as {@link ModelNames#budgetKey}. */
    public static String canonicalId(ScopeKind kind, String id) {
        return switch (kind) {
            case GLOBAL -> "";
            case PROVIDER -> id.trim().toLowerCase(Locale.ROOT);
            case MODEL -> ModelNames.budgetKey(id);
            default -> id.trim();
        };
    }

    /** {@code global}, or {@code cron_job d200f53be09d}: how messages and tables name it. */
    public String describe() {
        return kind == ScopeKind.GLOBAL ? "global" : kind.label() + " " + written;
    }
}
