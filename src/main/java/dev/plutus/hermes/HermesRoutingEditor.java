package dev.plutus.hermes;

import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingRefused;
import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlEditor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a {@link RoutingPlan} into Hermes's config.yaml text by editing only routing lines
 * ({@code model.default}/{@code model.provider}, {@code delegation.provider}/{@code model},
 * the {@code fallback_providers} entries): comments, key order and every other line stay
 * byte-identical. It refuses (rather than guesses) where an edit could send a key to the wrong
 * provider or drop one; {@link RoutingSafety} re-checks the result.
 */
public final class HermesRoutingEditor {
    private static final Pattern TOP_FALLBACK = Pattern.compile("^fallback_providers\\s*:(.*)$");
    private static final Pattern TOP_MODEL = Pattern.compile("^model\\s*:(.*)$");
    private static final Pattern ITEM_START = Pattern.compile("^(\\s*)-(\\s|$)");
    private static final Pattern MODEL_LINE = Pattern.compile("^(\\s*(?:-\\s+)?model\\s*:)(\\s*)([^#]*?)(\\s+#.*)?$");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/@\\-]*");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Set<String> CREDENTIAL_KEYS = Set.of("api_key", "key_env", "base_url");

    private HermesRoutingEditor() {}

    /**
     * The config text routed by {@code plan}. {@code keyEnvOf} names the environment variable that
     * holds a runway provider's key, used where {@code model.api_key} refers to the old provider's variable.
     */
    public static String apply(String text, RoutingPlan plan, Set<String> managedHermesProviders,
                               Function<String, String> keyEnvOf, String fileName) {
        Map<String, Object> root = RoutingSafety.load(text, fileName);
        String out = text;
        try {
            out = routeModel(out, root, plan.primary(), keyEnvOf, fileName);
            out = routeSection(out, root, "delegation", plan.delegation(), keyEnvOf, fileName);
        } catch (ConfigException e) {
            throw new RoutingRefused(e.getMessage());
        }
        return routeFallbacks(out, RoutingSafety.load(out, fileName), plan.fallbacks(), managedHermesProviders, fileName);
    }

    private static String routeModel(String text, Map<String, Object> root, RoutingPlan.Route r, Function<String, String> keyEnvOf,
                                     String file) {
        Object model = root.get("model");
        if (model instanceof String || model == null && root.containsKey("model")) {
            // "model: some-id" is Hermes's short form; the long form is the only way to name the provider too.
            List<String> lines = lines(text);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = TOP_MODEL.matcher(lines.get(i));
                if (m.matches()) {
                    String comment = comment(m.group(1));
                    lines.set(i, "model:" + (comment.isEmpty() ? "" : " " + comment));
                    lines.add(i + 1, "  default: " + scalar(r.model()));
                    lines.add(i + 2, "  provider: " + scalar(r.hermesProvider()));
                    return join(lines, text);
                }
            }
            throw new RoutingRefused(file + ": 'model' is not a top-level key this edit can find; route by hand");
        }
        String idKey = model instanceof Map<?, ?> m && !m.containsKey("default") && m.containsKey("model") ? "model" : "default";
        Map<?, ?> section = model instanceof Map<?, ?> m ? m : Map.of();
        text = guardCredentials(text, section, "model", r, keyEnvOf, file);
        text = YamlEditor.setScalar(text, List.of("model", idKey), scalar(r.model()), file);
        return YamlEditor.setScalar(text, List.of("model", "provider"), scalar(r.hermesProvider()), file);
    }

    private static String routeSection(String text, Map<String, Object> root, String key, RoutingPlan.Route r,
                                       Function<String, String> keyEnvOf, String file) {
        Object section = root.get(key);
        if (section != null && !(section instanceof Map)) {
            throw new RoutingRefused(file + ": '" + key + "' is not a mapping; route by hand");
        }
        text = guardCredentials(text, section == null ? Map.of() : (Map<?, ?>) section, key, r, keyEnvOf, file);
        text = YamlEditor.setScalar(text, List.of(key, "provider"), scalar(r.hermesProvider()), file);
        return YamlEditor.setScalar(text, List.of(key, "model"), scalar(r.model()), file);
    }

    /**
     * A section that moves to another provider must not keep the old one's endpoint or key: a
     * {@code ${VAR}} key reference is pointed at the new provider's variable; a literal key or a
     * base_url is a refusal, since neither can be moved without losing it.
     */
    private static String guardCredentials(String text, Map<?, ?> section, String key, RoutingPlan.Route r,
                                           Function<String, String> keyEnvOf, String file) {
        String oldProvider = Objects.toString(section.get("provider"), "");
        if (oldProvider.equals(r.hermesProvider())) {
            return text;
        }
        Object baseUrl = section.get("base_url");
        if (baseUrl != null && !baseUrl.toString().isBlank()) {
            throw new RoutingRefused(file + ": " + key + ".base_url is set (" + baseUrl + ") and " + key + ".provider would change from '"
                    + oldProvider + "' to '" + r.hermesProvider() + "'; remove base_url or move it to a providers: entry, then route again");
        }
        Object apiKey = section.get("api_key");
        if (apiKey == null || apiKey.toString().isBlank()) {
            return text;
        }
        Matcher ref = ENV_REF.matcher(apiKey.toString().strip());
        if (!ref.matches()) {
            throw new RoutingRefused(file + ": " + key + ".api_key holds a key for '" + oldProvider + "' and " + key
                    + ".provider would change to '" + r.hermesProvider() + "'; move the key to Hermes's .env, then route again");
        }
        String newVar = keyEnvOf.apply(r.provider());
        if (newVar == null) {
            throw new RoutingRefused(file + ": " + key + ".api_key refers to ${" + ref.group(1) + "}, and no key for '" + r.provider()
                    + "' was found to point it at; set one, then route again");
        }
        return YamlEditor.setScalar(text, List.of(key, "api_key"), "${" + newVar + "}", file);
    }

    private record Item(int start, int end, String provider, String model, boolean credentials, Map<?, ?> entry) {}

    private static String routeFallbacks(String text, Map<String, Object> root, List<RoutingPlan.Route> routes,
                                         Set<String> managed, String file) {
        List<String> lines = lines(text);
        int keyLine = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (TOP_FALLBACK.matcher(lines.get(i)).matches()) {
                keyLine = i;
                break;
            }
        }
        Object existing = root.get("fallback_providers");
        if (existing != null && !(existing instanceof List)) {
            throw new RoutingRefused(file + ": fallback_providers is not a list; route by hand");
        }
        List<?> entries = existing == null ? List.of() : (List<?>) existing;
        if (keyLine < 0) {
            if (routes.isEmpty()) {
                return text;
            }
            List<String> add = new ArrayList<>(List.of("", "# Fallback order written by plutus route.", "fallback_providers:"));
            routes.forEach(r -> add.addAll(newItem("  ", r)));
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            lines.addAll(add);
            return String.join("\n", lines) + "\n";
        }
        Matcher km = TOP_FALLBACK.matcher(lines.get(keyLine));
        km.matches();
        String inline = stripComment(km.group(1)).strip();
        if (!inline.isEmpty() && !inline.equals("[]") && !inline.equals("~") && !inline.equals("null")) {
            throw new RoutingRefused(file + ":" + (keyLine + 1) + ": fallback_providers is written in flow style; "
                    + "rewrite it as an indented list, then route again");
        }
        int end = keyLine + 1;
        while (end < lines.size()) {
            String l = lines.get(end);
            if (!l.isBlank() && !l.stripLeading().startsWith("#") && indent(l) == 0 && !l.startsWith("-")) {
                break;
            }
            end++;
        }
        // Blank lines and column-0 comments after the last entry belong to whatever follows.
        while (end > keyLine + 1 && (lines.get(end - 1).isBlank() || lines.get(end - 1).startsWith("#"))) {
            end--;
        }
        List<Item> items = new ArrayList<>();
        int itemIndent = -1;
        int headerEnd = end;
        for (int i = keyLine + 1; i < end; i++) {
            Matcher m = ITEM_START.matcher(lines.get(i));
            if (m.find() && !lines.get(i).stripLeading().startsWith("#") && (itemIndent < 0 || m.group(1).length() == itemIndent)) {
                if (itemIndent < 0) {
                    itemIndent = m.group(1).length();
                    headerEnd = i;
                }
                if (!items.isEmpty()) {
                    Item prev = items.remove(items.size() - 1);
                    items.add(new Item(prev.start(), i, null, null, false, null));
                }
                items.add(new Item(i, end, null, null, false, null));
            }
        }
        if (items.size() != entries.size()) {
            throw new RoutingRefused(file + ":" + (keyLine + 1) + ": could not match the lines of fallback_providers to its "
                    + entries.size() + " entries; route by hand");
        }
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            if (!(entries.get(i) instanceof Map<?, ?> e)) {
                throw new RoutingRefused(file + ":" + (it.start() + 1) + ": a fallback_providers entry is not a mapping; route by hand");
            }
            boolean creds = CREDENTIAL_KEYS.stream().anyMatch(k -> e.get(k) != null && !e.get(k).toString().isBlank());
            items.set(i, new Item(it.start(), it.end(), Objects.toString(e.get("provider"), ""), Objects.toString(e.get("model"), ""),
                    creds, e));
        }
        String indent = " ".repeat(itemIndent < 0 ? 2 : itemIndent);
        boolean[] used = new boolean[items.size()];
        // Exact matches first, so an entry the plan keeps is never rewritten to stand in for another.
        int[] chosen = new int[routes.size()];
        for (int r = 0; r < routes.size(); r++) {
            chosen[r] = find(items, used, routes.get(r), true);
            if (chosen[r] >= 0) {
                used[chosen[r]] = true;
            }
        }
        List<String> block = new ArrayList<>(lines.subList(keyLine + 1, headerEnd));
        for (int r = 0; r < routes.size(); r++) {
            RoutingPlan.Route route = routes.get(r);
            if (chosen[r] >= 0) {
                block.addAll(lines.subList(items.get(chosen[r]).start(), items.get(chosen[r]).end()));
                continue;
            }
            int sameProvider = find(items, used, route, false);
            if (sameProvider >= 0) {
                used[sameProvider] = true;
                Item it = items.get(sameProvider);
                block.addAll(withModel(lines.subList(it.start(), it.end()), it, route, indent, file));
            } else {
                block.addAll(newItem(indent, route));
            }
        }
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            if (!used[i] && (it.credentials() || !managed.contains(it.provider()))) {
                // Never dropped: an entry with its own endpoint or key, or one for a provider runway.yaml does not manage.
                block.addAll(lines.subList(it.start(), it.end()));
            }
        }
        List<String> out = new ArrayList<>(lines.subList(0, keyLine));
        out.add(block.isEmpty() || !inline.isEmpty() ? "fallback_providers:" + commentSuffix(km.group(1)) : lines.get(keyLine));
        out.addAll(block);
        out.addAll(lines.subList(end, lines.size()));
        return join(out, text);
    }

    private static int find(List<Item> items, boolean[] used, RoutingPlan.Route r, boolean exact) {
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            // An entry with its own endpoint or key is the user's: used as it is, never re-pointed at another model.
            if (!used[i] && it.provider().equals(r.hermesProvider()) && (exact ? it.model().equals(r.model()) : !it.credentials())) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> withModel(List<String> itemLines, Item item, RoutingPlan.Route r, String indent, String file) {
        List<String> out = new ArrayList<>(itemLines);
        for (int i = 0; i < out.size(); i++) {
            Matcher m = MODEL_LINE.matcher(out.get(i));
            if (m.matches() && !out.get(i).stripLeading().startsWith("#")) {
                out.set(i, m.group(1) + (m.group(2).isEmpty() ? " " : m.group(2)) + scalar(r.model())
                        + (m.group(4) == null ? "" : m.group(4)));
                return out;
            }
        }
        if (item.entry().keySet().stream().allMatch(k -> k.equals("provider") || k.equals("model"))) {
            return newItem(indent, r);
        }
        throw new RoutingRefused(file + ":" + (item.start() + 1) + ": cannot find the model line of the fallback entry for '"
                + item.provider() + "'; route by hand");
    }

    private static List<String> newItem(String indent, RoutingPlan.Route r) {
        return List.of(indent + "- provider: " + scalar(r.hermesProvider()), indent + "  model: " + scalar(r.model()));
    }

    static String scalar(String v) {
        return PLAIN.matcher(v).matches() && !v.equals("null") && !v.equals("true") && !v.equals("false")
                ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String comment(String rest) {
        int i = rest.indexOf(" #");
        return i >= 0 ? rest.substring(i + 1).strip() : rest.strip().startsWith("#") ? rest.strip() : "";
    }

    private static String commentSuffix(String rest) {
        String c = comment(rest);
        return c.isEmpty() ? "" : " " + c;
    }

    private static String stripComment(String rest) {
        String t = rest.strip();
        if (t.startsWith("#")) {
            return "";
        }
        int i = rest.indexOf(" #");
        return i >= 0 ? rest.substring(0, i) : rest;
    }

    private static int indent(String l) {
        int i = 0;
        while (i < l.length() && l.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static List<String> lines(String text) {
        List<String> l = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!l.isEmpty() && l.get(l.size() - 1).isEmpty()) {
            l.remove(l.size() - 1);
        }
        return l;
    }

    private static String join(List<String> lines, String original) {
        return String.join("\n", lines) + (original.endsWith("\n") || original.isEmpty() ? "\n" : "");
    }
}
