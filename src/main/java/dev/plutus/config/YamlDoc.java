package dev.plutus.config;

import java.io.StringReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Parses YAML into a node tree that remembers lines, so every error can say where it is. */
public final class YamlDoc {
    private YamlDoc() {}

    /** The root node, or an empty mapping for an empty document. */
    public static YamlNode parse(String text, String fileName) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(16 * 1024 * 1024);
        try {
            Node root = new Yaml(options).compose(new StringReader(text));
            return new YamlNode(root, "", fileName);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new ConfigException(fileName + ":" + line + ": invalid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(fileName + ": invalid YAML: " + e.getMessage());
        }
    }
}
