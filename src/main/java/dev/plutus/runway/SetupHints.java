package dev.plutus.runway;

import dev.plutus.core.HomeLayout;
import dev.plutus.provider.ProviderKind;
import java.nio.file.Path;

/**
 * What a user does so that Plutus knows a provider's money left, in the words every view prints
 * ({@code plutus runway}, {@code /runway}, the dashboard, the recalibration reminder): one source, so
 * no view tells Anthropic users to set a key that cannot show a balance. DeepSeek and OpenRouter
 * answer with their balance once their key is found; the others have no balance API, so the way is
 * a console balance given to {@code plutus runway calibrate}. Commands name {@code --home} when the
 * data is not in the default home, so a hint followed as printed works on the right data; a key goes
 * in the {@code .env} of the Hermes home in use.
 */
public final class SetupHints {
    /** Null: the default home. */
    private final HomeLayout home;

    /** {@code plutusHome}: the data directory the commands must act on (its {@code --home} is left out when it is the default). */
    public SetupHints(Path plutusHome) {
        this.home = plutusHome == null ? null : new HomeLayout(plutusHome);
    }

    /** {@code plutus <args>} for this home, as every hint writes it ({@link HomeLayout#command}). */
    public String command(String args) {
        return home == null ? "plutus " + args : home.command(args);
    }

    /** {@code plutus runway calibrate <provider>=<balance>} for this home. */
    public String calibrate(String provider) {
        return command("runway calibrate " + provider + "=<balance>");
    }

    /**
     * The next step for {@code r}, or null when there is none (its money left is known, or what went
     * wrong is not something to set up: the error says it). {@code keyFound}: whether one of its key
     * variables is set (environment or Hermes's .env).
     */
    public String nextStep(ProviderRunway r, boolean keyFound, Path hermesHome) {
        ProviderConfig p = r.config();
        String key = p.keyEnvs().isEmpty() ? "its API key" : p.keyEnvs().get(0);
        String where = "in " + (hermesHome == null ? "Hermes's .env" : hermesHome.resolve(".env").toString()) + " (or the daemon's environment)";
        if (p.kind().hasBalanceApi()) {
            if (keyFound || r.source() == ProviderRunway.Source.LIVE) {
                return null;
            }
            return "set " + key + " " + where + ": " + p.kind().label() + " tells its balance; or run `" + calibrate(p.name()) + "`";
        }
        if (r.source() != ProviderRunway.Source.UNKNOWN) {
            return null;
        }
        String step = (p.kind() == ProviderKind.NONE ? "no API to ask" : "no balance API") + ": read the balance in its console and run `"
                + calibrate(p.name()) + "` (or set budget_usd in runway.yaml)";
        boolean rateLimits = p.kind() == ProviderKind.ANTHROPIC || p.kind() == ProviderKind.OPENAI;
        return rateLimits && !keyFound ? step + "; " + key + " " + where + " adds its rate limits" : step;
    }
}
