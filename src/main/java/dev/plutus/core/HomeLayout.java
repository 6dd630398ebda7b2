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

    /** {@link #command(String)} with the environment that decides which home is the default and what runs Plutus. */
    public String command(String words, Map<String, String> env) {
        return program(env) + " " + words + homeFlag(env);
    }

    /**
     * What to type to run Plutus: {@code plutus} when that word finds this installation (an
     * executable {@code plutus} on PATH that is the launcher {@code PLUTUS_LAUNCHER} names, or any
     * {@code plutus} on PATH when no launcher is named), else the launcher's path, quoted for a
     * shell, since {@code plutus} alone would fail or run another installation.
     */
    public static String program(Map<String, String> env) {
        String launcher = env.get("PLUTUS_LAUNCHER");
        java.util.Optional<Path> onPath = onPath("plutus", env);
        if (launcher == null || launcher.isBlank()) {
            return "plutus";
        }
        if (onPath.isPresent() && sameFile(onPath.get(), Path.of(launcher))) {
            return "plutus";
        }
        return shellQuoted(Path.of(launcher).toAbsolutePath().normalize().toString());
    }

    private static java.util.Optional<Path> onPath(String name, Map<String, String> env) {
        String path = env.get("PATH");
        if (path == null) {
            return java.util.Optional.empty();
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(d).resolve(name);
                if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) {
                    return java.util.Optional.of(candidate);
                }
            } catch (java.nio.file.InvalidPathException e) {
                // a PATH entry no file can be under
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** {@code " --home DIR"} (with its leading space), or empty for the default home. */
    public String homeFlag(Map<String, String> env) {
        return isDefault(env) ? "" : " --home " + shellQuoted(dir.toAbsolutePath().toString());
    }

    /** A word as a POSIX shell (and Python's shlex) reads it back unchanged: quoted only when it needs it. */
    public static String shellQuoted(String word) {
        return word.matches("[A-Za-z0-9_./:@%+=,-]+") ? word : "'" + word.replace("'", "'\"'\"'") + "'";
    }

    /**
     * The Hermes home that {@code plutus install hermes} recorded for this Plutus home: one line, the
     * absolute path, so the daemon and the CLI read Hermes's .env and cron/jobs.json where the plugin
     * was installed, whatever the environment of the process that reads them.
     */
    public Path hermesHomeFile() {
        return dir.resolve("hermes_home");
    }

    /**
     * Hermes's home for this Plutus home, by the one rule every reader follows: the one recorded at
     * install ({@link #hermesHomeFile()}), else {@code HERMES_HOME}, else this home's parent when it
     * holds Hermes's {@code cron/} or {@code config.yaml}, else {@code ~/.hermes}.
     */
    public Path hermesHome(Map<String, String> env) {
        try {
            String recorded = java.nio.file.Files.readString(hermesHomeFile(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!recorded.isEmpty()) {
                return Path.of(recorded);
            }
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            // Not recorded (an older install, or a home made by hand): the environment decides.
        }
        String fromEnv = env.get("HERMES_HOME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            String h = fromEnv.strip();
            return h.equals("~") || h.startsWith("~/") ? userHome(env).resolve(h.substring(Math.min(2, h.length()))) : Path.of(h);
        }
        // A Plutus home inside a Hermes home (the default ~/.hermes/plutus is one) belongs to that Hermes.
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && (java.nio.file.Files.isDirectory(parent.resolve("cron"))
                || java.nio.file.Files.isRegularFile(parent.resolve("config.yaml")))) {
            return parent;
        }
        return userHome(env).resolve(".hermes");
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
