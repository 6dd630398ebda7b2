package dev.plutus.pricing;

import dev.plutus.core.HomeLayout;
import dev.plutus.config.AtomicFiles;
import dev.plutus.store.MetaStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Refreshes the fetched price table from OpenRouter, at most once per interval (a day by default),
 * into pricing.fetched.yaml. The user's pricing.yaml is never written; its entries win over fetched ones.
 */
public final class PriceRefresher {
    private static final String FETCHED_AT = "pricing_fetched_at";
    private static final String MODE = "pricing_mode";

    /** What a refresh did. */
    public sealed interface Outcome {
        record Fetched(int models, List<String> variablePrice, List<String> problems) implements Outcome {}
        record NotDue(Instant lastFetched) implements Outcome {}
        record Failed(String reason) implements Outcome {}
    }

    private final HomeLayout home;
    private final URI baseUrl;
    private final Duration interval;
    private final MetaStore meta;
    private final PricingEngine engine;

    public PriceRefresher(HomeLayout home, URI baseUrl, Duration interval, MetaStore meta, PricingEngine engine) {
        this.home = home;
        this.baseUrl = baseUrl;
        this.interval = interval;
        this.meta = meta;
        this.engine = engine;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** True once the user chose {@code /setup pricing auto}: the daemon then keeps the table fresh. */
    public boolean autoEnabled() {
        return meta.get(MODE).map("auto"::equals).orElse(false);
    }

    public void setMode(String mode) {
        meta.put(MODE, mode);
    }

    public Optional<Instant> lastFetched() {
        return meta.get(FETCHED_AT).map(Instant::parse);
    }

    public Outcome refresh(Instant now, boolean force) {
        Optional<Instant> last = lastFetched();
        if (!force && last.isPresent() && Duration.between(last.get(), now).compareTo(interval) < 0
                && Files.exists(home.fetchedPricingFile())) {
            return new Outcome.NotDue(last.get());
        }
        List<PriceEntry> entries;
        try {
            entries = new OpenRouterCatalog(baseUrl).fetch(now.toString());
        } catch (IOException e) {
            return new Outcome.Failed("could not fetch prices from OpenRouter (" + baseUrl + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed("interrupted while fetching prices");
        }
        try {
            AtomicFiles.write(home.fetchedPricingFile(), PriceTableWriter.write(entries,
                    "Prices fetched from OpenRouter by /setup pricing auto at " + now
                            + ".\nMachine-owned: rewritten on every refresh. Put your own prices in pricing.yaml; they win."));
        } catch (IOException e) {
            return new Outcome.Failed("could not write " + home.fetchedPricingFile() + ": " + e.getMessage());
        }
        meta.put(FETCHED_AT, now.toString());
        setMode("auto");
        List<String> problems = engine.reload();
        List<String> variable = entries.stream().filter(PriceEntry::variablePrice).map(PriceEntry::key).sorted().toList();
        return new Outcome.Fetched(entries.size(), variable, problems);
    }
}
