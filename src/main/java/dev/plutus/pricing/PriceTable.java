package dev.plutus.pricing;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable set of price entries, looked up by exact normalized name or alias. */
public final class PriceTable {
    private final Map<String, PriceEntry> byName;
    private final List<PriceEntry> entries;
    private final PriceEntry provisionalFallback;

    private PriceTable(Map<String, PriceEntry> byName, List<PriceEntry> entries, PriceEntry provisionalFallback) {
        this.byName = byName;
        this.entries = entries;
        this.provisionalFallback = provisionalFallback;
    }

    public static PriceTable empty() {
        return new PriceTable(Map.of(), List.of(), null);
    }

    /** The same entries, with the price for unknown models of providers that have no known price. */
    public PriceTable withProvisionalFallback(PriceEntry fallback) {
        return new PriceTable(byName, entries, fallback);
    }

    public Optional<PriceEntry> provisionalFallback() {
        return Optional.ofNullable(provisionalFallback);
    }

    /** Builds a table; a name or alias given to two different entries is an error. */
    public static PriceTable of(Collection<PriceEntry> entries, String fileName) {
        Map<String, PriceEntry> byName = new LinkedHashMap<>();
        for (PriceEntry e : entries) {
            put(byName, ModelNames.normalize(e.key()), e, fileName);
            for (String alias : e.aliases()) {
                put(byName, ModelNames.normalize(alias), e, fileName);
            }
        }
        return new PriceTable(Map.copyOf(byName), List.copyOf(entries), null);
    }

    private static void put(Map<String, PriceEntry> byName, String name, PriceEntry e, String fileName) {
        PriceEntry prior = byName.putIfAbsent(name, e);
        if (prior != null && prior != e) {
            throw new dev.plutus.config.ConfigException(fileName + ": model name '" + name + "' is given to both '"
                    + prior.key() + "' and '" + e.key() + "'");
        }
    }

    public Optional<PriceEntry> find(String normalizedName) {
        return Optional.ofNullable(byName.get(normalizedName));
    }

    public List<PriceEntry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }
}
