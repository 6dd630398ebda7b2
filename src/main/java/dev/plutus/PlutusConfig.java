package dev.plutus;

import dev.plutus.engine.EngineConfig;
import dev.plutus.hermes.HermesSessionIds;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How an embedded Plutus opens: its home, clock and intervals. Built once and validated as it is
 * built: a bad value fails at {@link Builder#build()} with what is wrong, never later.
 */
public final class PlutusConfig {
    private final EngineConfig engine;
    private final boolean upkeep;

    private PlutusConfig(EngineConfig engine, boolean upkeep) {
        this.engine = engine;
        this.upkeep = upkeep;
    }

    public static Builder builder(PlutusHome home) {
        return new Builder(Objects.requireNonNull(home, "home"));
    }

    public PlutusHome home() {
        return new PlutusHome(engine.home().dir());
    }

    public Clock clock() {
        return engine.clock();
    }

    /** Whether {@link Plutus#open} starts the background upkeep (on by default). */
    public boolean upkeep() {
        return upkeep;
    }

    EngineConfig engine() {
        return engine;
    }

    public static final class Builder {
        private final EngineConfig.Builder engine;
        private boolean upkeep = true;

        private Builder(PlutusHome home) {
            // Sessions named as Hermes names its cron runs count toward their job's budget, as they always have.
            this.engine = EngineConfig.builder(home.layout()).cronSessionIds(new HermesSessionIds());
        }

        public Builder clock(Clock clock) {
            engine.clock(clock);
            return this;
        }

        /** Days raw calls are kept before only their daily roll-ups remain (at least 1; default 400). */
        public Builder retentionDays(int days) {
            engine.retentionDays(days);
            return this;
        }

        public Builder openRouterBaseUrl(URI url) {
            engine.openRouterBaseUrl(url);
            return this;
        }

        public Builder pricingRefreshInterval(Duration d) {
            engine.pricingRefreshInterval(d);
            return this;
        }

        /** How often spend other processes record is folded in (positive; default 250 ms). */
        public Builder ledgerSyncInterval(Duration d) {
            engine.ledgerSyncInterval(d);
            return this;
        }

        public Builder maxPoolSize(int n) {
            engine.maxPoolSize(n);
            return this;
        }

        /** Where {@code PLUTUS_REMOTE_URL}, the store's password and provider keys are read (default: the process environment). */
        public Builder environment(Map<String, String> env) {
            engine.environment(env);
            return this;
        }

        /** Off for a short-lived process: nothing runs in the background, budget.yaml is read once. */
        public Builder upkeep(boolean on) {
            this.upkeep = on;
            return this;
        }

        public PlutusConfig build() {
            return new PlutusConfig(engine.build(), upkeep);
        }
    }
}
