package dev.plutus.config;

import java.io.StringReader;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Writes a new scalar: plain when it reads back as the same text, double-quoted when YAML needs quotes. */
final class YamlScalars {
    /** Where the scalar goes: the rules for plain text differ inside {@code [ ]}/{@code { }} and for keys. */
    enum Context { BLOCK, FLOW, KEY }

    /** The text to write and what it reads back as. */
    record Written(String text, YamlValue.Scalar value) {}

    private YamlScalars() {}

    /** Numbers written the everyday way; YAML's other number forms (0x1F, .inf, 1_000) are more likely meant as text. */
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

    /**
     * Plain when the parser reads it back as this very text, typed as text or a decimal number (a
     * budget's {@code 5.00} stays a number); quoted when plain would turn it into a boolean, null,
     * date or something else, lose spaces, or not parse.
     */
    static Written write(String text, Context where) {
        ScalarNode plain = readBackPlain(text, where);
        if (plain != null) {
            String tag = plain.getTag().getValue();
            boolean keepsType = tag.equals(Tag.STR.getValue()) || where != Context.KEY && DECIMAL.matcher(text).matches()
                    && (tag.equals(Tag.INT.getValue()) || tag.equals(Tag.FLOAT.getValue()));
            if (keepsType) {
                return new Written(text, new YamlValue.Scalar(tag, text));
            }
        }
        return new Written(doubleQuoted(text), new YamlValue.Scalar(Tag.STR.getValue(), text));
    }

    private static ScalarNode readBackPlain(String text, Context where) {
        if (text.isEmpty() || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return null;
        }
        String probe = switch (where) {
            case BLOCK -> "k: " + text + "\n";
            case FLOW -> "[" + text + "]\n";
            case KEY -> text + ": v\n";
        };
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(probe));
        } catch (YAMLException e) {
            return null;
        }
        Node n = switch (where) {
            case BLOCK -> root instanceof MappingNode m && m.getValue().size() == 1 ? m.getValue().get(0).getValueNode() : null;
            case FLOW -> root instanceof SequenceNode s && s.getValue().size() == 1 ? s.getValue().get(0) : null;
            case KEY -> root instanceof MappingNode m && m.getValue().size() == 1 ? m.getValue().get(0).getKeyNode() : null;
        };
        return n instanceof ScalarNode s && s.isPlain() && s.getValue().equals(text) ? s : null;
    }

    static String doubleQuoted(String text) {
        StringBuilder sb = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 0 -> sb.append("\\0");
                case 0x85 -> sb.append("\\N");
                case 0x2028 -> sb.append("\\L");
                case 0x2029 -> sb.append("\\P");
                default -> {
                    if (c < 0x20 || c >= 0x7F && c < 0xA0) {
                        sb.append(String.format("\\x%02X", c));
                    } else if (c >= 0xD800 && c <= 0xDFFF || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF) {
                        sb.append(String.format("\\u%04X", c));
                    } else {
                        sb.appendCodePoint(c);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }
}
