package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plutus.TestSupport;
import dev.plutus.cli.PlutusCliTest.Result;
import dev.plutus.http.PlutusDaemon;
import dev.plutus.http.ServeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the CLI tests set up again and again: a Hermes home, Plutus installed into it and uninstalled
 * from it as a user types it, a daemon on a home, and the config backups the installer leaves.
 */
final class CliFixture {
    private CliFixture() {}

    /** An empty Hermes home {@code tmp/name}. */
    static Path hermesHome(Path tmp, String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name));
    }

    /** A Hermes home {@code tmp/name} whose config.yaml holds {@code config}. */
    static Path hermesHome(Path tmp, String name, String config) throws IOException {
        Path hermes = hermesHome(tmp, name);
        Files.writeString(hermes.resolve("config.yaml"), config);
        return hermes;
    }

    /** {@code plutus install hermes --home home --hermes-home hermes options...}, which must succeed. */
    static Result install(Path home, Path hermes, String... options) {
        return succeeded(PlutusCliTest.run("", command("install", home, hermes, options)));
    }

    /** {@code plutus uninstall hermes --home home --hermes-home hermes}, which must succeed. */
    static Result uninstall(Path home, Path hermes) {
        return succeeded(PlutusCliTest.run("", command("uninstall", home, hermes)));
    }

    /** A daemon on {@code home} (on this test pass's store), on a free loopback port; the caller closes it. */
    static PlutusDaemon daemon(Path home) throws IOException {
        TestSupport.onTestStore(home);
        return PlutusDaemon.start(new ServeOptions("127.0.0.1", 0, 4), TestSupport.config(home).build());
    }

    /** The backups of config.yaml the installer made before writing it. */
    static long configBackups(Path hermes) throws IOException {
        try (var files = Files.list(hermes)) {
            return files.filter(f -> f.getFileName().toString().startsWith("config.yaml.plutus-bak-")).count();
        }
    }

    private static String[] command(String verb, Path home, Path hermes, String... options) {
        List<String> args = new ArrayList<>(List.of(verb, "hermes", "--home", home.toString(), "--hermes-home", hermes.toString()));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    private static Result succeeded(Result r) {
        assertEquals(0, r.exit(), r.err());
        return r;
    }
}
