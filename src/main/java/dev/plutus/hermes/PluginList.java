package dev.plutus.hermes;

import dev.plutus.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Adds a name to, or removes it from, {@code plugins.enabled} in Hermes's config.yaml by editing
 * lines, so comments, key order and every other line stay byte-identical. The result is parsed
 * and compared with the original: anything but the intended change is refused.
 */
public final class PluginList {
    private static final Pattern TOP_KEY = Pattern.compile("^([A-Za-z_][\\w-]*)\\s*:(.*)$");
    private static final Pattern CHILD_KEY = Pattern.compile("^(\\s+)([A-Za-z_][\\w-]*)\\s*:(.*)$");
    private static final Pattern ITEM = Pattern.compile("^(\\s*)-\\s+(.*?)\\s*(#.*)?$");
    private static final Pattern FLOW = Pattern.compile("^(\\s*enabled\\s*:\\s*)\\[([^\\]]*)\\](.*)$");

    private PluginList() {}

    /** The config text with {@code name} enabled; the same text when it already is. */
    public static String enable(String yaml, String name) {
        if (enabledNames(yaml).contains(name)) {
            return yaml;
        }
        List<String> lines = lines(yaml);
        int plugins = topKey(lines, "plugins");
        String out;
        if (plugins < 0) {
            String sep = yaml.isEmpty() || yaml.endsWith("\n") ? "" : "\n";
            out = yaml + sep + "\n# Added by plutus install hermes.\nplugins:\n  enabled:\n    - " + name + "\n";
        } else {
            int end = blockEnd(lines, plugins);
            int enabled = childKey(lines, plugins, end, "enabled");
            if (enabled < 0) {
                String indent = childIndent(lines, plugins, end);
                lines.add(plugins + 1, indent + "enabled:\n");
                lines.add(plugins + 2, indent + "  - " + name + "\n");
            } else {
                Matcher flow = FLOW.matcher(stripNewline(lines.get(enabled)));
                if (flow.matches()) {
                    String inner = flow.group(2).strip();
                    lines.set(enabled, flow.group(1) + "[" + (inner.isEmpty() ? name : inner + ", " + name) + "]"
                            + flow.group(3) + "\n");
                } else {
                    int last = enabled;
                    String itemIndent = null;
                    for (int i = enabled + 1; i < end; i++) {
                        String l = stripNewline(lines.get(i));
                        if (l.isBlank() || l.strip().startsWith("#")) {
                            continue;
                        }
                        Matcher m = ITEM.matcher(l);
                        if (!m.matches()) {
                            break;
                        }
                        itemIndent = m.group(1);
                        last = i;
                    }
                    if (itemIndent == null) {
                        itemIndent = leading(lines.get(enabled)) + "  ";
                        String key = stripNewline(lines.get(enabled));
                        if (!key.replaceAll("#.*$", "").strip().equals("enabled:")) {
                            throw new ConfigException("config.yaml: plugins.enabled has a value this edit does not understand: "
                                    + key.strip() + "; add '" + name + "' to it by hand");
                        }
                    }
                    lines.add(last + 1, itemIndent + "- " + name + "\n");
                }
            }
            out = String.join("", lines);
        }
        verify(yaml, out, name, true);
        return out;
    }

    /** The config text without {@code name} in plugins.enabled; the same text when it is not there. */
    public static String disable(String yaml, String name) {
        if (!enabledNames(yaml).contains(name)) {
            return yaml;
        }
        List<String> lines = lines(yaml);
        int plugins = topKey(lines, "plugins");
        int end = blockEnd(lines, plugins);
        int enabled = childKey(lines, plugins, end, "enabled");
        Matcher flow = FLOW.matcher(stripNewline(lines.get(enabled)));
        if (flow.matches()) {
            List<String> kept = new ArrayList<>();
            for (String part : flow.group(2).split(",")) {
                String p = part.strip();
                if (!p.isEmpty() && !unquote(p).equals(name)) {
                    kept.add(p);
                }
            }
            lines.set(enabled, flow.group(1) + "[" + String.join(", ", kept) + "]" + flow.group(3) + "\n");
        } else {
            for (int i = enabled + 1; i < end; i++) {
                Matcher m = ITEM.matcher(stripNewline(lines.get(i)));
                if (m.matches() && unquote(m.group(2)).equals(name)) {
                    lines.remove(i);
                    break;
                }
            }
        }
        String out = String.join("", lines);
        verify(yaml, out, name, false);
        return out;
    }

    public static List<String> enabledNames(String yaml) {
        Object plugins = section(parse(yaml), "plugins");
        if (plugins instanceof Map<?, ?> m && m.get("enabled") instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    public static List<String> disabledNames(String yaml) {
        Object plugins = section(parse(yaml), "plugins");
        if (plugins instanceof Map<?, ?> m && m.get("disabled") instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    /** The edit must change exactly plugins.enabled, by exactly the one name. */
    @SuppressWarnings("unchecked")
    private static void verify(String before, String after, String name, boolean added) {
        Map<String, Object> a = parse(before);
        Map<String, Object> b = parse(after);
        List<String> expected = new ArrayList<>(enabledNames(before));
        if (added) {
            expected.add(name);
        } else {
            expected.removeIf(name::equals);
        }
        if (!enabledNames(after).equals(expected)) {
            throw new ConfigException("config.yaml: editing plugins.enabled did not give " + expected + "; nothing was written");
        }
        if (a != null && b != null) {
            Map<String, Object> a2 = new java.util.LinkedHashMap<>(a);
            Map<String, Object> b2 = new java.util.LinkedHashMap<>(b);
            Object pa = a2.remove("plugins");
            Object pb = b2.remove("plugins");
            boolean sameRest = a2.equals(b2);
            boolean samePluginsRest = true;
            if (pa instanceof Map<?, ?> ma && pb instanceof Map<?, ?> mb) {
                Map<String, Object> ra = new java.util.LinkedHashMap<>((Map<String, Object>) ma);
                Map<String, Object> rb = new java.util.LinkedHashMap<>((Map<String, Object>) mb);
                ra.remove("enabled");
                rb.remove("enabled");
                samePluginsRest = ra.equals(rb);
            }
            if (!sameRest || !samePluginsRest) {
                throw new ConfigException("config.yaml: the edit would change more than plugins.enabled; nothing was written");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String yaml) {
        try {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
            if (o == null) {
                return null;
            }
            if (!(o instanceof Map)) {
                throw new ConfigException("config.yaml: expected a mapping at the top level");
            }
            return (Map<String, Object>) o;
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new ConfigException("config.yaml is not valid YAML: " + e.getMessage());
        }
    }

    private static Object section(Map<String, Object> doc, String key) {
        return doc == null ? null : doc.get(key);
    }

    private static List<String> lines(String yaml) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < yaml.length(); i++) {
            if (yaml.charAt(i) == '\n') {
                out.add(yaml.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < yaml.length()) {
            out.add(yaml.substring(start) + "\n");
        }
        return out;
    }

    private static int topKey(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = TOP_KEY.matcher(stripNewline(lines.get(i)));
            if (m.matches() && m.group(1).equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** First line after the block that starts at {@code start}: the next top-level key. */
    private static int blockEnd(List<String> lines, int start) {
        for (int i = start + 1; i < lines.size(); i++) {
            String l = stripNewline(lines.get(i));
            if (!l.isBlank() && !l.startsWith(" ") && !l.startsWith("\t") && !l.startsWith("#") && !l.startsWith("-")) {
                return i;
            }
        }
        return lines.size();
    }

    private static int childKey(List<String> lines, int start, int end, String key) {
        for (int i = start + 1; i < end; i++) {
            Matcher m = CHILD_KEY.matcher(stripNewline(lines.get(i)));
            if (m.matches() && m.group(2).equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static String childIndent(List<String> lines, int start, int end) {
        for (int i = start + 1; i < end; i++) {
            Matcher m = CHILD_KEY.matcher(stripNewline(lines.get(i)));
            if (m.matches()) {
                return m.group(1);
            }
        }
        return "  ";
    }

    private static int indentOf(String l) {
        return l.length() - l.stripLeading().length();
    }

    private static String leading(String l) {
        return l.substring(0, indentOf(stripNewline(l)));
    }

    private static String stripNewline(String l) {
        return l.endsWith("\n") ? l.substring(0, l.length() - 1) : l;
    }

    private static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && (t.startsWith("\"") && t.endsWith("\"") || t.startsWith("'") && t.endsWith("'"))) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }
}
