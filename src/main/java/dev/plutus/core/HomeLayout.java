package dev.plutus.core;

import java.nio.file.Path;
import java.util.Map;

/** Where Plutus keeps its files: {@code PLUTUS_HOME}, by default {@code ~/.hermes/plutus}. */
public record HomeLayout(Path dir) {

    public static HomeLayout resolve(Path override, Map<String, String> env) {
        if (override != null) {
            return new HomeLayout(override.toAbsolutePath());
        }
        String fromEnv = env.get("PLUTUS_HOME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new HomeLayout(Path.of(fromEnv).toAbsolutePath());
        }
        return new HomeLayout(Path.of(System.getProperty("user.home"), ".hermes", "plutus"));
    }

    public Path database() {
        return dir.resolve("plutus.db");
    }

    public Path pricingFile() {
        return dir.resolve("pricing.yaml");
    }

    /** Prices fetched by {@code /setup pricing auto}: machine-owned, so pricing.yaml is never rewritten. */
    public Path fetchedPricingFile() {
        return dir.resolve("pricing.fetched.yaml");
    }

    public Path budgetFile() {
        return dir.resolve("budget.yaml");
    }

    /** A copy of the last budget.yaml that went into force, enforced when the file is refused at start. */
    public Path budgetLastGoodFile() {
        return dir.resolve("budget.last-good.yaml");
    }

    /** Instance settings: the {@code ingest:} section for /v1/usage, later the store URL. */
    public Path settingsFile() {
        return dir.resolve("plutus.yaml");
    }

    /** Providers to watch for runway, the router and low-runway alerts. */
    public Path runwayFile() {
        return dir.resolve("runway.yaml");
    }

    public Path logFile() {
        return dir.resolve("plutus.log");
    }

    /** The secret the bridge presents to the daemon; mode 0600. */
    public Path tokenFile() {
        return dir.resolve("daemon.token");
    }

    /** The secret a browser presents to the dashboard when the daemon listens beyond loopback; mode 0600. */
    public Path dashboardTokenFile() {
        return dir.resolve("dashboard.token");
    }

    /** Where the running daemon says it listens, its pid and since when. */
    public Path daemonInfoFile() {
        return dir.resolve("daemon.json");
    }

    /** Held locked by the one daemon serving this home. */
    public Path daemonLockFile() {
        return dir.resolve("daemon.lock");
    }

    /** Hook events the bridge could not deliver, waiting for the daemon to replay them. */
    public Path spoolDir() {
        return dir.resolve("spool");
    }
}
