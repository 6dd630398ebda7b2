package dev.plutus;

import dev.plutus.core.HomeLayout;
import java.nio.file.Path;
import java.util.Map;

/**
 * The directory Plutus keeps its database, budget.yaml and pricing.yaml in: {@code PLUTUS_HOME},
 * by default {@code ~/.hermes/plutus} with {@code ~} read from {@code $HOME} when it is set (else the
 * JVM's user.home), as the Python bridge reads it; shared with the daemon and the CLI when they use the same one.
 */
public record PlutusHome(Path dir) {

    /** {@code override} when given, else {@code PLUTUS_HOME} from {@code env}, else {@code $HOME/.hermes/plutus} ({@code HOME} from {@code env}). */
    public static PlutusHome resolve(Path override, Map<String, String> env) {
        return new PlutusHome(HomeLayout.resolve(override, env).dir());
    }

    /** The same directory with the name of every file in it. */
    public HomeLayout layout() {
        return new HomeLayout(dir.toAbsolutePath());
    }
}
