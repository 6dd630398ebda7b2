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
import java.util.function.Supplier;

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
    private static final String LITELLM_RESOURCE = "/dev/plutus/pricing/builtin/litellm.json";
    private static final String OPENROUTER_RESOURCE = "/dev/plutus/pricing/builtin/openrouter.json";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PricingEngine.class);
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

    /**
     * The layers. The two shipped upstream layers are {@link Supplier}s read on first use: a lookup
     * that a user, fetched or curated entry answers never reads them, so a command that prices
     * nothing, or only well-known models, pays nothing for their thousands of entries.
     * {@code dates}: every instant a price of any layer takes effect, sorted; between two, every lookup
     * is the same. The shipped upstream layers carry no dates ({@link PriceLayerFile} reads none), so
     * the dates come from the other four without reading them.
     */
    private record Tables(PriceTable user, PriceTable fetched, Supplier<PriceTable> openrouterShipped, PriceTable builtin,
                          PriceTable litellmFetched, Supplier<PriceTable> litellm, List<java.time.Instant> dates) {
        Tables(PriceTable user, PriceTable fetched, PriceTable builtin) {
            this(user, fetched, PriceTable::empty, builtin, PriceTable.empty(), PriceTable::empty);
        }

        Tables(PriceTable user, PriceTable fetched, Supplier<PriceTable> openrouterShipped, PriceTable builtin,
                PriceTable litellmFetched, Supplier<PriceTable> litellm) {
            this(user, fetched, openrouterShipped, builtin, litellmFetched, litellm,
                    effectiveDates(List.of(user, fetched, builtin, litellmFetched)));
        }

        /** Which of the periods between {@link #dates} {@code at} falls in: the part of a cache key that time decides. */
        int period(java.time.Instant at) {
            int i = java.util.Collections.binarySearch(dates, at);
            return i >= 0 ? i + 1 : -i - 1;
        }

        private static List<java.time.Instant> effectiveDates(List<PriceTable> layers) {
            java.util.TreeSet<java.time.Instant> out = new java.util.TreeSet<>();
            for (PriceTable t : layers) {
                for (PriceEntry e : t.entries()) {
                    if (e.effectiveFrom() != null) {
                        out.add(e.effectiveFrom());
                    }
                    e.changes().forEach(c -> out.add(c.effectiveFrom()));
                }
            }
            return List.copyOf(out);
        }

        /** Most trusted first. The shipped OpenRouter snapshot only has openrouter/... keys. */
        List<PriceTable> layers() {
            return new java.util.AbstractList<>() {
                @Override
                public PriceTable get(int i) {
                    return switch (i) {
                        case 0 -> user;
                        case 1 -> fetched;
                        case 2 -> openrouterShipped.get();
                        case 3 -> builtin;
                        case 4 -> litellmFetched;
                        case 5 -> litellm.get();
                        default -> throw new IndexOutOfBoundsException(i);
                    };
                }

                @Override
                public int size() {
                    return 6;
                }
            };
        }
    }

    private final HomeLayout home;
    private final ConcurrentHashMap<String, Optional<PriceResolution>> resolved = new ConcurrentHashMap<>();
    private final java.time.Clock clock;
    private final ConcurrentHashMap<String, PriceEntry> standIns = new ConcurrentHashMap<>();
    private volatile Tables tables;
    private volatile long generation;
    private volatile List<String> problems = List.of();

    private PricingEngine(HomeLayout home, Tables tables, java.time.Clock clock) {
        this.home = home;
        this.tables = tables;
        this.clock = clock;
    }

    /** Loads built-in, fetched and user prices. A broken file is reported in {@link #problems()} and left out. */
    public static PricingEngine load(HomeLayout home) {
        return load(home, java.time.Clock.systemUTC());
    }

    /**
     * Loads every layer; {@code clock} dates the calls priced without a timestamp of their own.
     * The shipped upstream layers are read on first use (a lookup the upper layers do not answer).
     */
    public static PricingEngine load(HomeLayout home, java.time.Clock clock) {
        PricingEngine engine = new PricingEngine(home, new Tables(PriceTable.empty(), PriceTable.empty(),
                PricingEngine::openrouterTable, builtinTable(), PriceTable.empty(), PricingEngine::litellmTable), clock);
        engine.reload();
        return engine;
    }

    /** Prices from tables given directly (tests, embedded use). */
    public static PricingEngine of(PriceTable user, PriceTable fetched, PriceTable builtin) {
        return new PricingEngine(null, new Tables(user, fetched, builtin), java.time.Clock.systemUTC());
    }

    /**
     * Every layer given directly, most trusted first: user, fetched OpenRouter, shipped OpenRouter,
     * curated, fetched LiteLLM, shipped LiteLLM.
     */
    public static PricingEngine of(PriceTable user, PriceTable fetched, PriceTable openrouterShipped, PriceTable builtin,
            PriceTable litellmFetched, PriceTable litellm, java.time.Clock clock) {
        return new PricingEngine(null, new Tables(user, fetched, () -> openrouterShipped, builtin, litellmFetched, () -> litellm),
                clock);
    }

    /** The shipped snapshot of OpenRouter's /models (pricing/openrouter.json), parsed once per process. */
    public static PriceTable openrouterTable() {
        return ShippedOpenRouter.TABLE;
    }

    private static final class ShippedOpenRouter {
        static final PriceTable TABLE = readShipped(OPENROUTER_RESOURCE, "pricing/openrouter.json", PriceOrigin.OPENROUTER_SHIPPED);
    }

    /**
     * The shipped LiteLLM layer (pricing/litellm.json, converted from LiteLLM's map; see
     * pricing/LITELLM-PROVENANCE.md). Parsed once per process: it is immutable.
     */
    public static PriceTable litellmTable() {
        return ShippedLiteLlm.TABLE;
    }

    private static final class ShippedLiteLlm {
        static final PriceTable TABLE = readLitellm();
    }

    private static PriceTable readLitellm() {
        return readShipped(LITELLM_RESOURCE, "pricing/litellm.json", PriceOrigin.LITELLM);
    }

    private static PriceTable readShipped(String resource, String name, PriceOrigin origin) {
        try (InputStream in = PricingEngine.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("price layer missing from the build: " + resource);
            }
            PriceLayerFile.Loaded loaded = PriceLayerFile.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), name, origin);
            // PriceLayersTest keeps the shipped layers free of such entries; a build that has some still prices the rest.
            loaded.skipped().forEach(s -> LOG.warn("{}: entry left out: {}", name, s));
            return loaded.table();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file {@code /setup pricing auto} writes LiteLLM's fetched map to. */
    public static Path litellmFetchedFile(HomeLayout home) {
        return home.dir().resolve("pricing.litellm.yaml");
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
        PriceTable litellmFetched = readOr(litellmFetchedFile(home), PriceOrigin.LITELLM_FETCHED, t.litellmFetched(), errors);
        // A broken rule in the user's own prices is a warning, not a refusal: their prices still hold.
        for (String w : PriceInvariants.check(user)) {
            LOG.warn("{}: {}", home.pricingFile(), w);
        }
        // Into plutus.log too, not only the console of whoever ran the command.
        errors.forEach(e -> LOG.warn("pricing: {}", e));
        tables = new Tables(user, fetched, t.openrouterShipped(), t.builtin(), litellmFetched, t.litellm());
        resolved.clear();
        standIns.clear();
        generation++;
        problems = List.copyOf(errors);
        return problems;
    }

    private static PriceTable readOr(Path file, PriceOrigin origin, PriceTable lastGood, List<String> errors) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (origin != PriceOrigin.USER && PriceLayerFile.isJson(text)) {
                PriceLayerFile.Loaded loaded = PriceLayerFile.read(text, file.toString(), origin);
                if (!loaded.skipped().isEmpty()) {
                    errors.add(file + ": " + loaded.skipped().size() + " entries left out, e.g. "
                            + String.join("; ", loaded.skipped().subList(0, Math.min(3, loaded.skipped().size()))));
                }
                return loaded.table();
            }
            // Fetched files written before they were JSON, or edited by hand, are YAML tables.
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
        String now = stampOf(home.pricingFile()) + "|" + stampOf(home.fetchedPricingFile()) + "|"
                + stampOf(litellmFetchedFile(home));
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

    /** The entry a call to {@code model} on {@code provider} made now is priced by, if any. */
    public Optional<PriceEntry> resolve(String provider, String model) {
        return resolution(provider, model).map(PriceResolution::entry);
    }

    /** How a call to {@code model} on {@code provider} made now finds its price, if it does. */
    public Optional<PriceResolution> resolution(String provider, String model) {
        return resolution(provider, model, clock.instant());
    }

    /**
     * How a call to {@code model} on {@code provider} made at {@code at} finds its price: entries
     * not yet in force at {@code at} are passed over. Cached per dated period of the tables.
     */
    public Optional<PriceResolution> resolution(String provider, String model, java.time.Instant at) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        provider = ModelNames.impliedHost(provider, model);
        Tables t = tables;
        String cacheKey = (provider == null ? "" : provider) + '\u0000' + model + '\u0000' + t.period(at);
        Optional<PriceResolution> hit = resolved.get(cacheKey);
        if (hit != null) {
            return hit;
        }
        Optional<PriceResolution> found = resolve(provider, model, t.layers(), at);
        // A user entry is checked again merged with what it inherits: a class it took from below
        // may break a rule against its own input (cache read above input, say). Logged once per model and period.
        found.ifPresent(r -> mergedWarnings(r, at).forEach(w -> LOG.warn("{}: {}", home == null ? "pricing.yaml"
                : home.pricingFile(), w)));
        if (resolved.size() >= RESOLUTION_CACHE_LIMIT) {
            resolved.clear();
        }
        resolved.put(cacheKey, found);
        return found;
    }

    /**
     * The lookup, then the user-family rule: when the layers below the user's price the exact
     * (dated) name and the user prices only its undated name, the user's price holds if the lower
     * layer's dated entry is the same model at the same price as its undated one (an alias, or a
     * copy); a dated model with a price of its own keeps it. Then OpenRouter's {@code :free}.
     */
    private static Optional<PriceResolution> resolve(String provider, String model, List<PriceTable> layers,
            java.time.Instant at) {
        Optional<PriceResolution> found = lookup(provider, model, layers, at);
        if (found.isPresent() && found.get().match() == PriceResolution.Match.EXACT
                && found.get().entry().origin() != PriceOrigin.USER) {
            Optional<PriceResolution> user = lookup(provider, model, layers.subList(0, 1), at)
                    .filter(u -> u.entry().origin() == PriceOrigin.USER && u.match() == PriceResolution.Match.UNDATED);
            if (user.isPresent()) {
                return Optional.of(userFamily(provider, found.get(), user.get(), layers, at));
            }
        }
        return found.isPresent() ? found.map(r -> afterCuratedChange(provider, model, r, layers, at)) : freeVariant(provider, model);
    }

    /**
     * A curated dated change beats a price recorded before it that stands for the same maker's
     * price: when the curated entry for the model (at least as close a match) has a change (or
     * {@code effective_from}) in force at {@code at} that took effect after the date the found
     * price was recorded ({@code as_of}, or its own later {@code effective_from}), the curated
     * prices hold. That applies to an OpenRouter layer's entry (OpenRouter lists the maker's price
     * and a recorded copy does not follow its changes) and to a maker's price standing in for a
     * host; a host's own price (Fireworks', Azure's) is the host's business and keeps holding, and so
     * does any price recorded on or after the change. The user's prices always hold.
     */
    private static PriceResolution afterCuratedChange(String provider, String model, PriceResolution found,
            List<PriceTable> layers, java.time.Instant at) {
        PriceEntry e = found.entry();
        boolean mirrorsMaker = e.origin() == PriceOrigin.FETCHED || e.origin() == PriceOrigin.OPENROUTER_SHIPPED
                || (found.makerFallback() && e.origin() != PriceOrigin.BUILTIN);
        if (e.origin() == PriceOrigin.USER || !mirrorsMaker || found.match() == PriceResolution.Match.RULE) {
            return found;
        }
        Optional<PriceResolution> curated = lookup(provider, model, layers.subList(PriceOrigin.BUILTIN.ordinal(),
                PriceOrigin.BUILTIN.ordinal() + 1), at);
        if (curated.isEmpty() || curated.get().match().compareTo(found.match()) > 0) {
            return found;
        }
        java.time.Instant changed = curated.get().entry().periodAt(at).effectiveFrom();
        java.time.Instant recorded = recordedAt(e, at);
        if (changed == null || (recorded != null && !recorded.isBefore(changed))) {
            return found;
        }
        PriceResolution c = curated.get();
        String rule = "the curated '" + c.entry().key() + "' changed its price on " + changed + ", after the "
                + e.origin().layerName() + " price of '" + e.key() + "' was recorded"
                + (e.asOf() == null ? " (undated)" : " (" + e.asOf() + ")") + ", which still shows the price before;"
                + " the curated price from that date is used" + (c.makerFallback()
                ? " (the maker's price, standing in for " + provider + "'s, flagged 'price from maker')" : "");
        return new PriceResolution(c.entry(), c.matchedName(), c.inheritsFrom(), c.makerFallback(), provider, c.match(), rule,
                c.regionFallback(), c.variant());
    }

    /** When {@code e}'s prices in force at {@code at} were recorded: the later of its as_of day and its period's start. */
    private static java.time.Instant recordedAt(PriceEntry e, java.time.Instant at) {
        java.time.Instant asOf = null;
        if (e.asOf() != null) {
            try {
                asOf = java.time.LocalDate.parse(e.asOf().length() > 10 ? e.asOf().substring(0, 10) : e.asOf())
                        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (java.time.DateTimeException notADate) {
                asOf = null;
            }
        }
        java.time.Instant from = e.periodAt(at).effectiveFrom();
        if (asOf == null) {
            return from;
        }
        return from == null || asOf.isAfter(from) ? asOf : from;
    }

    private static PriceResolution userFamily(String provider, PriceResolution dated, PriceResolution user,
            List<PriceTable> layers, java.time.Instant at) {
        String layer = dated.entry().origin().layerName();
        Optional<PriceEntry> undated = lookup(provider, user.matchedName(), layers.subList(1, layers.size()), at)
                .map(PriceResolution::entry);
        boolean sameModel = undated.isPresent() && (undated.get() == dated.entry()
                || samePrices(undated.get().pricesAt(at), dated.entry().pricesAt(at)));
        if (!sameModel) {
            String why = "the " + layer + " layer prices the dated model '" + dated.matchedName() + "' at its own price"
                    + (undated.isPresent() ? ", unlike its '" + undated.get().key() + "'" : "")
                    + "; your pricing.yaml '" + user.entry().key() + "' names another model and is not used";
            return new PriceResolution(dated.entry(), dated.matchedName(), dated.inheritsFrom(), dated.makerFallback(),
                    provider, dated.match(), why, dated.regionFallback(), dated.variant());
        }
        String why = "your pricing.yaml '" + user.entry().key() + "' prices '" + dated.matchedName() + "': the " + layer
                + " layer lists that date as the same model at the same price ('" + dated.entry().key() + "')";
        PriceEntry lower = user.entry().defaulted().isEmpty() ? null : dated.entry();
        return new PriceResolution(user.entry(), user.matchedName(), lower, user.makerFallback(), provider,
                PriceResolution.Match.UNDATED, why, false);
    }

    /** Same prices in every class and tier: a dated id that is merely another name of the undated model. */
    private static boolean samePrices(PriceEntry a, PriceEntry b) {
        return same(a.input(), b.input()) && same(a.output(), b.output()) && same(a.cacheRead(), b.cacheRead())
                && same(a.cacheWrite(), b.cacheWrite()) && same(a.cacheWrite1h(), b.cacheWrite1h())
                && same(a.reasoning(), b.reasoning()) && same(a.perRequest(), b.perRequest())
                && same(a.perImage(), b.perImage()) && a.variablePrice() == b.variablePrice()
                && sameTiers(a.tiers(), b.tiers());
    }

    private static boolean sameTiers(List<PriceTier> a, List<PriceTier> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            PriceTier x = a.get(i);
            PriceTier y = b.get(i);
            if (x.abovePromptTokens() != y.abovePromptTokens() || !same(x.input(), y.input()) || !same(x.output(), y.output())
                    || !same(x.cacheRead(), y.cacheRead()) || !same(x.cacheWrite(), y.cacheWrite())
                    || !same(x.cacheWrite1h(), y.cacheWrite1h())) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    /**
     * Level by level (exact names, undated names, loose forms), and within a level the host's own
     * price in any layer before the maker's price in any layer; within those, the most trusted
     * layer first. An entry not yet in force at {@code at} is passed over. A user entry that omits
     * classes takes them from the entry the layers below would have used.
     */
    private static Optional<PriceResolution> lookup(String provider, String model, List<PriceTable> layers,
            java.time.Instant at) {
        List<String> hosts = ModelNames.hostNames(provider);
        String region = ModelNames.regionPrefix(model);
        String variant = ModelNames.flaggedVariant(model);
        List<List<String>> levels = ModelNames.lookupLevels(provider, model);
        for (int lv = 0; lv < levels.size(); lv++) {
            PriceResolution.Match match = PriceResolution.Match.values()[lv];
            for (boolean hostOnly : hosts.isEmpty() ? List.of(false) : List.of(true, false)) {
                for (int i = 0; i < layers.size(); i++) {
                    for (String name : levels.get(lv)) {
                        Optional<PriceEntry> e = layers.get(i).find(name);
                        if (e.isEmpty() || !e.get().inForceAt(at)) {
                            continue;
                        }
                        // custom names an endpoint with no price list of its own: only your provider-less price is its own.
                        boolean host = ModelNames.pricelessHost(provider)
                                ? e.get().origin() == PriceOrigin.USER && e.get().provider() == null
                                : hosts.isEmpty() || ModelNames.isHostPrice(e.get(), name, hosts);
                        if (hostOnly && !host) {
                            continue;
                        }
                        PriceEntry lower = null;
                        if (!e.get().defaulted().isEmpty() && e.get().origin() == PriceOrigin.USER) {
                            lower = lookup(provider, model, layers.subList(i + 1, layers.size()), at)
                                    .map(PriceResolution::entry).orElse(null);
                        }
                        boolean regional = match == PriceResolution.Match.LOOSE && ModelNames.dropsRegion(name, region);
                        String baseOf = match == PriceResolution.Match.LOOSE && ModelNames.dropsVariant(name, variant)
                                ? variant : null;
                        return Optional.of(new PriceResolution(e.get(), name, lower, !host, provider, match,
                                rule(match, e.get(), name, !host, regional, region, provider, baseOf), regional, baseOf));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String rule(PriceResolution.Match match, PriceEntry e, String name, boolean makerFallback,
            boolean regional, String region, String provider, String variant) {
        String layer = e.origin().layerName();
        String r = switch (match) {
            case EXACT -> "exact name '" + name + "' in the " + layer + " layer";
            case UNDATED -> "name without its release date, '" + name + "', in the " + layer + " layer (no layer has the dated name)";
            default -> regional
                    ? "Bedrock region prefix '" + region + ".' removed: no layer lists the regional id, so the global price of '"
                            + name + "' (" + layer + ") stands in; regional prices are often higher, the call is flagged"
                            + " 'price estimated'"
                    : variant != null
                    ? "variant suffix '" + variant + "' removed: no layer lists the variant, so the base model's price of '"
                            + name + "' (" + layer + ") stands in; a variant may be billed more (':exacto' is, and"
                            + " OpenRouter's qwen-plus-2025-07-28:thinking is $0.40/$1.20 against $0.26/$0.78), the call is"
                            + " flagged 'price estimated'"
                    : "loose form '" + name + "' of the same model in the " + layer + " layer (no layer has the exact name)";
        };
        return makerFallback ? r + "; no " + provider + " price for it in any layer, so the maker's ("
                + (e.provider() == null ? "unnamed" : e.provider()) + ") price stands in for " + provider
                + "'s (flagged 'price from maker'; add " + provider + "'s price to pricing.yaml)" : r;
    }

    /**
     * OpenRouter's {@code :free} variants cost nothing by definition; an unlisted one is still priced
     * $0, not unpriced. Only through OpenRouter: another host's {@code :free} id is unknown, never $0.
     */
    private static Optional<PriceResolution> freeVariant(String provider, String model) {
        String m = model.trim().toLowerCase(java.util.Locale.ROOT);
        boolean viaOpenRouter = ModelNames.hostNames(provider).contains("openrouter")
                || ((provider == null || provider.isBlank()) && m.startsWith("openrouter/"));
        if (!m.endsWith(":free") || !viaOpenRouter) {
            return Optional.empty();
        }
        PriceEntry free = new PriceEntry(model.trim(), "openrouter", BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, BigDecimal.ZERO, null, List.of(), List.of(), false,
                "rule: OpenRouter bills ':free' model variants $0", null, PriceOrigin.BUILTIN);
        return Optional.of(new PriceResolution(free, model.trim(), null, false, "openrouter", PriceResolution.Match.RULE,
                "rule: OpenRouter bills ':free' variants $0 (no layer lists this one)", false));
    }

    /**
     * Prices a call at the engine clock's current time; see {@link #price(String, String, String, TokenUsage, java.time.Instant, long)}.
     */
    public CallCost price(String provider, String model, String responseModel, TokenUsage usage) {
        return price(provider, model, responseModel, usage, clock.instant(), 0);
    }

    /**
     * The resolution a call is priced by: of the served model and the configured one, the closer
     * match (an exact name beats an undated one, which beats a loose form), the served model when equally close.
     */
    public Optional<PriceResolution> chosen(String provider, String model, String responseModel, java.time.Instant at) {
        Optional<PriceResolution> served = responseModel == null || responseModel.isBlank() ? Optional.empty()
                : resolution(provider, responseModel, at);
        Optional<PriceResolution> configured = resolution(provider, model, at);
        if (served.isEmpty()) {
            return configured;
        }
        if (configured.isPresent() && configured.get().match().compareTo(served.get().match()) < 0) {
            return configured;
        }
        return served;
    }

    /**
     * Prices a call by the closer match of the served and the configured model (see {@link #chosen}),
     * at the prices in force at {@code at} (the call's own time), counting a per-request price once
     * and a per-image price {@code images} times. Unknown and variable-price models come back
     * unpriced, with the reason, and so does a model billed only per image when the call reported
     * no image (never a priced $0 call); a stand-in price (maker's, global) is flagged.
     */
    public CallCost price(String provider, String model, String responseModel, TokenUsage usage, java.time.Instant at,
            long images) {
        Optional<PriceResolution> r = chosen(provider, model, responseModel, at);
        if (r.isEmpty()) {
            return CallCost.unpriced("no price for model '" + model + "'", null);
        }
        PriceEntry entry = r.get().entry();
        if (entry.variablePrice()) {
            return CallCost.unpriced("model '" + entry.key() + "' has a variable price", entry);
        }
        PriceEntry prices = r.get().pricesAt(at);
        if (pricesNothingUnlessFree(r.get(), prices)) {
            return CallCost.unpriced("the " + entry.origin().layerName() + " entry '" + entry.key() + "' lists no price above 0"
                    + " and nothing says the model is free; add its price to pricing.yaml", entry);
        }
        BigDecimal usd = CostCalculator.exactUsd(prices, usage, images);
        if (usd.signum() == 0 && uncountedImages(prices, images)) {
            return CallCost.unpriced("model '" + entry.key() + "' is billed per image ("
                    + prices.perImage().toPlainString() + " USD) and the call reported no image count", entry);
        }
        String standIn = r.get().estimateMark();
        if ((standIn.isEmpty() || standIn.equals(CallCost.MAKER_PRICE_MARK)) && billsEstimatedClass(prices, usage, images)) {
            // A maker's price billed in an estimated class is both: neither flag may hide the other.
            return CallCost.of(usd, entry).withEstimatedPrice(true, standIn.isEmpty() ? CallCost.ESTIMATED_PRICE_MARK
                    : CallCost.MAKER_AND_ESTIMATED_MARK);
        }
        return CallCost.of(usd, entry).withEstimatedPrice(r.get().estimatedPrice(), r.get().estimateMark());
    }

    /**
     * True when a machine-written layer's entry prices nothing (every class 0) for a model that is
     * not free by its own account ({@link FreeModels}): a source's 0 is no price, so the call is unpriced.
     */
    private static boolean pricesNothingUnlessFree(PriceResolution r, PriceEntry prices) {
        PriceOrigin o = r.entry().origin();
        return o != PriceOrigin.USER && o != PriceOrigin.BUILTIN && r.match() != PriceResolution.Match.RULE
                && FreeModels.pricesNothing(prices) && !FreeModels.isFree(r.entry().key(), r.entry().provider())
                && !FreeModels.isFree(r.matchedName(), r.provider()) && !FreeModels.isFreeOnItsMaker(r.matchedName(), r.provider());
    }

    /** True when the call is billed tokens of a class its prices mark as an estimate. */
    private static boolean billsEstimatedClass(PriceEntry prices, TokenUsage usage, long images) {
        if (prices.estimated().isEmpty()) {
            return false;
        }
        for (CostCalculator.ClassCost c : CostCalculator.breakdown(prices, usage, images)) {
            if (c.count() > 0 && prices.estimated().contains(c.billedClass())) {
                return true;
            }
        }
        return false;
    }

    /** A model billed per image with no token or request price, for a call whose images were not counted. */
    private static boolean uncountedImages(PriceEntry prices, long images) {
        return images == 0 && prices.perImage() != null && prices.perImage().signum() > 0
                && prices.input().signum() == 0 && prices.output().signum() == 0
                && (prices.perRequest() == null || prices.perRequest().signum() == 0);
    }

    /** The chain behind {@link #price(String, String, String, TokenUsage, java.time.Instant, long)}, for {@code plutus price --explain}. */
    public PriceExplanation explain(String provider, String model, String responseModel, TokenUsage usage,
            java.time.Instant at, long images) {
        CallCost cost = price(provider, model, responseModel, usage, at, images);
        Optional<PriceResolution> r = chosen(provider, model, responseModel, at);
        List<String> later = notYetInForce(provider, model, at);
        if (responseModel != null && !responseModel.isBlank()) {
            notYetInForce(provider, responseModel, at).stream().filter(n -> !later.contains(n)).forEach(later::add);
        }
        if (r.isEmpty() || !cost.priced()) {
            return new PriceExplanation(at, r.orElse(null), null, null, null, List.of(), cost, List.of(), later);
        }
        PriceEntry period = r.get().entry().periodAt(at);
        PriceEntry prices = r.get().pricesAt(at);
        List<String> warnings = new ArrayList<>(r.get().corrections(at));
        warnings.addAll(mergedWarnings(r.get(), at));
        return new PriceExplanation(at, r.get(), period, period.windowAt(at), prices.tierFor(usage.promptTokens()),
                CostCalculator.breakdown(prices, usage, images), cost, warnings, later);
    }

    /**
     * The price rules broken by a user entry merged with the classes it inherits (the prices a call
     * pays), or empty when it inherits nothing: the user's own classes are checked at load.
     */
    static List<String> mergedWarnings(PriceResolution r, java.time.Instant at) {
        if (r.inheritsFrom() == null) {
            return List.of();
        }
        PriceEntry merged = r.pricesAt(at);
        return PriceInvariants.check(new PriceEntry(r.entry().key() + " (with what it inherits from "
                + r.inheritsFrom().origin().layerName() + " '" + r.inheritsFrom().key() + "')", merged.provider(), merged.input(),
                merged.output(), merged.cacheRead(), merged.cacheWrite(), merged.cacheWrite1h(), merged.reasoning(),
                merged.tiers(), List.of(), merged.variablePrice(), merged.source(), merged.asOf(), merged.origin()));
    }

    /** Entries for {@code model} that take effect after {@code at}: "layer entry 'key' starts T". */
    private List<String> notYetInForce(String provider, String model, java.time.Instant at) {
        List<String> out = new ArrayList<>();
        List<PriceTable> layers = tables.layers();
        for (List<String> level : ModelNames.lookupLevels(provider, model)) {
            for (int i = 0; i < layers.size(); i++) {
                for (String name : level) {
                    Optional<PriceEntry> e = layers.get(i).find(name);
                    if (e.isPresent() && !e.get().inForceAt(at)) {
                        String n = e.get().origin().layerName() + " entry '" + e.get().key() + "' starts "
                                + e.get().effectiveFrom() + " (its effective_from), after this call";
                        if (!out.contains(n)) {
                            out.add(n);
                        }
                    }
                }
            }
        }
        return out;
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
            // The LiteLLM layers stay out: thousands of hosts' prices, not the provider's own list.
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

    public int openrouterShippedEntries() {
        return tables.openrouterShipped().get().size();
    }

    /** The keys of the fetched OpenRouter table in force (else the shipped one) whose price is variable, sorted. */
    public List<String> variablePriceModels() {
        PriceTable t = tables.fetched().size() > 0 ? tables.fetched() : tables.openrouterShipped().get();
        return t.entries().stream().filter(PriceEntry::variablePrice).map(PriceEntry::key).sorted().toList();
    }

    public int litellmEntries() {
        return tables.litellm().get().size();
    }

    public int litellmFetchedEntries() {
        return tables.litellmFetched().size();
    }

    /**
     * Every layer a lookup consults, in the order it does, with its entry count ("user (0)",
     * "openrouter-shipped (400)", ...): {@link PriceOrigin}'s order is the layers' order.
     */
    public List<String> layersConsulted() {
        List<PriceTable> layers = tables.layers();
        List<String> out = new ArrayList<>();
        for (PriceOrigin o : PriceOrigin.values()) {
            out.add(o.layerName() + " (" + layers.get(o.ordinal()).size() + ")");
        }
        return out;
    }

    /** Names two entries of a fetched or converted catalogue shared, and how each was resolved. */
    public List<String> clashes() {
        Tables t = tables;
        List<String> out = new ArrayList<>();
        t.fetched().clashes().forEach(c -> out.add("openrouter: " + c));
        t.litellmFetched().clashes().forEach(c -> out.add("litellm-fetched: " + c));
        t.litellm().get().clashes().forEach(c -> out.add("litellm: " + c));
        return out;
    }
}
