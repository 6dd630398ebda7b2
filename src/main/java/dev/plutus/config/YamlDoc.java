package dev.plutus.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Parses YAML into a node tree that remembers lines, so every error can say where it is. */
public final class YamlDoc {
    private YamlDoc() {}

    /** The root node, or an empty mapping for an empty document. */
    public static YamlNode parse(String text, String fileName) {
        try {
            Node root = new Yaml(options()).compose(new StringReader(text));
            return new YamlNode(root, "", fileName);
        } catch (YAMLException e) {
            throw invalid(e, fileName);
        }
    }

    /**
     * The document as plain Java values (maps, lists, strings, numbers, booleans, null), for
     * comparing two versions of a file; duplicate keys are an error.
     */
    public static Object load(String text, String fileName) {
        try {
            return new Yaml(new SafeConstructor(options())).load(text);
        } catch (YAMLException e) {
            throw invalid(e, fileName);
        }
    }

    /** Every document in the text, as node trees with their positions. */
    static List<Node> composeAll(String text, String fileName) {
        try {
            List<Node> out = new ArrayList<>();
            new Yaml(options()).composeAll(new StringReader(text)).forEach(out::add);
            return out;
        } catch (YAMLException e) {
            throw invalid(e, fileName);
        }
    }

    private static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(16 * 1024 * 1024);
        return options;
    }

    private static ConfigException invalid(YAMLException e, String fileName) {
        if (e instanceof MarkedYAMLException m) {
            int line = m.getProblemMark() != null ? m.getProblemMark().getLine() + 1 : 0;
            return new ConfigException(fileName + ":" + line + ": invalid YAML: " + m.getProblem());
        }
        return new ConfigException(fileName + ": invalid YAML: " + e.getMessage());
    }
}
