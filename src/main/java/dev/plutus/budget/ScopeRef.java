package dev.plutus.budget;

import dev.plutus.pricing.ModelNames;
import java.util.Locale;
import java.util.Objects;

/** One budget scope: a kind and, except for global, the id of what it limits. */
public record ScopeRef(ScopeKind kind, String id) {
    public static final ScopeRef GLOBAL = new ScopeRef(ScopeKind.GLOBAL, "");

    public ScopeRef {
        Objects.requireNonNull(kind, "kind");
        id = kind == ScopeKind.GLOBAL ? "" : canonicalId(kind, Objects.requireNonNull(id, "id"));
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
        return kind == ScopeKind.GLOBAL ? "global" : kind.label() + " " + id;
    }
}
