package dev.plutus.store;

import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * plutus.yaml's {@code store:} section: where the data lives. Absent, it is the SQLite file in
 * PLUTUS_HOME; with {@code url: jdbc:postgresql://host:5432/plutus} several Plutus daemons on several
 * hosts share one database and so one set of budgets. The password comes from the environment
 * variable {@code password_env} names (default {@code PLUTUS_STORE_PASSWORD}), never from the file.
 */
public record StoreSettings(Optional<String> url, String user, String passwordEnv) {

    public static final StoreSettings SQLITE = new StoreSettings(Optional.empty(), null, "PLUTUS_STORE_PASSWORD");

    public static StoreSettings load(Path file) {
        if (!Files.exists(file)) {
            return SQLITE;
        }
        try {
            return parse(Files.readString(file), file.getFileName().toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static StoreSettings parse(String yaml, String fileName) {
        YamlNode n = dev.plutus.config.SettingsFile.root(yaml, fileName).get("store");
        if (n.isNull()) {
            return SQLITE;
        }
        n.requireOnlyKeys(List.of("url", "user", "password_env"));
        Optional<String> url = n.get("url").text().map(String::strip);
        if (url.isPresent()) {
            try {
                if (Dialect.of(url.get()) == Dialect.SQLITE) {
                    throw n.get("url").error("leave store.url out for the SQLite file in PLUTUS_HOME");
                }
            } catch (IllegalArgumentException e) {
                throw n.get("url").error(e.getMessage());
            }
            if (url.get().contains("password=")) {
                throw n.get("url").error("keep the password out of the URL: name its environment variable in store.password_env");
            }
        }
        return new StoreSettings(url, n.get("user").text().orElse(null), n.get("password_env").text().orElse("PLUTUS_STORE_PASSWORD"));
    }

    /** Opens the store these settings name: {@code sqliteFile} unless a URL is set. */
    public Database open(Path sqliteFile, int maxPoolSize, Map<String, String> env) {
        if (url.isEmpty()) {
            return Database.open(sqliteFile, maxPoolSize);
        }
        return Database.openPostgres(url.get(), user, env.get(passwordEnv), maxPoolSize);
    }
}
