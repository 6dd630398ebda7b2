package dev.plutus.pricing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    private static void addOnce(List<String> list, String s) {
        if (!s.isEmpty() && !list.contains(s)) {
            list.add(s);
        }
    }
}
