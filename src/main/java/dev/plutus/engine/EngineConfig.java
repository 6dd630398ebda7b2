package dev.plutus.engine;

import dev.plutus.core.HomeLayout;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import dev.plutus.store.CronSessionIds;

/**
 * Everything a {@link Engine} instance is opened with. Immutable; build with {@link #builder(PlutusHome)}.
 * The clock is injected so windows, retention and refresh intervals can be tested at any instant.
 */
public final class EngineConfig {
    private final HomeLayout home;
    private final Clock clock;
    private final int retentionDays;
    private final URI openRouterBaseUrl;
    private final URI litellmPricesUrl;
    private final Duration pricingRefreshInterval;
    private final Duration pricingRefreshFirstAfter;
    private final Duration ledgerSyncInterval;
    private final int maxPoolSize;
    private final java.util.Map<String, String> environment;
    private final CronSessionIds cronSessionIds;
    private final java.util.function.Supplier<java.util.Map<String, String>> cronJobNames;
    private final Duration budgetLooseningSettle;
    private final boolean callJournal;

    private EngineConfig(Builder b) {
        this.home = b.home;
        this.clock = b.clock;
        this.retentionDays = b.retentionDays;
        this.openRouterBaseUrl = b.openRouterBaseUrl;
        this.litellmPricesUrl = b.litellmPricesUrl;
        this.pricingRefreshInterval = b.pricingRefreshInterval;
        this.pricingRefreshFirstAfter = b.pricingRefreshFirstAfter;
        this.ledgerSyncInterval = b.ledgerSyncInterval;
        this.maxPoolSize = b.maxPoolSize;
        this.environment = java.util.Map.copyOf(b.environment);
        this.cronSessionIds = b.cronSessionIds;
        this.cronJobNames = b.cronJobNames;
        this.budgetLooseningSettle = b.budgetLooseningSettle;
        this.callJournal = b.callJournal;
    }

    private EngineConfig(EngineConfig base, boolean callJournal) {
        this.home = base.home;
        this.clock = base.clock;
        this.retentionDays = base.retentionDays;
        this.openRouterBaseUrl = base.openRouterBaseUrl;
        this.litellmPricesUrl = base.litellmPricesUrl;
        this.pricingRefreshInterval = base.pricingRefreshInterval;
        this.pricingRefreshFirstAfter = base.pricingRefreshFirstAfter;
        this.ledgerSyncInterval = base.ledgerSyncInterval;
        this.maxPoolSize = base.maxPoolSize;
        this.environment = base.environment;
        this.cronSessionIds = base.cronSessionIds;
        this.cronJobNames = base.cronJobNames;
        this.budgetLooseningSettle = base.budgetLooseningSettle;
        this.callJournal = callJournal;
    }

    /** The same settings, journaling calls or not. */
    public EngineConfig withCallJournal(boolean on) {
        return new EngineConfig(this, on);
    }

    public static Builder builder(HomeLayout home) {
        return new Builder(home);
    }

    public HomeLayout home() { return home; }
    public Clock clock() { return clock; }
    public int retentionDays() { return retentionDays; }
    public URI openRouterBaseUrl() { return openRouterBaseUrl; }
    /** Where /setup pricing auto reads LiteLLM's price map; null: not fetched. */
    public URI litellmPricesUrl() { return litellmPricesUrl; }
    public Duration pricingRefreshInterval() { return pricingRefreshInterval; }
    /** How long after the upkeep starts the daemon first looks whether a price refresh is due. */
    public Duration pricingRefreshFirstAfter() { return pricingRefreshFirstAfter; }
    /** How often spend written by other processes into the same database is folded into the running totals. */
    public Duration ledgerSyncInterval() { return ledgerSyncInterval; }
    public int maxPoolSize() { return maxPoolSize; }
    /** Where provider keys and HERMES_HOME are looked up (the process environment unless a test or host sets another). */
    public java.util.Map<String, String> environment() { return environment; }
    /** How the host names its cron sessions (none unless the host says). */
    public CronSessionIds cronSessionIds() { return cronSessionIds; }

    /** The host's cron job names by id (Hermes's cron/jobs.json), so budget.yaml can be checked for a job written by name. */
    public java.util.function.Supplier<java.util.Map<String, String>> cronJobNames() { return cronJobNames; }
    /** How long a hand edit of budget.yaml that loosens the budget must stay unchanged before it goes into force. */
    public Duration budgetLooseningSettle() { return budgetLooseningSettle; }
    /**
     * Whether calls are acknowledged once appended to the call journal (SQLite only; the long-lived
     * process that owns the home: the daemon). Off, calls are acknowledged once committed. Either
     * way an engine opening the home first stores whatever a stopped process left in the journal.
     */
    public boolean callJournal() { return callJournal; }

    public static final class Builder {
        private final HomeLayout home;
        private Clock clock = Clock.systemUTC();
        private int retentionDays = 400;
        private URI openRouterBaseUrl = URI.create("https://openrouter.ai/api/v1");
        private URI litellmPricesUrl = dev.plutus.pricing.LiteLlmCatalog.DEFAULT_URL;
        private Duration pricingRefreshInterval = Duration.ofDays(1);
        private Duration pricingRefreshFirstAfter = Duration.ofSeconds(30);
        private Duration ledgerSyncInterval = Duration.ofMillis(250);
        private int maxPoolSize = 4;
        private java.util.Map<String, String> environment = System.getenv();
        private CronSessionIds cronSessionIds = CronSessionIds.NONE;
        private java.util.function.Supplier<java.util.Map<String, String>> cronJobNames = java.util.Map::of;
        private Duration budgetLooseningSettle = dev.plutus.budget.BudgetFile.LOOSENING_SETTLE;
        private boolean callJournal;

        private Builder(HomeLayout home) {
            this.home = Objects.requireNonNull(home, "home");
        }

        public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock, "clock"); return this; }

        public Builder retentionDays(int days) {
            if (days < 1) {
                throw new IllegalArgumentException("retention_days must be at least 1, got " + days);
            }
            this.retentionDays = days;
            return this;
        }

        public Builder openRouterBaseUrl(URI url) { this.openRouterBaseUrl = Objects.requireNonNull(url); return this; }
        /** null: /setup pricing auto fetches OpenRouter only. */
        public Builder litellmPricesUrl(URI url) { this.litellmPricesUrl = url; return this; }

        public Builder pricingRefreshInterval(Duration d) { this.pricingRefreshInterval = requirePositive(d, "pricing refresh interval"); return this; }

        public Builder pricingRefreshFirstAfter(Duration d) { this.pricingRefreshFirstAfter = requirePositive(d, "first price refresh delay"); return this; }

        public Builder ledgerSyncInterval(Duration d) { this.ledgerSyncInterval = requirePositive(d, "ledger sync interval"); return this; }

        public Builder maxPoolSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("pool size must be at least 1, got " + n);
            }
            this.maxPoolSize = n;
            return this;
        }

        public Builder environment(java.util.Map<String, String> env) { this.environment = Objects.requireNonNull(env); return this; }

        public Builder cronSessionIds(CronSessionIds ids) { this.cronSessionIds = Objects.requireNonNull(ids); return this; }

        public Builder cronJobNames(java.util.function.Supplier<java.util.Map<String, String>> names) {
            this.cronJobNames = Objects.requireNonNull(names);
            return this;
        }

        public Builder budgetLooseningSettle(Duration d) { this.budgetLooseningSettle = requirePositive(d, "budget loosening settle period"); return this; }

        public Builder callJournal(boolean on) { this.callJournal = on; return this; }

        public EngineConfig build() {
            return new EngineConfig(this);
        }

        private static Duration requirePositive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
