package dev.plutus.hermes;

import dev.plutus.config.YamlDoc;
import dev.plutus.config.YamlNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** plugin-manifest.yaml: what Plutus is as a Hermes plugin, the hooks it handles and its slash commands. */
public record PluginManifest(String name, String version, String description, String author, String kind,
                             List<String> hooks, List<Command> commands) {
    private static final String RESOURCE = "/dev/plutus/bundled/plugin-manifest.yaml";

    public record Command(String name, String description, String argsHint) {}

    public static PluginManifest bundled() {
        try (InputStream in = PluginManifest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("plugin-manifest.yaml missing from the build: " + RESOURCE);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "plugin-manifest.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PluginManifest parse(String yaml, String file) {
        YamlNode root = YamlDoc.parse(yaml, file);
        root.requireOnlyKeys(List.of("name", "version", "description", "author", "kind", "requires_env", "hooks", "commands"));
        List<String> hooks = root.get("hooks").items().stream()
                .map(n -> n.text().orElseThrow(() -> n.error("hook names are text"))).toList();
        List<Command> commands = root.get("commands").items().stream().map(n -> {
            n.requireOnlyKeys(List.of("name", "description", "args_hint"));
            return new Command(n.get("name").text().orElseThrow(() -> n.error("a command needs a name")),
                    n.get("description").textOr(""), n.get("args_hint").textOr(""));
        }).toList();
        return new PluginManifest(root.get("name").text().orElseThrow(() -> root.error("name is required")),
                root.get("version").textOr("0"), root.get("description").textOr(""), root.get("author").textOr(""),
                root.get("kind").textOr("standalone"), hooks, commands);
    }

    /** Hermes's own plugin.yaml for this plugin (the keys its loader reads). */
    public String hermesPluginYaml() {
        StringBuilder y = new StringBuilder();
        y.append("# Written by `plutus install hermes` from Plutus's plugin-manifest.yaml; reinstalling rewrites it.\n");
        y.append("name: ").append(name).append('\n');
        y.append("version: \"").append(version).append("\"\n");
        y.append("description: \"").append(description.replace("\"", "'")).append("\"\n");
        y.append("author: \"").append(author.replace("\"", "'")).append("\"\n");
        y.append("kind: ").append(kind).append('\n');
        y.append("requires_env: []\nprovides_tools: []\nprovides_hooks:\n");
        hooks.forEach(h -> y.append("  - ").append(h).append('\n'));
        return y.toString();
    }
}
