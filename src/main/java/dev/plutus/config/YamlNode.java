package dev.plutus.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** One node of a parsed YAML file with typed accessors whose errors name file, line and field path. */
public final class YamlNode {
    private final Node node;
    private final String path;
    private final String file;
    /** Line of the key this node is the value of; 0 for the root. Errors about the key itself point here. */
    private final int keyLine;

    YamlNode(Node node, String path, String file) {
        this(node, path, file, 0);
    }

    private YamlNode(Node node, String path, String file, int keyLine) {
        this.node = node;
        this.path = path;
        this.file = file;
        this.keyLine = keyLine;
    }

    public String path() {
        return path;
    }

    public int line() {
        return node == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** Line of the key this node is the value of; 0 for the root and for a missing node. */
    public int keyLine() {
        return keyLine;
    }

    public boolean isMissing() {
        return node == null;
    }

    public boolean isNull() {
        return node == null || (node instanceof ScalarNode s && isNullScalar(s));
    }

    public boolean isMapping() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    /** A single value, null included. */
    public boolean isScalar() {
        return node instanceof ScalarNode;
    }

    public ConfigException error(String message) {
        return errorAt(line(), message);
    }

    /** An error about this node's key (an unknown or misplaced name), reported at the key's line. */
    public ConfigException keyError(String message) {
        return errorAt(keyLine > 0 ? keyLine : line(), message);
    }

    private ConfigException errorAt(int line, String message) {
        String where = path.isEmpty() ? "" : " " + path + ":";
        return new ConfigException(file + ":" + line + ":" + where + " " + message);
    }

    /** Entries of a mapping in file order; an absent or null node is an empty mapping. */
    public Map<String, YamlNode> entries() {
        if (isNull()) {
            return Map.of();
        }
        if (!(node instanceof MappingNode m)) {
            throw error("expected a mapping of keys to values");
        }
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new YamlNode(t.getKeyNode(), path, file).error("keys must be plain text");
            }
            String key = k.getValue();
            YamlNode value = new YamlNode(t.getValueNode(), path.isEmpty() ? key : path + "." + key, file,
                    k.getStartMark().getLine() + 1);
            // SnakeYAML checks duplicate keys only when it constructs Java objects, never on the composed
            // node tree read here: without this the later value would silently win.
            YamlNode first = out.putIfAbsent(key, value);
            if (first != null) {
                throw value.keyError("duplicate key (first on line " + first.keyLine + ")");
            }
        }
        return out;
    }

    public YamlNode get(String key) {
        YamlNode child = entries().get(key);
        return child != null ? child : new YamlNode(null, path.isEmpty() ? key : path + "." + key, file);
    }

    public List<YamlNode> items() {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode s)) {
            throw error("expected a list");
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
            out.add(new YamlNode(s.getValue().get(i), path + "[" + i + "]", file));
        }
        return out;
    }

    public Optional<String> text() {
        if (isNull()) {
            return Optional.empty();
        }
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a single value");
        }
        return Optional.of(s.getValue());
    }

    public String textOr(String fallback) {
        return text().orElse(fallback);
    }

    public Optional<BigDecimal> decimal() {
        Optional<String> t = text();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BigDecimal(t.get().trim()));
        } catch (NumberFormatException e) {
            throw error("expected a number, got '" + t.get() + "'");
        }
    }

    public Optional<BigDecimal> nonNegativeDecimal() {
        Optional<BigDecimal> d = decimal();
        if (d.isPresent() && d.get().signum() < 0) {
            throw error("must not be negative, got " + d.get().toPlainString());
        }
        return d;
    }

    public Optional<Long> wholeNumber() {
        Optional<BigDecimal> d = decimal();
        if (d.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(d.get().longValueExact());
        } catch (ArithmeticException e) {
            throw error("expected a whole number, got '" + d.get().toPlainString() + "'");
        }
    }

    public Optional<Boolean> bool() {
        Optional<String> t = text();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        return switch (t.get().trim().toLowerCase()) {
            case "true", "yes", "on" -> Optional.of(true);
            case "false", "no", "off" -> Optional.of(false);
            default -> throw error("expected true or false, got '" + t.get() + "'");
        };
    }

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} or {@code 2d}; longer than zero. */
    public Optional<java.time.Duration> duration() {
        return duration(false);
    }

    /** The same, where 0 (written {@code 0s}, say) is allowed: it turns the setting off. */
    public Optional<java.time.Duration> durationOrZero() {
        return duration(true);
    }

    private Optional<java.time.Duration> duration(boolean zeroAllowed) {
        Optional<String> t = text();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = DURATION.matcher(t.get().strip().toLowerCase());
        if (!m.matches()) {
            throw error("expected a duration such as 30s, 5m or 1h, got '" + t.get() + "'");
        }
        long v = Long.parseLong(m.group(1));
        java.time.Duration d = switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(v);
            case "s" -> java.time.Duration.ofSeconds(v);
            case "m" -> java.time.Duration.ofMinutes(v);
            case "h" -> java.time.Duration.ofHours(v);
            default -> java.time.Duration.ofDays(v);
        };
        if (d.isZero() && !zeroAllowed) {
            throw error("must be longer than 0");
        }
        return Optional.of(d);
    }

    /** A value from a closed set, compared case-insensitively. */
    public Optional<String> oneOf(List<String> allowed) {
        Optional<String> t = text().map(s -> s.trim().toLowerCase());
        if (t.isPresent() && !allowed.contains(t.get())) {
            throw error("expected one of " + String.join(", ", allowed) + ", got '" + t.get() + "'");
        }
        return t;
    }

    /** Fails on any key not in {@code known}: a misspelt field must not be silently ignored. */
    public void requireOnlyKeys(List<String> known) {
        for (Map.Entry<String, YamlNode> e : entries().entrySet()) {
            if (!known.contains(e.getKey())) {
                throw e.getValue().keyError("unknown field (expected one of " + String.join(", ", known) + ")");
            }
        }
    }

    private static boolean isNullScalar(ScalarNode s) {
        String v = s.getValue();
        return s.getTag().getValue().endsWith(":null") || v.isEmpty() || v.equals("~") || v.equals("null");
    }
}
