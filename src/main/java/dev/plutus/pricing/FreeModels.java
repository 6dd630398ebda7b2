package dev.plutus.pricing;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which models are genuinely free, so that an entry whose every price is 0 may price a call at $0.
 * A price source writes 0 for many things that are not free (a model billed per pixel or per
 * second, a preview nobody priced yet, a placeholder): such an entry is treated as no price, and
 * the call is recorded unpriced. Free are: ids that say so ({@code …:free}, OpenRouter's
 * {@code openrouter/free} router, Together's {@code …-Free}) and models a local runtime serves
 * (Ollama, except its {@code -cloud} models, and Lemonade), which no one bills; and Z.ai's own
 * {@code glm-…-flash} models, which Z.ai serves at no charge on its API (other hosts bill them, at
 * their own prices).
 */
public final class FreeModels {
    private static final Pattern SAYS_FREE = Pattern.compile("(?::free|(?:^|/)free|-free)$");
    private static final java.util.List<String> LOCAL_RUNTIMES = java.util.List.of("ollama", "lemonade");
    private static final Pattern ZAI_FREE_FLASH = Pattern.compile("^(?:zai/)?glm-[0-9.]+-flash$");

    private FreeModels() {}

    /** True when {@code key} (a table key or a model id) on {@code provider} costs nothing by its own account. */
    public static boolean isFree(String key, String provider) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        if (SAYS_FREE.matcher(k).find()) {
            return true;
        }
        String p = provider == null ? "" : provider.trim().toLowerCase(Locale.ROOT);
        return LOCAL_RUNTIMES.contains(p) && !k.contains("cloud");
    }

    /**
     * True when {@code model} is free only where its maker serves it, and {@code provider} is that maker: Z.ai's
     * {@code glm-…-flash} on Z.ai's API. Asked with the call's own provider, so the same model through any other host
     * (which bills it) is never taken for free.
     */
    public static boolean isFreeOnItsMaker(String model, String provider) {
        String p = provider == null ? "" : provider.trim().toLowerCase(Locale.ROOT);
        return p.equals("zai") && ZAI_FREE_FLASH.matcher(model.trim().toLowerCase(Locale.ROOT)).matches();
    }

    /** True when no class of {@code e} (nor of its tiers) has a price above 0: the entry prices nothing. */
    public static boolean pricesNothing(PriceEntry e) {
        if (e.variablePrice()) {
            return false;
        }
        for (BigDecimal p : new BigDecimal[] {e.input(), e.output(), e.cacheRead(), e.cacheWrite(), e.cacheWrite1h(),
                e.reasoning(), e.perRequest(), e.perImage()}) {
            if (p != null && p.signum() > 0) {
                return false;
            }
        }
        for (PriceTier t : e.tiers()) {
            for (BigDecimal p : new BigDecimal[] {t.input(), t.output(), t.cacheRead(), t.cacheWrite(), t.cacheWrite1h()}) {
                if (p != null && p.signum() > 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
