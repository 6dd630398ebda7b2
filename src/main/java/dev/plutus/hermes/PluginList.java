package dev.plutus.hermes;

import dev.plutus.config.YamlDoc;
import dev.plutus.config.YamlEditor;
import dev.plutus.config.YamlNode;
import dev.plutus.config.YamlPath;
import java.util.List;

/**
 * Adds a name to, or removes it from, {@code plugins.enabled} in Hermes's config.yaml through
 * {@link YamlEditor}, so comments, key order and every other byte stay as they were; anything the
 * editor cannot change safely is refused with a {@link dev.plutus.config.ConfigException}.
 */
public final class PluginList {
    private static final String FILE = "config.yaml";
    private static final YamlPath ENABLED = YamlPath.of("plugins", "enabled");

    private PluginList() {}

    /** The config text with {@code name} enabled; the same text when it already is. */
    public static String enable(String yaml, String name) {
        if (enabledNames(yaml).contains(name)) {
            return yaml;
        }
        YamlEditor doc = YamlEditor.of(yaml, FILE);
        // A new plugins section goes at the end, saying who added it; a new enabled list leads an existing section.
        YamlEditor.Placement where = doc.root().get("plugins").isMissing()
                ? YamlEditor.Placement.endWithNote("Added by plutus install hermes.") : YamlEditor.Placement.FIRST;
        return doc.appendItem(ENABLED, name, where).text();
    }

    /** The config text without {@code name} in plugins.enabled; the same text when it is not there. */
    public static String disable(String yaml, String name) {
        if (!enabledNames(yaml).contains(name)) {
            return yaml;
        }
        return YamlEditor.of(yaml, FILE).removeItem(ENABLED, name).text();
    }

    public static List<String> enabledNames(String yaml) {
        return names(yaml, "enabled");
    }

    public static List<String> disabledNames(String yaml) {
        return names(yaml, "disabled");
    }

    /** The scalar entries of {@code plugins.<key>}; none when either is absent or not what Hermes expects. */
    private static List<String> names(String yaml, String key) {
        YamlNode plugins = YamlDoc.parse(yaml, FILE).get("plugins");
        if (!plugins.isMapping()) {
            return List.of();
        }
        YamlNode list = plugins.get(key);
        if (!list.isList()) {
            return List.of();
        }
        return list.items().stream().filter(YamlNode::isScalar).map(n -> n.textOr("null")).toList();
    }
}
