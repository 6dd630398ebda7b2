package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plutus.TestSupport;
import dev.plutus.core.HomeLayout;
import dev.plutus.hermes.HermesInstaller;
import dev.plutus.hermes.PluginManifest;
import dev.plutus.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** The bridge installed into a scratch Hermes, driven by a Python process the durability tests kill. */
final class BridgeDriverFixture {
    private BridgeDriverFixture() {}

    /** Installs the plugin for {@code home} into a fresh Hermes under {@code tmp}; returns the plugin's directory. */
    static Path install(Path tmp, Path home) throws Exception {
        Files.createDirectories(home);
        Path hermes = tmp.resolve("hermes");
        Files.createDirectories(hermes);
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(home), PluginManifest.bundled(), Clock.systemUTC());
        installer.install(new HermesInstaller.BridgeSettings(10_000, "open", false, "plutus"));
        return installer.pluginDir();
    }

    /** Starts {@code tests/python/<script>} sending {@code count} calls through the plugin; it prints each id once acknowledged. */
    static Process driver(String script, Path plugin, int count) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("python3", Path.of("tests/python", script).toAbsolutePath().toString(),
                plugin.toString(), Integer.toString(count)).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("PLUTUS_HOME");
        pb.environment().put("PYTHONPATH", Path.of("tests/python").toAbsolutePath().toString());
        return pb.start();
    }

    /**
     * Every id of {@code idLists} is in the store exactly once and no event is stored twice; with {@code expectedTotal} >= 0
     * the store holds exactly that many rows. Returns the rows stored.
     */
    @SafeVarargs
    static long assertStoredOnce(Path home, long expectedTotal, List<String>... idLists) {
        try (Database db = Database.open(new HomeLayout(home).database(), 1)) {
            for (List<String> ids : idLists) {
                for (String id : ids) {
                    assertEquals(1, db.jdbc().queryLong("SELECT COUNT(*) FROM llm_calls WHERE event_id = ?", "api:" + id),
                            id + " is stored exactly once");
                }
            }
            long total = db.jdbc().queryLong("SELECT COUNT(*) FROM llm_calls");
            assertEquals(total, db.jdbc().queryLong("SELECT COUNT(DISTINCT event_id) FROM llm_calls"), "no event stored twice");
            if (expectedTotal >= 0) {
                assertEquals(expectedTotal, total);
            }
            return total;
        }
    }
}
