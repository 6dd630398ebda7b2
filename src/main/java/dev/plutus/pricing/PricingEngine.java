package dev.plutus.pricing;

import dev.plutus.core.HomeLayout;
import dev.plutus.core.TokenUsage;
import dev.plutus.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prices calls. A lookup tries the user's pricing.yaml first, then fetched prices, then the
 * built-in table; in each, the most specific name first (provider-qualified, then with leading
 * path segments removed, each then without a release date). Nothing matches by prefix, so an
 * unknown model is reported unpriced instead of being charged as some other model.
 *
 * <p>Under {@code on_unpriced: provisional} an unpriced call is still counted, at a stand-in price
 * ({@link #provisional}): the dearest model the same provider has in the tables, else the fallback.
 */
public final class PricingEngine {
    private static final String BUILTIN_RESOURCE = "/dev/plutus/pricing/builtin/models.yaml";
    private static final int RESOLUTION_CACHE_LIMIT = 10_000;
    /** The key a fallback price is reported under (price_entry of the calls it priced). */
    public static final String FALLBACK_KEY = "provisional-fallback";
    /**
     * The stand-in for a provider with no known price, unless pricing.yaml sets
     * {@code provisional_fallback}: USD 15 in / 75 out per million tokens, about what the dearest
     * frontier models cost, so an unknown model is rather over- than under-counted.
     */
    public static final PriceEntry DEFAULT_FALLBACK = new PriceEntry(FALLBACK_KEY, null, new BigDecimal("15"),
            new BigDecimal("75"), new BigDecimal("1.5"), new BigDecimal("18.75"), new BigDecimal("30"), null, List.of(),
            List.of(), false, "Plutus default provisional price", null, PriceOrigin.BUILTIN);
    /** Hermes's provider ids whose models the tables list under another provider name. */
    private static final Map<String, String> TABLE_PROVIDER = Map.of("gemini", "google", "openai-codex", "openai");

    private record Tables(PriceTable user, PriceTable fetched, PriceTable builtin) {}

    private final HomeLayout home;
    private final ConcurrentHashMap<String, Optional<PriceEntry>> resolved = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, PriceEntry> standIns = new ConcurrentHashMap<>();
    private volatile Tables tables;
    private volatile long generation;
    private volatile List<String> problems = List.of();

    private PricingEngine(HomeLayout home, Tables tables) {
        this.home = home;
        this.tables = tables;
    }

    /** Loads built-in, fetched and user prices. A broken file is reported in {@link #problems()} and left out. */
    public static PricingEngine load(HomeLayout home) {
        PricingEngine engine = new PricingEngine(home, new Tables(PriceTable.empty(), PriceTable.empty(), builtinTable()));
        engine.reload();
        return engine;
    }

    /** Prices from tables given directly (tests, embedded use). */
    public static PricingEngine of(PriceTable user, PriceTable fetched, PriceTable builtin) {
        return new PricingEngine(null, new Tables(user, fetched, builtin));
    }

    public static PriceTable builtinTable() {
        try (InputStream in = PricingEngine.class.getResourceAsStream(BUILTIN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("built-in price table missing from the build: " + BUILTIN_RESOURCE);
            }
            return PriceTableParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "pricing/models.yaml",
                    PriceOrigin.BUILTIN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Re-reads pricing.yaml and the fetched prices. A file that fails to parse keeps the prices
     * that were in force before; the errors are returned and kept in {@link #problems()}.
     */
    public synchronized List<String> reload() {
        if (home == null) {
            return List.of();
        }
        List<String> errors = new ArrayList<>();
        Tables t = tables;
        PriceTable user = readOr(home.pricingFile(), PriceOrigin.USER, t.user(), errors);
        PriceTable fetched = readOr(home.fetchedPricingFile(), PriceOrigin.FETCHED, t.fetched(), errors);
        tables = new Tables(user, fetched, t.builtin());
        resolved.clear();
        standIns.clear();
        generation++;
        problems = List.copyOf(errors);
        return problems;
    }

    private static PriceTable readOr(Path file, PriceOrigin origin, PriceTable lastGood, List<String> errors) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return PriceTableParser.parse(text, file.toString(), origin);
        } catch (NoSuchFileException e) {
            return PriceTable.empty();
        } catch (IOException e) {
            errors.add(file + ": cannot read: " + e.getMessage());
            return lastGood;
        } catch (ConfigException e) {
            errors.add(e.getMessage());
            return lastGood;
        }
    }

    private volatile String stamp = "";

    /** Re-reads the price files when either changed on disk; returns the errors of that reload. */
    public List<String> reloadIfChanged() {
        if (home == null) {
            return List.of();
        }
        String now = stampOf(home.pricingFile()) + "|" + stampOf(home.fetchedPricingFile());
        if (now.equals(stamp)) {
            return List.of();
        }
        stamp = now;
        return reload();
    }

    private static String stampOf(Path file) {
        try {
            var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return a.size() + "@" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return "absent";
        }
    }

    public List<String> problems() {
        return problems;
    }

    public Optional<PriceEntry> resolve(String provider, String model) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        String cacheKey = (provider == null ? "" : provider) + '\u0000' + model;
        Optional<PriceEntry> hit = resolved.get(cacheKey);
        if (hit != null) {
            return hit;
        }
        Optional<PriceEntry> found = lookup(provider, model);
        if (resolved.size() >= RESOLUTION_CACHE_LIMIT) {
            resolved.clear();
        }
        resolved.put(cacheKey, found);
        return found;
    }

    private Optional<PriceEntry> lookup(String provider, String model) {
        Tables t = tables;
        List<String> names = ModelNames.candidates(provider, model);
        for (PriceTable table : List.of(t.user(), t.fetched(), t.builtin())) {
            for (String name : names) {
                Optional<PriceEntry> e = table.find(name);
                if (e.isPresent()) {
                    return e;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Prices a call by the served model when the provider reported one, else by the configured
     * model. Unknown and variable-price models come back unpriced, with the reason.
     */
    public CallCost price(String provider, String model, String responseModel, TokenUsage usage) {
        Optional<PriceEntry> entry = Optional.empty();
        if (responseModel != null && !responseModel.isBlank()) {
            entry = resolve(provider, responseModel);
        }
        if (entry.isEmpty()) {
            entry = resolve(provider, model);
        }
        if (entry.isEmpty()) {
            return CallCost.unpriced("no price for model '" + model + "'", null);
        }
        if (entry.get().variablePrice()) {
            return CallCost.unpriced("model '" + entry.get().key() + "' has a variable price", entry.get());
        }
        return CallCost.of(CostCalculator.exactUsd(entry.get(), usage), entry.get());
    }

    /**
     * The price of a call the tables could not price, to count it by until a real price is known:
     * the provider's dearest model (highest output price, then input price) among the entries a
     * lookup would use, else pricing.yaml's {@code provisional_fallback}, else {@link #DEFAULT_FALLBACK}.
     */
    public CallCost provisional(String provider, TokenUsage usage, String unpricedReason) {
        PriceEntry standIn = standIn(provider);
        return CallCost.provisional(CostCalculator.exactUsd(standIn, usage), standIn, unpricedReason);
    }

    /** The entry {@link #provisional} prices this provider's unknown models at. */
    public PriceEntry standIn(String provider) {
        String p = provider == null ? "" : ModelNames.normalize(provider);
        return standIns.computeIfAbsent(TABLE_PROVIDER.getOrDefault(p, p), this::dearest);
    }

    private PriceEntry dearest(String provider) {
        Tables t = tables;
        java.util.Set<String> seen = new java.util.HashSet<>();
        PriceEntry best = null;
        for (PriceTable table : List.of(t.user(), t.fetched(), t.builtin())) {
            for (PriceEntry e : table.entries()) {
                // An entry a higher table overrides is not a price any call pays.
                if (!seen.add(ModelNames.normalize(e.key())) || e.variablePrice() || e.provider() == null
                        || provider.isEmpty() || !ModelNames.normalize(e.provider()).equals(provider)) {
                    continue;
                }
                if (best == null || DEAREST.compare(e, best) > 0) {
                    best = e;
                }
            }
        }
        return best != null ? best : t.user().provisionalFallback().orElse(DEFAULT_FALLBACK);
    }

    private static final java.util.Comparator<PriceEntry> DEAREST = java.util.Comparator
            .comparing(PriceEntry::output).thenComparing(PriceEntry::input)
            .thenComparing(PriceEntry::key, java.util.Comparator.reverseOrder());

    /** Counts reloads of the price files: a change means stored provisional calls may price differently now. */
    public long generation() {
        return generation;
    }

    public int userEntries() {
        return tables.user().size();
    }

    public int fetchedEntries() {
        return tables.fetched().size();
    }

    public int builtinEntries() {
        return tables.builtin().size();
    }
}
