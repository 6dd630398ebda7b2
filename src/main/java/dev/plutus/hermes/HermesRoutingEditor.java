package dev.plutus.hermes;

import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingRefused;
import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlEditor;
import dev.plutus.config.YamlNode;
import dev.plutus.config.YamlPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a {@link RoutingPlan} into Hermes's config.yaml text by editing only routing values
 * ({@code model.default}/{@code model.provider}, {@code delegation.provider}/{@code model},
 * the {@code fallback_providers} entries, the legacy {@code fallback_model}) through {@link YamlEditor}: comments, key order and every
 * other byte stay as they were. It refuses (rather than guesses) where an edit could send a key to
 * the wrong provider or drop one; {@link RoutingSafety} re-checks the result.
 */
public final class HermesRoutingEditor {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Set<String> CREDENTIAL_KEYS = Set.of("api_key", "key_env", "base_url");
    private static final YamlPath FALLBACKS = YamlPath.of("fallback_providers");

    private HermesRoutingEditor() {}

    /**
     * The config text routed by {@code plan}. {@code keyEnvOf} names the environment variable that
     * holds a runway provider's key, used where {@code model.api_key} refers to the old provider's variable.
     */
    public static String apply(String text, RoutingPlan plan, Set<String> managedHermesProviders,
                               Function<String, String> keyEnvOf, String fileName) {
        // Refuses duplicate keys anywhere, which Hermes would silently resolve to the last one.
        RoutingSafety.load(text, fileName);
        try {
            YamlEditor doc = YamlEditor.of(text, fileName);
            doc = routeModel(doc, plan.primary(), keyEnvOf, fileName);
            doc = routeSection(doc, "delegation", plan.delegation(), keyEnvOf, fileName);
            doc = routeFallbacks(doc, plan.fallbacks(), managedHermesProviders, fileName);
            return routeLegacyFallback(doc, plan, managedHermesProviders, fileName).text();
        } catch (ConfigException e) {
            throw new RoutingRefused(e.getMessage());
        }
    }

    private static YamlEditor routeModel(YamlEditor doc, RoutingPlan.Route r, Function<String, String> keyEnvOf, String file) {
        YamlNode model = doc.root().get("model");
        if (model.isScalar()) {
            // "model: some-id" is Hermes's short form; the long form is the only way to name the provider too.
            LinkedHashMap<String, String> fields = new LinkedHashMap<>();
            fields.put("default", r.model());
            fields.put("provider", r.hermesProvider());
            return doc.replaceWithMapping(YamlPath.of("model"), fields);
        }
        String idKey = model.isMapping() && model.get("default").isMissing() && !model.get("model").isMissing() ? "model" : "default";
        doc = guardCredentials(doc, model, "model", r, keyEnvOf, file);
        doc = doc.setScalar(YamlPath.of("model", idKey), r.model());
        return doc.setScalar(YamlPath.of("model", "provider"), r.hermesProvider());
    }

    private static YamlEditor routeSection(YamlEditor doc, String key, RoutingPlan.Route r, Function<String, String> keyEnvOf,
                                           String file) {
        YamlNode section = doc.root().get(key);
        if (!section.isNull() && !section.isMapping()) {
            throw new RoutingRefused(file + ": '" + key + "' is not a mapping; route by hand");
        }
        doc = guardCredentials(doc, section, key, r, keyEnvOf, file);
        doc = doc.setScalar(YamlPath.of(key, "provider"), r.hermesProvider());
        return doc.setScalar(YamlPath.of(key, "model"), r.model());
    }

    /**
     * A section that moves to another provider must not keep the old one's endpoint or key: a
     * {@code ${VAR}} key reference is pointed at the new provider's variable; a literal key or a
     * base_url is a refusal, since neither can be moved without losing it.
     */
    private static YamlEditor guardCredentials(YamlEditor doc, YamlNode section, String key, RoutingPlan.Route r,
                                               Function<String, String> keyEnvOf, String file) {
        String oldProvider = text(section.get("provider"));
        if (oldProvider.equals(r.hermesProvider())) {
            return doc;
        }
        YamlNode baseUrl = section.get("base_url");
        if (present(baseUrl)) {
            throw new RoutingRefused(file + ": " + key + ".base_url is set (" + text(baseUrl) + ") and " + key
                    + ".provider would change from '" + oldProvider + "' to '" + r.hermesProvider()
                    + "'; remove base_url or move it to a providers: entry, then route again");
        }
        YamlNode apiKey = section.get("api_key");
        if (!present(apiKey)) {
            return doc;
        }
        Matcher ref = ENV_REF.matcher(text(apiKey).strip());
        if (!ref.matches()) {
            throw new RoutingRefused(file + ": " + key + ".api_key holds a key for '" + oldProvider + "' and " + key
                    + ".provider would change to '" + r.hermesProvider() + "'; move the key to Hermes's .env, then route again");
        }
        String newVar = keyEnvOf.apply(r.provider());
        if (newVar == null) {
            throw new RoutingRefused(file + ": " + key + ".api_key refers to ${" + ref.group(1) + "}, and no key for '" + r.provider()
                    + "' was found to point it at; set one, then route again");
        }
        return doc.setScalar(YamlPath.of(key, "api_key"), "${" + newVar + "}");
    }

    /** {@code pinned}: the user's own entry (its own endpoint or key, or a provider runway.yaml does not manage); never moved. */
    private record Entry(String provider, String model, boolean credentials, boolean pinned) {}

    private static YamlEditor routeFallbacks(YamlEditor doc, List<RoutingPlan.Route> routes, Set<String> managed, String file) {
        YamlNode list = doc.root().get("fallback_providers");
        if (!list.isNull() && !list.isList()) {
            throw new RoutingRefused(file + ": fallback_providers is not a list; route by hand");
        }
        List<Entry> entries = new ArrayList<>();
        for (YamlNode e : list.isList() ? list.items() : List.<YamlNode>of()) {
            if (!e.isMapping()) {
                throw new RoutingRefused(file + ":" + e.line() + ": a fallback_providers entry is not a mapping; route by hand");
            }
            entries.add(entry(e, managed));
        }
        boolean[] used = new boolean[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            used[i] = entries.get(i).pinned();
        }
        // Exact matches first, so an entry the plan keeps is never rewritten to stand in for another.
        int[] chosen = new int[routes.size()];
        for (int r = 0; r < routes.size(); r++) {
            chosen[r] = find(entries, used, routes.get(r), true);
            if (chosen[r] >= 0) {
                used[chosen[r]] = true;
            }
        }
        List<YamlEditor.Item> routed = new ArrayList<>();
        for (int r = 0; r < routes.size(); r++) {
            RoutingPlan.Route route = routes.get(r);
            if (chosen[r] >= 0) {
                routed.add(new YamlEditor.Kept(chosen[r]));
                continue;
            }
            int sameProvider = find(entries, used, route, false);
            if (sameProvider >= 0) {
                used[sameProvider] = true;
                doc = doc.setScalar(FALLBACKS.index(sameProvider).key("model"), route.model());
                routed.add(new YamlEditor.Kept(sameProvider));
            } else {
                LinkedHashMap<String, String> fields = new LinkedHashMap<>();
                fields.put("provider", route.hermesProvider());
                fields.put("model", route.model());
                routed.add(new YamlEditor.NewMapping(fields));
            }
        }
        // The user's entries stay at their positions; the planned ones fill the other places in plan order,
        // a managed entry the plan no longer wants (a drained provider) gives up its place, extra routes go last.
        List<YamlEditor.Item> items = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).pinned()) {
                items.add(new YamlEditor.Kept(i));
            } else if (next < routed.size()) {
                items.add(routed.get(next++));
            }
        }
        items.addAll(routed.subList(next, routed.size()));
        return doc.rewriteList(FALLBACKS, items, YamlEditor.Placement.endWithNote("Fallback order written by plutus route."));
    }

    private static Entry entry(YamlNode e, Set<String> managed) {
        boolean credentials = CREDENTIAL_KEYS.stream().anyMatch(k -> present(e.get(k)));
        String provider = text(e.get("provider"));
        return new Entry(provider, text(e.get("model")), credentials, credentials || !managed.contains(provider));
    }

    /**
     * Hermes's legacy {@code fallback_model} (one mapping, or a list of them) is tried after
     * fallback_providers: an entry for a managed provider the plan no longer routes to (a drained
     * one) is pointed at the plan's last fallback, so it cannot keep that provider in the chain;
     * Hermes drops it as a duplicate. The user's own entries are left as they are.
     */
    private static YamlEditor routeLegacyFallback(YamlEditor doc, RoutingPlan plan, Set<String> managed, String file) {
        YamlNode legacy = doc.root().get("fallback_model");
        if (legacy.isNull()) {
            return doc;
        }
        RoutingPlan.Route target = plan.fallbacks().isEmpty() ? plan.delegation() : plan.fallbacks().get(plan.fallbacks().size() - 1);
        LinkedHashMap<YamlPath, YamlNode> entries = new LinkedHashMap<>();
        if (legacy.isMapping()) {
            entries.put(YamlPath.of("fallback_model"), legacy);
        } else if (legacy.isList()) {
            for (int i = 0; i < legacy.items().size(); i++) {
                YamlNode item = legacy.items().get(i);
                if (!item.isMapping()) {
                    throw new RoutingRefused(file + ":" + item.line() + ": a fallback_model entry is not a mapping; route by hand");
                }
                entries.put(YamlPath.of("fallback_model").index(i), item);
            }
        } else {
            throw new RoutingRefused(file + ": fallback_model is neither a mapping nor a list; route by hand");
        }
        for (var en : entries.entrySet()) {
            Entry e = entry(en.getValue(), managed);
            boolean planned = plan.allRoutes().stream().anyMatch(r -> r.hermesProvider().equals(e.provider()) && r.model().equals(e.model()));
            if (!e.pinned() && !planned) {
                doc = doc.setScalar(en.getKey().key("provider"), target.hermesProvider());
                doc = doc.setScalar(en.getKey().key("model"), target.model());
            }
        }
        return doc;
    }

    private static int find(List<Entry> entries, boolean[] used, RoutingPlan.Route r, boolean exact) {
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            // An entry with its own endpoint or key is the user's: used as it is, never re-pointed at another model.
            if (!used[i] && e.provider().equals(r.hermesProvider()) && (exact ? e.model().equals(r.model()) : !e.credentials())) {
                return i;
            }
        }
        return -1;
    }

    /** A scalar's text; "" for null, a missing key or a nested block. */
    private static String text(YamlNode n) {
        return n.isScalar() ? n.textOr("") : "";
    }

    /** Set to something other than null or blank. */
    private static boolean present(YamlNode n) {
        return !n.isNull() && !(n.isScalar() && n.textOr("").isBlank());
    }
}
