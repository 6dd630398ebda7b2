package dev.plutus.hermes;

import dev.plutus.engine.Engine;
import dev.plutus.provider.ClaudeOAuthFile;
import dev.plutus.provider.CodexAuthFile;
import dev.plutus.provider.Credentials;
import dev.plutus.runway.RunwayMonitor;
import dev.plutus.store.RunwayStore;
import java.util.Map;

/**
 * Plutus as Hermes sees it: the hook dispatcher, and the runway monitor whose router edits
 * Hermes's config.yaml and whose keys come from Hermes's {@code .env}. Built from an engine's parts
 * by whoever hosts hooks (the daemon, {@code plutus hook}, the CLI's runway commands).
 */
public final class HermesHost implements AutoCloseable {
    private final RunwayMonitor runway;
    private final HookDispatcher hooks;
    private final CronJobNames cronJobNames;

    public HermesHost(Engine engine) {
        Map<String, String> env = withHermesHome(engine.config().environment(), engine.config().home().hermesHome(
                engine.config().environment()));
        RunwayStore store = new RunwayStore(engine.jdbc());
        ClaudeOAuthFile claude = ClaudeOAuthFile.fromEnvironment(env, engine.clock());
        CodexAuthFile codex = CodexAuthFile.fromEnvironment(env);
        this.runway = new RunwayMonitor(engine.stats(), engine.gate()::zone, store, engine.config().home().runwayFile(), env,
                cfg -> Credentials.withDotEnv(env, cfg.hermesHome() == null ? null : cfg.hermesHome().resolve(".env")).withLogins(claude, codex),
                new HermesRouter(store, engine.clock(), words -> engine.config().home().command(words, env)), engine.clock());
        this.hooks = new HookDispatcher(engine.sessions(), engine.recorder(), engine.enforcer(), runway::claimNotices,
                engine.clock());
        this.cronJobNames = new CronJobNames(CronJobNames.hermesHome(engine.config().home().dir(), env));
    }

    /**
     * The environment with {@code HERMES_HOME} set to the Hermes home this Plutus home belongs to, so
     * runway's .env and config.yaml and the cron names all come from the one Hermes the plugin is in.
     */
    static Map<String, String> withHermesHome(Map<String, String> env, java.nio.file.Path hermesHome) {
        Map<String, String> out = new java.util.HashMap<>(env);
        out.put("HERMES_HOME", hermesHome.toString());
        return Map.copyOf(out);
    }

    /** Hermes's cron job names by id, for reports. */
    public CronJobNames cronJobNames() {
        return cronJobNames;
    }

    public HookDispatcher hooks() {
        return hooks;
    }

    /** Provider balances, burn rate, days left, low-runway alerts, and the router of Hermes's config.yaml. */
    public RunwayMonitor runway() {
        return runway;
    }

    @Override
    public void close() {
        runway.close();
    }
}
