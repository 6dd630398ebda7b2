package dev.plutus.core;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Plutus keeps its files: {@code PLUTUS_HOME}, by default {@code ~/.hermes/plutus}, where
 * {@code ~} is {@code $HOME} when set (as the Python bridge reads it), else the JVM's user.home.
 */
public record HomeLayout(Path dir) {

    /** {@code override} when given, else {@code PLUTUS_HOME} from {@code env}, else {@link #defaultDir}. */
    public static HomeLayout resolve(Path override, Map<String, String> env) {
        if (override != null) {
            return new HomeLayout(override.toAbsolutePath());
        }
        String fromEnv = env.get("PLUTUS_HOME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new HomeLayout(Path.of(fromEnv).toAbsolutePath());
        }
        return new HomeLayout(defaultDir(env));
    }

    /**
     * {@code ~/.hermes/plutus}: the home a bare {@code plutus} command and the bridge find without
     * PLUTUS_HOME. {@code ~} follows {@code $HOME} when it is set, as Python's expanduser does, so the
     * bridge and the daemon agree when HOME differs from the account's home directory.
     */
    public static Path defaultDir(Map<String, String> env) {
        return userHome(env).resolve(".hermes").resolve("plutus");
    }

    /** {@code ~}: {@code $HOME} when it is set, as Python's expanduser and the shell read it, else the account's home. */
    public static Path userHome(Map<String, String> env) {
        String home = env.get("HOME");
        Path user = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
        return user.toAbsolutePath().normalize();
    }

    /** Whether a bare command (no --home, no PLUTUS_HOME) reaches this home. */
    public boolean isDefault(Map<String, String> env) {
        return dir.toAbsolutePath().normalize().equals(defaultDir(env));
    }

    /**
     * {@code plutus <words>} as a user copies it from a hint to reach this home: {@code --home DIR}
     * (quoted for a shell) is added unless this is the default home. Every hint that names a command
     * goes through here, so none sends the user to another home's data.
     */
    public String command(String words) {
        return command(words, System.getenv());
    }

    /** {@link #command(String)} with the environment that decides which home is the default. */
    public String command(String words, Map<String, String> env) {
        return "plutus " + words + homeFlag(env);
    }

    /** {@code " --home DIR"} (with its leading space), or empty for the default home. */
    public String homeFlag(Map<String, String> env) {
        return isDefault(env) ? "" : " --home " + shellQuoted(dir.toAbsolutePath().toString());
    }

    /** A word as a POSIX shell (and Python's shlex) reads it back unchanged: quoted only when it needs it. */
    public static String shellQuoted(String word) {
        return word.matches("[A-Za-z0-9_./:@%+=,-]+") ? word : "'" + word.replace("'", "'\"'\"'") + "'";
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
