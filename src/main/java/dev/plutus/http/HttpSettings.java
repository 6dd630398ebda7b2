package dev.plutus.http;

import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code http:} section of plutus.yaml: {@code allowed_hosts}, the names (besides the loopback
 * ones) a browser may reach the daemon by, for a reverse proxy or a name in /etc/hosts.
 */
record HttpSettings(Set<String> allowedHosts) {
    static HttpSettings load(Path file) {
        if (!Files.exists(file)) {
            return new HttpSettings(Set.of());
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    static HttpSettings parse(String yaml, String fileName) {
        YamlNode n = dev.plutus.config.SettingsFile.root(yaml, fileName).get("http");
        if (n.isMissing() || n.isNull()) {
            return new HttpSettings(Set.of());
        }
        n.requireOnlyKeys(List.of("allowed_hosts"));
        YamlNode hosts = n.get("allowed_hosts");
        Set<String> names = new LinkedHashSet<>();
        if (!hosts.isMissing() && !hosts.isNull()) {
            if (!hosts.isList()) {
                throw hosts.error("allowed_hosts must be a list of host names");
            }
            for (YamlNode h : hosts.items()) {
                String name = h.text().orElse("").strip();
                if (name.isEmpty() || !name.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
                    throw h.error("allowed_hosts entries are host names or addresses, without scheme or port");
                }
                names.add(name);
            }
        }
        return new HttpSettings(Set.copyOf(names));
    }
}
