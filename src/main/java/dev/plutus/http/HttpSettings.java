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
 * ones) a browser may reach the daemon by, for a reverse proxy or a name in /etc/hosts; and
 * {@code behind_proxy}, true when a TLS-terminating reverse proxy on this host forwards to the
 * daemon (its {@code X-Forwarded-*} headers are then honoured, from loopback peers only).
 */
public record HttpSettings(Set<String> allowedHosts, boolean behindProxy) {
    static final HttpSettings NONE = new HttpSettings(Set.of(), false);

    public static HttpSettings load(Path file) {
        if (!Files.exists(file)) {
            return NONE;
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
            return NONE;
        }
        n.requireOnlyKeys(List.of("allowed_hosts", "behind_proxy"));
        YamlNode proxy = n.get("behind_proxy");
        boolean behindProxy = false;
        if (!proxy.isMissing() && !proxy.isNull()) {
            String v = proxy.text().orElse("");
            if (!v.equals("true") && !v.equals("false")) {
                throw proxy.error("behind_proxy must be true or false");
            }
            behindProxy = v.equals("true");
        }
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
        return new HttpSettings(Set.copyOf(names), behindProxy);
    }
}
