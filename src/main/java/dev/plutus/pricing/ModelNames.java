package dev.plutus.pricing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Model-name normalization. Names are compared after lower-casing, after writing version dots as
 * dashes ({@code 4.5} = {@code 4-5}), and optionally without a trailing release date. Matching is
 * exact on those forms and never by prefix: {@code gpt-4.1} is not {@code gpt-4}, and
 * {@code deepseek-v4-pro} is not {@code deepseek-chat}.
 */
public final class ModelNames {
    private static final Pattern VERSION_DOT = Pattern.compile("(?<=\\d)\\.(?=\\d)");
    private static final Pattern TRAILING_DATE = Pattern.compile(
            "(?:[-@](?:20\\d{2})-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\\d|3[01]))$");

    private ModelNames() {}

    public static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return VERSION_DOT.matcher(n).replaceAll("-");
    }

    /** The normalized name without a trailing release date ({@code -20250929}, {@code -2025-04-14}, {@code @20250929}). */
    public static String withoutDate(String normalized) {
        return TRAILING_DATE.matcher(normalized).replaceFirst("");
    }

    /** The last path segment of a normalized name: {@code openrouter/anthropic/x} gives {@code x}. */
    public static String bare(String normalized) {
        int slash = normalized.lastIndexOf('/');
        return slash < 0 ? normalized : normalized.substring(slash + 1);
    }

    /** The name budgets and reports key a model by: bare, normalized, undated. */
    public static String budgetKey(String model) {
        return withoutDate(bare(normalize(model)));
    }

    /**
     * Lookup keys for a call, most specific first: the provider-qualified name, then the name with
     * each leading path segment removed in turn; each followed by its undated form.
     */
    public static List<String> candidates(String provider, String model) {
        String m = normalize(model);
        List<String> names = new ArrayList<>();
        if (provider != null && !provider.isBlank()) {
            String p = normalize(provider);
            if (!m.startsWith(p + "/")) {
                names.add(p + "/" + m);
            }
        }
        String rest = m;
        while (true) {
            names.add(rest);
            int slash = rest.indexOf('/');
            if (slash < 0) {
                break;
            }
            rest = rest.substring(slash + 1);
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            addOnce(out, n);
            addOnce(out, withoutDate(n));
        }
        return out;
    }

    /** Hermes provider ids, and the host names the price tables (LiteLLM's among them) list the same host under. */
    private static final Map<String, List<String>> HOST_NAMES = Map.ofEntries(
            Map.entry("openai-api", List.of("openai")), Map.entry("openai-codex", List.of("openai")),
            Map.entry("gemini", List.of("gemini", "google")), Map.entry("google", List.of("google", "gemini")),
            Map.entry("vertex", List.of("vertex_ai")), Map.entry("vertex-ai", List.of("vertex_ai")),
            Map.entry("bedrock", List.of("bedrock", "bedrock_converse")),
            Map.entry("azure", List.of("azure", "azure_ai")), Map.entry("azure-foundry", List.of("azure_ai", "azure")),
            Map.entry("azure-openai", List.of("azure")), Map.entry("fireworks", List.of("fireworks_ai")),
            Map.entry("together", List.of("together_ai")), Map.entry("kimi", List.of("moonshot")),
            Map.entry("kimi-coding", List.of("moonshot")), Map.entry("glm", List.of("zai")), Map.entry("z-ai", List.of("zai")),
            Map.entry("alibaba", List.of("dashscope")), Map.entry("qwen", List.of("dashscope")),
            Map.entry("nvidia", List.of("nvidia_nim")), Map.entry("copilot", List.of("github_copilot")),
            Map.entry("github-copilot", List.of("github_copilot")), Map.entry("ai-gateway", List.of("vercel_ai_gateway")),
            Map.entry("vercel", List.of("vercel_ai_gateway")), Map.entry("x-ai", List.of("xai")),
            Map.entry("cohere", List.of("cohere_chat")), Map.entry("minimax-cn", List.of("minimax")));
    /** Provider ids that name no host: a price found for them is never a maker price standing in. */
    private static final List<String> NO_HOST = List.of("custom", "auto", "moa", "local");
    /**
     * OpenRouter variant suffixes the loose level removes (not {@code :free}, not {@code :online}).
     * Each may be billed differently from its base model ({@code :exacto} is dearer, and so is
     * {@code qwen-plus-2025-07-28:thinking}, $0.40/$1.20 against $0.26/$0.78), so a call priced at
     * its base model's price because no layer lists the variant is flagged.
     */
    private static final Pattern VARIANT_SUFFIX = Pattern.compile(":(?:thinking|extended|nitro|floor|exacto)$");

    /** The variant suffix of {@code model} ({@code :exacto}, …) whose base price is only a stand-in, or null. */
    public static String flaggedVariant(String model) {
        java.util.regex.Matcher v = VARIANT_SUFFIX.matcher(model.trim().toLowerCase(Locale.ROOT));
        return v.find() ? v.group() : null;
    }

    /** True when {@code name}, a lookup name of a call to a variant, no longer carries {@code variant}. */
    public static boolean dropsVariant(String name, String variant) {
        return variant != null && !name.endsWith(variant);
    }
    /** Bedrock's cross-region prefix ({@code us.anthropic.…}): the same model at the same list price. */
    private static final Pattern BEDROCK_GEO = Pattern.compile("^(?:us|eu|apac|au|jp|ca|global|us-gov)\\.(?=[a-z0-9-]+\\.)");
    /** A Bedrock model id: {@code anthropic.claude-sonnet-4-20250514-v1:0}; group 2 is the maker's own name. */
    private static final Pattern BEDROCK_ID = Pattern.compile(
            "^(anthropic|meta|mistral|amazon|cohere|ai21|deepseek|qwen|openai|writer|moonshotai)\\.(.+?)(?:-v\\d+(?::\\d+)?)?(?::\\d+)?$");

    /**
     * The Bedrock cross-region prefix of {@code model} ({@code us} of {@code us.anthropic.claude-…}),
     * or null. A regional id is billed at its own (often higher) price; the loose level's name
     * without it is the global price, so a call priced by that name is flagged "price estimated".
     */
    public static String regionPrefix(String model) {
        String bare = bare(VARIANT_SUFFIX.matcher(model.trim().toLowerCase(Locale.ROOT)).replaceFirst(""));
        java.util.regex.Matcher g = BEDROCK_GEO.matcher(bare);
        return g.find() ? bare.substring(0, bare.indexOf('.')) : null;
    }

    /** True when {@code name}, a lookup name of a call to a regional id, no longer carries {@code region}. */
    public static boolean dropsRegion(String name, String region) {
        return region != null && !bare(name).startsWith(region + ".");
    }

    /** A Fireworks model id: {@code accounts/<account>/models/<model>}, whatever endpoint reported it. */
    private static final Pattern FIREWORKS_ID = Pattern.compile("^accounts/[^/]+/models/[^/]+$");

    /**
     * The host a call went through as far as its id says more than its provider: Hermes reports
     * every {@code providers:} endpoint as {@code custom}, yet {@code accounts/fireworks/models/…}
     * is Fireworks' id (Fireworks' own price comes before the maker's); with no provider, an
     * {@code openrouter/…} id went through OpenRouter (as the {@code :free} rule reads it).
     */
    public static String impliedHost(String provider, String model) {
        String p = provider == null ? "" : provider.trim().toLowerCase(Locale.ROOT);
        String m = model == null ? "" : model.trim().toLowerCase(Locale.ROOT);
        if (p.isEmpty() && m.startsWith("openrouter/")) {
            return "openrouter";
        }
        if ((p.isEmpty() || p.equals("custom")) && FIREWORKS_ID.matcher(m).matches()) {
            return "fireworks";
        }
        return provider;
    }

    /** True when the provider is a host with no prices of its own ({@code custom}): any table price is the maker's. */
    public static boolean pricelessHost(String provider) {
        return provider != null && provider.trim().equalsIgnoreCase("custom");
    }

    /** The names the tables may list a host under; empty when the provider names no host (custom, auto, none). */
    public static List<String> hostNames(String provider) {
        if (provider == null || provider.isBlank()) {
            return List.of();
        }
        String p = provider.trim().toLowerCase(Locale.ROOT);
        if (NO_HOST.contains(p)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add(p);
        for (String h : HOST_NAMES.getOrDefault(p, List.of())) {
            addOnce(out, h);
        }
        return out;
    }

    /**
     * Names to look a call's model up by, in levels tried one after the other: the exact names
     * (host-qualified, then with each leading path segment removed), then the same without a
     * release date, then loose forms of the same model (an OpenRouter variant suffix or a Bedrock
     * region prefix removed, a Bedrock id as its maker's name). Every level is tried in every
     * layer before the next level: a dated name in a lower layer beats an undated one above it.
     */
    public static List<List<String>> lookupLevels(String provider, String model) {
        String m = model.trim().toLowerCase(Locale.ROOT);
        List<String> hosts = hostNames(provider);
        List<String> exact = forms(hosts, m);
        List<String> undated = new ArrayList<>();
        for (String n : exact) {
            String u = withoutDate(n);
            if (!exact.contains(u)) {
                addOnce(undated, u);
            }
        }
        List<String> loose = new ArrayList<>();
        String stripped = VARIANT_SUFFIX.matcher(m).replaceFirst("");
        for (String base : List.of(stripped, BEDROCK_GEO.matcher(bare(stripped)).replaceFirst(""))) {
            for (String n : forms(hosts, base)) {
                addLoose(loose, exact, undated, n);
                addLoose(loose, exact, undated, withoutDate(n));
            }
        }
        java.util.regex.Matcher b = BEDROCK_ID.matcher(BEDROCK_GEO.matcher(bare(stripped)).replaceFirst(""));
        if (b.matches()) {
            addLoose(loose, exact, undated, b.group(2));
            addLoose(loose, exact, undated, withoutDate(b.group(2)));
        }
        return List.of(exact, undated, loose);
    }

    private static void addLoose(List<String> loose, List<String> exact, List<String> undated, String n) {
        if (!exact.contains(n) && !undated.contains(n)) {
            addOnce(loose, n);
        }
    }

    /** {@code m} and its suffixes after each '/', each first behind every host name. */
    private static List<String> forms(List<String> hosts, String m) {
        List<String> out = new ArrayList<>();
        String rest = m;
        while (true) {
            for (String h : hosts) {
                if (!rest.startsWith(h + "/")) {
                    addOnce(out, h + "/" + rest);
                }
            }
            addOnce(out, rest);
            int slash = rest.indexOf('/');
            if (slash < 0) {
                break;
            }
            rest = rest.substring(slash + 1);
        }
        return out;
    }

    /**
     * True when {@code name} is host-qualified for one of {@code hosts}, or {@code entry} is that
     * host's own price, or names no provider at all (a user's entry that holds for every host).
     */
    public static boolean isHostPrice(PriceEntry entry, String name, List<String> hosts) {
        if (entry.provider() == null) {
            return true;
        }
        for (String h : hosts) {
            if (name.startsWith(h + "/") || entry.key().toLowerCase(Locale.ROOT).startsWith(h + "/")
                    || (entry.provider() != null && entry.provider().toLowerCase(Locale.ROOT).equals(h))) {
                return true;
            }
        }
        return false;
    }

    private static void addOnce(List<String> list, String s) {
        if (!s.isEmpty() && !list.contains(s)) {
            list.add(s);
        }
    }
}
