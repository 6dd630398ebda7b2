package dev.plutus.pricing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable set of price entries, looked up by name or alias: first as spelled (lower-cased),
 * then normalized ({@link ModelNames#normalize}). Two entries whose names differ only in spelling
 * ({@code glm-4.5} and {@code glm-4-5}) each keep their own exact name; the normalized form goes
 * to the first, and the clash is listed in {@link #clashes()}.
 */
public final class PriceTable {
    private final Map<String, PriceEntry> byExact;
    private final Map<String, PriceEntry> byName;
    private final List<PriceEntry> entries;
    private final PriceEntry provisionalFallback;
    private final List<String> clashes;

    private PriceTable(Map<String, PriceEntry> byExact, Map<String, PriceEntry> byName, List<PriceEntry> entries,
            PriceEntry provisionalFallback, List<String> clashes) {
        this.byExact = byExact;
        this.byName = byName;
        this.entries = entries;
        this.provisionalFallback = provisionalFallback;
        this.clashes = clashes;
    }

    public static PriceTable empty() {
        return new PriceTable(Map.of(), Map.of(), List.of(), null, List.of());
    }

    /** The same entries, with the price for unknown models of providers that have no known price. */
    public PriceTable withProvisionalFallback(PriceEntry fallback) {
        return new PriceTable(byExact, byName, entries, fallback, clashes);
    }

    public Optional<PriceEntry> provisionalFallback() {
        return Optional.ofNullable(provisionalFallback);
    }

    /** Builds a table; a name or alias given to two different entries is an error (files people write). */
    public static PriceTable of(Collection<PriceEntry> entries, String fileName) {
        return build(entries, fileName, false);
    }

    /** Builds a table from a catalogue: names given twice are resolved one by one and listed in {@link #clashes()}. */
    public static PriceTable lenient(Collection<PriceEntry> entries, String fileName) {
        return build(entries, fileName, true);
    }

    private static PriceTable build(Collection<PriceEntry> entries, String fileName, boolean lenient) {
        Map<String, PriceEntry> byExact = new LinkedHashMap<>();
        Map<String, PriceEntry> byName = new LinkedHashMap<>();
        List<String> clashes = new ArrayList<>();
        for (PriceEntry e : entries) {
            List<String> names = new ArrayList<>();
            names.add(e.key());
            names.addAll(e.aliases());
            for (String n : names) {
                String exact = n.trim().toLowerCase(Locale.ROOT);
                PriceEntry priorExact = byExact.putIfAbsent(exact, e);
                if (priorExact != null && priorExact != e) {
                    if (!lenient) {
                        throw clash(fileName, exact, priorExact, e);
                    }
                    clashes.add("'" + e.key() + "' left out: the name '" + exact + "' is already '" + priorExact.key() + "'");
                    continue;
                }
                String norm = ModelNames.normalize(n);
                PriceEntry prior = byName.putIfAbsent(norm, e);
                if (prior != null && prior != e) {
                    if (!lenient) {
                        throw clash(fileName, norm, prior, e);
                    }
                    clashes.add("'" + prior.key() + "' and '" + e.key() + "' are both '" + norm
                            + "' once normalized; each is priced by its exact name, the normalized name takes '"
                            + prior.key() + "'");
                }
            }
        }
        return new PriceTable(Map.copyOf(byExact), Map.copyOf(byName), List.copyOf(entries), null, List.copyOf(clashes));
    }

    private static dev.plutus.config.ConfigException clash(String fileName, String name, PriceEntry a, PriceEntry b) {
        return new dev.plutus.config.ConfigException(fileName + ": model name '" + name + "' is given to both '"
                + a.key() + "' and '" + b.key() + "'");
    }

    /** The entry with exactly this name (lower-cased), else the one with this normalized name. */
    public Optional<PriceEntry> find(String name) {
        PriceEntry e = byExact.get(name.trim().toLowerCase(Locale.ROOT));
        return Optional.ofNullable(e != null ? e : byName.get(ModelNames.normalize(name)));
    }

    /** Names two entries shared, and how each was resolved (catalogues only). */
    public List<String> clashes() {
        return clashes;
    }

    public List<PriceEntry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }
}
