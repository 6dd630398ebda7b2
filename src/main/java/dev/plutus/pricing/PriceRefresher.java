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
 * Refreshes the fetched price tables, at most once per interval (a day by default): OpenRouter's
 * {@code /models} into pricing.fetched.yaml and LiteLLM's price map into pricing.litellm.yaml (a
 * newer copy of the shipped LiteLLM layer, still beneath the curated table). The user's
 * pricing.yaml is never written; its entries win over fetched ones. What is reported is what
 * loaded after the write, never only what was downloaded.
 */
public final class PriceRefresher {
    private static final String FETCHED_AT = "pricing_fetched_at";
    private static final String MODE = "pricing_mode";

    /** What a refresh did. */
    public sealed interface Outcome {
        /**
         * {@code models} OpenRouter models fetched and {@code loaded} of them in force after the reload;
         * {@code litellmModels}/{@code litellmLoaded} the same for LiteLLM's map (-1: not fetched, see
         * {@code litellmProblem}); {@code clashes} names two ids shared and how each was resolved.
         */
        record Fetched(int models, int loaded, int litellmModels, int litellmLoaded, String litellmProblem,
                       List<String> variablePrice, List<String> clashes, List<String> problems) implements Outcome {
            public Fetched(int models, List<String> variablePrice, List<String> problems) {
                this(models, models, -1, -1, null, variablePrice, List.of(), problems);
            }
        }
        record NotDue(Instant lastFetched) implements Outcome {}
        record Failed(String reason) implements Outcome {}
    }

    private final HomeLayout home;
    private final URI baseUrl;
    private final URI litellmUrl;
    private final Duration interval;
    private final MetaStore meta;
    private final PricingEngine engine;

    public PriceRefresher(HomeLayout home, URI baseUrl, Duration interval, MetaStore meta, PricingEngine engine) {
        this(home, baseUrl, null, interval, meta, engine);
    }

    /** {@code litellmUrl} null: LiteLLM's map is not fetched. */
    public PriceRefresher(HomeLayout home, URI baseUrl, URI litellmUrl, Duration interval, MetaStore meta,
            PricingEngine engine) {
        this.home = home;
        this.baseUrl = baseUrl;
        this.litellmUrl = litellmUrl;
        this.interval = interval;
        this.meta = meta;
        this.engine = engine;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public URI litellmUrl() {
        return litellmUrl;
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
        int litellmModels = -1;
        String litellmProblem = null;
        if (litellmUrl != null) {
            try {
                LiteLlmCatalog.Conversion c = LiteLlmCatalog.convert(LiteLlmCatalog.fetch(litellmUrl),
                        now.toString(), PriceOrigin.LITELLM_FETCHED);
                AtomicFiles.write(PricingEngine.litellmFetchedFile(home), PriceTableWriter.write(c.entries(),
                        "LiteLLM's price map (BerriAI/litellm, MIT data) fetched from " + litellmUrl + " by /setup pricing auto at "
                                + now + ".\nMachine-owned: rewritten on every refresh. The curated table and pricing.yaml win over it."));
                litellmModels = c.entries().size();
            } catch (IOException e) {
                litellmProblem = "could not fetch LiteLLM's price map (" + litellmUrl + "): " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                litellmProblem = "interrupted while fetching LiteLLM's price map";
            }
        }
        meta.put(FETCHED_AT, now.toString());
        setMode("auto");
        List<String> problems = engine.reload();
        List<String> variable = entries.stream().filter(PriceEntry::variablePrice).map(PriceEntry::key).sorted().toList();
        return new Outcome.Fetched(entries.size(), engine.fetchedEntries(), litellmModels,
                litellmModels < 0 ? -1 : engine.litellmFetchedEntries(), litellmProblem, variable, engine.clashes().stream()
                        .filter(c -> !c.startsWith("litellm: ")).toList(), problems);
    }
}
