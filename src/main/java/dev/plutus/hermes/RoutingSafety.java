package dev.plutus.hermes;

import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlDoc;
import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingRefused;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The checks every routed config.yaml passes before it is written and again after: it parses, it
 * says what the plan says (its fallbacks in order, any other entry one the file had), nothing
 * outside the routing keys changed (so no provider block is lost), and every API key and key variable in the old file is still there.
 */
public final class RoutingSafety {
    private static final Set<String> MODEL_ROUTING = Set.of("default", "model", "provider", "api_key");
    private static final Set<String> DELEGATION_ROUTING = Set.of("provider", "model", "api_key");

    private RoutingSafety() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String text, String file) {
        Object doc;
        try {
            doc = YamlDoc.load(text, file);
        } catch (ConfigException e) {
            throw new RoutingRefused(e.getMessage());
        }
        if (doc == null) {
            return new LinkedHashMap<>();
        }
        if (!(doc instanceof Map)) {
            throw new RoutingRefused(file + ": the top level is not a mapping");
        }
        return (Map<String, Object>) doc;
    }

    public static void verify(String before, String after, RoutingPlan plan, String file) {
        Map<String, Object> old = load(before, file);
        Map<String, Object> neu = load(after, file);
        Map<String, Object> oldRest = withoutRouting(old);
        Map<String, Object> newRest = withoutRouting(neu);
        for (String k : union(oldRest.keySet(), newRest.keySet())) {
            if (!Objects.equals(oldRest.get(k), newRest.get(k))) {
                throw new RoutingRefused(file + ": routing would change '" + k + "', which is not a routing key; nothing written");
            }
        }
        List<String> lostKeys = new ArrayList<>(credentials(old));
        for (String k : credentials(neu)) {
            lostKeys.remove(k);
        }
        if (!lostKeys.isEmpty()) {
            throw new RoutingRefused(file + ": routing would lose " + lostKeys.size() + " API key or key variable(s); nothing written");
        }
        for (Object e : list(old.get("fallback_providers"))) {
            if (e instanceof Map<?, ?> m && (m.containsKey("api_key") || m.containsKey("key_env") || m.containsKey("base_url"))
                    && !list(neu.get("fallback_providers")).contains(e)) {
                throw new RoutingRefused(file + ": routing would drop the fallback entry for '" + m.get("provider")
                        + "' with its own endpoint or key; nothing written");
            }
        }
        Map<?, ?> model = neu.get("model") instanceof Map<?, ?> m ? m : Map.of();
        Object id = model.containsKey("default") ? model.get("default") : model.get("model");
        require(file, "model", plan.primary().model(), id);
        require(file, "model.provider", plan.primary().hermesProvider(), model.get("provider"));
        Map<?, ?> delegation = neu.get("delegation") instanceof Map<?, ?> m ? m : Map.of();
        require(file, "delegation.provider", plan.delegation().hermesProvider(), delegation.get("provider"));
        require(file, "delegation.model", plan.delegation().model(), delegation.get("model"));
        // The plan's fallbacks in plan order; every other entry is one the old file had, as it was.
        List<Object> oldEntries = new ArrayList<>(list(old.get("fallback_providers")));
        int next = 0;
        for (Object e : list(neu.get("fallback_providers"))) {
            Map<?, ?> m = e instanceof Map<?, ?> map ? map : Map.of();
            if (ownEndpointOrKey(m) && oldEntries.remove(e)) {
                continue;
            }
            if (next < plan.fallbacks().size() && plan.fallbacks().get(next).hermesProvider().equals(Objects.toString(m.get("provider"), null))
                    && plan.fallbacks().get(next).model().equals(Objects.toString(m.get("model"), null))) {
                next++;
            } else if (!oldEntries.remove(e)) {
                throw new RoutingRefused(file + ": after routing fallback_providers has " + e + ", which neither the plan nor the old file has"
                        + "; nothing written");
            }
        }
        if (next < plan.fallbacks().size()) {
            throw new RoutingRefused(file + ": after routing fallback_providers does not list " + plan.fallbacks().get(next).describe()
                    + " in plan order; nothing written");
        }
        for (Object e : legacyEntries(old)) {
            if (e instanceof Map<?, ?> m && ownEndpointOrKey(m)
                    && !legacyEntries(neu).contains(e)) {
                throw new RoutingRefused(file + ": routing would change the fallback_model entry for '" + m.get("provider")
                        + "' with its own endpoint or key; nothing written");
            }
        }
    }

    private static boolean ownEndpointOrKey(Map<?, ?> m) {
        return m.containsKey("api_key") || m.containsKey("key_env") || m.containsKey("base_url");
    }

    private static List<?> legacyEntries(Map<String, Object> root) {
        Object legacy = root.get("fallback_model");
        return legacy instanceof Map<?, ?> m ? List.of(m) : list(legacy);
    }

    private static void require(String file, String what, String expected, Object actual) {
        if (!expected.equals(Objects.toString(actual, null))) {
            throw new RoutingRefused(file + ": after routing " + what + " reads '" + actual + "', not '" + expected + "'; nothing written");
        }
    }

    private static Map<String, Object> withoutRouting(Map<String, Object> root) {
        Map<String, Object> rest = new HashMap<>(root);
        rest.remove("fallback_providers");
        if (rest.get("fallback_model") instanceof Map<?, ?> || rest.get("fallback_model") instanceof List<?>) {
            // Its entries are routed like fallback_providers'; the user's own ones are checked in verify.
            rest.remove("fallback_model");
        }
        if (rest.get("model") instanceof Map<?, ?> m) {
            rest.put("model", without(m, MODEL_ROUTING));
        } else {
            rest.remove("model");
        }
        if (rest.get("delegation") instanceof Map<?, ?> d) {
            rest.put("delegation", without(d, DELEGATION_ROUTING));
        } else if (rest.get("delegation") == null) {
            rest.remove("delegation");
        }
        return rest;
    }

    private static Map<Object, Object> without(Map<?, ?> m, Set<String> keys) {
        Map<Object, Object> out = new HashMap<>(m);
        keys.forEach(out::remove);
        return out.isEmpty() ? null : out;
    }

    /** Every api_key, *_api_key and key_env value in the document, wherever it sits. */
    private static List<String> credentials(Object node) {
        List<String> out = new ArrayList<>();
        collect(node, out);
        return out;
    }

    private static void collect(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                String key = String.valueOf(k);
                if ((key.equals("api_key") || key.endsWith("_api_key") || key.equals("key_env")) && v != null && !(v instanceof Map)
                        && !(v instanceof List)) {
                    // ${VAR} references in model/delegation may be re-pointed; literal keys never may.
                    if (!String.valueOf(v).strip().startsWith("${")) {
                        out.add(String.valueOf(v));
                    }
                } else {
                    collect(v, out);
                }
            });
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collect(v, out));
        }
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.TreeSet<>(a);
        u.addAll(b);
        return u;
    }
}
