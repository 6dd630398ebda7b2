package dev.plutus.budget;

import java.util.Arrays;
import java.util.Optional;

/** What a budget limits: all spend, or the spend of one cron job, sender, provider, model or session. */
public enum ScopeKind {
    GLOBAL("global", "global"),
    CRON_JOB("cron_job", "per_cron_job"),
    SENDER("sender", "per_sender"),
    PROVIDER("provider", "per_provider"),
    MODEL("model", "per_model"),
    SESSION("session", "per_session");

    private final String label;
    private final String yamlKey;

    ScopeKind(String label, String yamlKey) {
        this.label = label;
        this.yamlKey = yamlKey;
    }

    public String label() {
        return label;
    }

    public String yamlKey() {
        return yamlKey;
    }

    public static Optional<ScopeKind> byLabel(String text) {
        String t = text.trim().toLowerCase();
        return Arrays.stream(values()).filter(k -> k.label.equals(t) || k.yamlKey.equals(t)).findFirst();
    }
}
