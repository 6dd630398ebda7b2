package dev.plutus.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * What a YAML document says, with how it is written left out: scalars as their resolved tag and
 * text, mappings as their entries in file order. Two texts that compare equal here load the same.
 */
sealed interface YamlValue {
    record Scalar(String tag, String text) implements YamlValue {}

    record Mapping(List<Entry> entries) implements YamlValue {
        public Mapping {
            entries = List.copyOf(entries);
        }
    }

    record Entry(YamlValue key, YamlValue value) {}

    record Sequence(List<YamlValue> items) implements YamlValue {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /** An alias to a node that contains it; compared by anchor name only. */
    record Cycle(String anchor) implements YamlValue {}

    /** The document's value; an empty document is an empty mapping, which is what a first edit builds on. */
    static YamlValue ofRoot(Node root) {
        return root == null ? new Mapping(List.of()) : of(root, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static YamlValue of(Node node, Set<Node> open) {
        if (node instanceof ScalarNode s) {
            return new Scalar(s.getTag().getValue(), s.getValue());
        }
        if (!open.add(node)) {
            return new Cycle(node.getAnchor());
        }
        try {
            if (node instanceof MappingNode m) {
                List<Entry> entries = new ArrayList<>();
                for (NodeTuple t : m.getValue()) {
                    entries.add(new Entry(of(t.getKeyNode(), open), of(t.getValueNode(), open)));
                }
                return new Mapping(entries);
            }
            List<YamlValue> items = new ArrayList<>();
            for (Node item : ((SequenceNode) node).getValue()) {
                items.add(of(item, open));
            }
            return new Sequence(items);
        } finally {
            open.remove(node);
        }
    }

    /**
     * This value with the node at {@code path} replaced by {@code change} applied to it (null when it
     * is missing). Missing mappings on the way, and null scalars standing where one is needed, become
     * mappings whose new keys {@code newKey} writes, after the existing ones.
     */
    default YamlValue with(YamlPath path, UnaryOperator<YamlValue> change, Function<String, YamlValue> newKey) {
        return with(this, path, 0, change, newKey, false);
    }

    /** The same, with a new key put before the existing ones of its mapping instead of after them. */
    default YamlValue withFirst(YamlPath path, UnaryOperator<YamlValue> change, Function<String, YamlValue> newKey) {
        return with(this, path, 0, change, newKey, true);
    }

    private static YamlValue with(YamlValue at, YamlPath path, int depth, UnaryOperator<YamlValue> change,
                                  Function<String, YamlValue> newKey, boolean first) {
        if (depth == path.size()) {
            return change.apply(at);
        }
        if (path.get(depth) instanceof YamlPath.Index i) {
            List<YamlValue> items = new ArrayList<>(((Sequence) at).items());
            items.set(i.position(), with(items.get(i.position()), path, depth + 1, change, newKey, first));
            return new Sequence(items);
        }
        String name = ((YamlPath.Key) path.get(depth)).name();
        List<Entry> entries = new ArrayList<>(at instanceof Mapping m ? m.entries() : List.of());
        for (int e = 0; e < entries.size(); e++) {
            if (entries.get(e).key() instanceof Scalar k && k.text().equals(name)) {
                entries.set(e, new Entry(k, with(entries.get(e).value(), path, depth + 1, change, newKey, first)));
                return new Mapping(entries);
            }
        }
        entries.add(first ? 0 : entries.size(), new Entry(newKey.apply(name), with(null, path, depth + 1, change, newKey, first)));
        return new Mapping(entries);
    }
}
