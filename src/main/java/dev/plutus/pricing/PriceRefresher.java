package dev.plutus.pricing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.plutus.config.AtomicFiles;
import dev.plutus.core.HomeLayout;
import dev.plutus.store.MetaStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Refreshes the fetched price tables, at most once per interval (a day by default): OpenRouter's
 * {@code /models} into pricing.fetched.yaml and LiteLLM's price map into pricing.litellm.yaml (a
 * newer copy of the shipped LiteLLM layer, still beneath the curated table). Both are written as
 * JSON tables ({@link PriceLayerFile}). The user's pricing.yaml is never written.
 *
 * <p>The two sources are independent: each is fetched, converted and checked on its own, and one
 * failing leaves the other's update standing. A new file replaces the one in force only once the
 * exact text about to be written has been read back; entries that cannot be used are left out one
 * by one and reported; an answer with no usable model, or with fewer than half the models of the
 * file in force, is refused and the file in force kept. What is reported is what is in force
 * after the reload, never only what was downloaded.
 */
public final class PriceRefresher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PriceRefresher.class);
    private static final String FETCHED_AT = "pricing_fetched_at";
    private static final String MODE = "pricing_mode";
    /** How many dropped ids, and rule breaks, a report names; the log has them all. */
    static final int NAMED = 3;

    /** What became of one source in a refresh. */
    public enum Status {
        /** The new table is in force. */
        UPDATED,
        /** The download or the answer failed, or the answer was refused: the file in force stays. */
        KEPT,
        /** No URL configured for it. */
        NOT_FETCHED,
        /** Fetched successfully less than an interval ago: not fetched again. */
        NOT_DUE
    }

    /**
     * One source's refresh: {@code received} models in the answer, {@code inForce} of this layer in
     * force after the reload, each model left out ({@code dropped}, "id: reason"), price rules the
     * new table breaks ({@code ruleBreaks}), and why it was not updated ({@code problem}).
     */
    public record Source(String name, Status status, int received, int inForce, List<String> dropped,
                         List<String> ruleBreaks, String problem) {
        public Source {
            dropped = List.copyOf(dropped);
            ruleBreaks = List.copyOf(ruleBreaks);
        }

        /** The lines a person reads: what is in force, what was left out and why. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            switch (status) {
                case NOT_FETCHED -> out.add(name + ": not fetched (no URL configured)" + inForceNote());
                case NOT_DUE -> out.add(name + ": fetched less than a day ago; " + inForce + " models in force.");
                case KEPT -> out.add(name + ": not updated: " + problem + inForceNote());
                case UPDATED -> out.add(name + ": " + inForce + " models now in force (" + received + " in the answer"
                        + (dropped.isEmpty() ? "" : ", " + dropped.size() + " left out") + ").");
            }
            if (!dropped.isEmpty()) {
                out.add("  left out: " + named(dropped));
            }
            if (!ruleBreaks.isEmpty()) {
                out.add("  warning: " + ruleBreaks.size() + " price rule(s) broken (see docs/pricing.md, Checks): "
                        + named(ruleBreaks));
            }
            return out;
        }

        private String inForceNote() {
            return inForce > 0 ? "; the " + inForce + " models fetched earlier stay in force." : "; the shipped copy stays in force.";
        }

        private static String named(List<String> all) {
            return String.join("; ", all.subList(0, Math.min(NAMED, all.size())))
                    + (all.size() > NAMED ? "; and " + (all.size() - NAMED) + " more (all in plutus.log)" : "");
        }
    }

    /** What a refresh did. */
    public sealed interface Outcome {
        /**
         * Each source's result; {@code clashes} names two ids shared and how each was resolved;
         * {@code problems} the price files that failed to load after the write.
         */
        record Fetched(Source openrouter, Source litellm, List<String> variablePrice, List<String> clashes,
                       List<String> problems) implements Outcome {
            public boolean anyUpdated() {
                return openrouter.status() == Status.UPDATED || litellm.status() == Status.UPDATED;
            }

            /** True when no source was put in force and none was already fresh: every source tried failed. */
            public boolean allFailed() {
                return List.of(openrouter, litellm).stream()
                        .noneMatch(s -> s.status() == Status.UPDATED || s.status() == Status.NOT_DUE);
            }

            /** The sources tried that were not updated, by name. */
            public List<String> failed() {
                return List.of(openrouter, litellm).stream().filter(s -> s.status() == Status.KEPT).map(Source::name).toList();
            }

            /** Every line of the report, OpenRouter first. */
            public List<String> lines() {
                List<String> out = new ArrayList<>(openrouter.lines());
                out.addAll(litellm.lines());
                return out;
            }
        }
        record NotDue(Instant lastFetched) implements Outcome {}
        record Failed(String reason) implements Outcome {}
    }

    /** A download, converted: the entries and each model left out with the reason. */
    private record Converted(int received, List<PriceEntry> entries, List<String> leftOut) {}

    @FunctionalInterface
    private interface Download {
        Converted get() throws IOException, InterruptedException;
    }

    private final HomeLayout home;
    private final URI baseUrl;
    private final URI litellmUrl;
    private final Duration interval;
    private final MetaStore meta;
    private final PricingEngine engine;
    private final PriceDownload limits;
    /** One refresh at a time: the daemon's own and a /setup pricing auto must not write the files together. */
    private final java.util.concurrent.locks.ReentrantLock running = new java.util.concurrent.locks.ReentrantLock();

    public PriceRefresher(HomeLayout home, URI baseUrl, Duration interval, MetaStore meta, PricingEngine engine) {
        this(home, baseUrl, null, interval, meta, engine);
    }

    /** {@code litellmUrl} null: LiteLLM's map is not fetched. */
    public PriceRefresher(HomeLayout home, URI baseUrl, URI litellmUrl, Duration interval, MetaStore meta,
            PricingEngine engine) {
        this(home, baseUrl, litellmUrl, interval, meta, engine, PriceDownload.DEFAULT);
    }

    /** {@code limits}: each source's fetch deadline and largest answer. */
    public PriceRefresher(HomeLayout home, URI baseUrl, URI litellmUrl, Duration interval, MetaStore meta,
            PricingEngine engine, PriceDownload limits) {
        this.limits = limits;
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

    /** The last time either source was fetched and put in force. */
    public Optional<Instant> lastFetched() {
        return lastFetched("OpenRouter").map(o -> lastFetched("LiteLLM").filter(l -> l.isAfter(o)).orElse(o))
                .or(() -> lastFetched("LiteLLM"));
    }

    /**
     * When {@code source} ("OpenRouter" or "LiteLLM") was last fetched and put in force: each source
     * has its own time, set only on success, so a refused answer neither claims a fetch nor waits a day.
     */
    public Optional<Instant> lastFetched(String source) {
        Optional<Instant> own = meta.get(FETCHED_AT + "." + source.toLowerCase(java.util.Locale.ROOT)).map(Instant::parse);
        // Homes fetched before the times were kept apart: the shared one stood for OpenRouter.
        return own.isPresent() || !source.equals("OpenRouter") ? own : meta.get(FETCHED_AT).map(Instant::parse);
    }

    private boolean due(String source, Path file, Instant now, boolean force) {
        Optional<Instant> last = lastFetched(source);
        return force || last.isEmpty() || Duration.between(last.get(), now).compareTo(interval) >= 0 || !Files.exists(file);
    }

    /** The files a refresh writes, OpenRouter's first. */
    public List<Path> fetchedFiles() {
        return List.of(home.fetchedPricingFile(), PricingEngine.litellmFetchedFile(home));
    }

    /**
     * Fetches each source that is due (every one when {@code force}); while another refresh is under
     * way, returns {@link Outcome.Failed} at once rather than waiting on it.
     */
    public Outcome refresh(Instant now, boolean force) {
        if (!running.tryLock()) {
            return new Outcome.Failed("a price refresh is already under way; try again when it ends (each source"
                    + " gets at most " + limits.deadline().toSeconds() + " s)");
        }
        try {
            return refreshAlone(now, force);
        } finally {
            running.unlock();
        }
    }

    private Outcome refreshAlone(Instant now, boolean force) {
        boolean openrouterDue = due("OpenRouter", home.fetchedPricingFile(), now, force);
        boolean litellmDue = litellmUrl != null && due("LiteLLM", PricingEngine.litellmFetchedFile(home), now, force);
        if (!openrouterDue && !litellmDue) {
            return new Outcome.NotDue(lastFetched().orElse(now));
        }
        String asOf = now.toString();
        List<String> variable = new ArrayList<>();
        Source openrouter = !openrouterDue
                ? new Source("OpenRouter", Status.NOT_DUE, 0, engine.fetchedEntries(), List.of(), List.of(), null)
                : update("OpenRouter", home.fetchedPricingFile(), PriceOrigin.FETCHED, engine.fetchedEntries(),
                () -> {
                    List<String> leftOut = new ArrayList<>();
                    String body = new OpenRouterCatalog(baseUrl, limits).download();
                    List<PriceEntry> entries = OpenRouterCatalog.parse(body, asOf, leftOut);
                    entries.stream().filter(PriceEntry::variablePrice).map(PriceEntry::key).sorted().forEach(variable::add);
                    return new Converted(entries.size() + leftOut.size(), entries, leftOut);
                }, baseUrl, "could not fetch prices from OpenRouter (" + baseUrl + ")",
                List.of("Prices fetched from OpenRouter (" + baseUrl + ") by /setup pricing auto at " + now + ".",
                        "Machine-owned: rewritten on every refresh. Put your own prices in pricing.yaml; they win."));
        Source litellm;
        if (litellmUrl == null) {
            litellm = new Source("LiteLLM", Status.NOT_FETCHED, 0, engine.litellmFetchedEntries(), List.of(), List.of(), null);
        } else if (!litellmDue) {
            litellm = new Source("LiteLLM", Status.NOT_DUE, 0, engine.litellmFetchedEntries(), List.of(), List.of(), null);
        } else {
            litellm = update("LiteLLM", PricingEngine.litellmFetchedFile(home), PriceOrigin.LITELLM_FETCHED,
                    engine.litellmFetchedEntries(), () -> {
                        String body = LiteLlmCatalog.fetch(litellmUrl, limits);
                        List<String> leftOut = new ArrayList<>(duplicateKeys(body));
                        LiteLlmCatalog.Conversion c = LiteLlmCatalog.convert(body, asOf, PriceOrigin.LITELLM_FETCHED);
                        leftOut.addAll(c.leftOut());
                        return new Converted(c.entries().size() + c.leftOut().size(), c.entries(), leftOut);
                    }, litellmUrl, "could not fetch LiteLLM's price map (" + litellmUrl + ")",
                    List.of("LiteLLM's price map (BerriAI/litellm, MIT data) fetched from " + litellmUrl
                                    + " by /setup pricing auto at " + now + ".",
                            "Machine-owned: rewritten on every refresh. The curated table and pricing.yaml win over it."));
        }
        for (Source s : List.of(openrouter, litellm)) {
            if (s.status() == Status.UPDATED) {
                meta.put(FETCHED_AT + "." + s.name().toLowerCase(java.util.Locale.ROOT), now.toString());
            }
        }
        setMode("auto");
        List<String> problems = engine.reload();
        openrouter = inForce(openrouter, engine.fetchedEntries());
        litellm = inForce(litellm, engine.litellmFetchedEntries());
        // Variable-price models of the table in force: a refused answer's list is no one's prices.
        List<String> inForceVariable = openrouter.status() == Status.UPDATED ? variable : engine.variablePriceModels();
        return new Outcome.Fetched(openrouter, litellm, List.copyOf(inForceVariable),
                engine.clashes().stream().filter(c -> !c.startsWith("litellm: ")).toList(), problems);
    }

    private static Source inForce(Source s, int inForce) {
        return new Source(s.name(), s.status(), s.received(), inForce, s.dropped(), s.ruleBreaks(), s.problem());
    }

    /**
     * Downloads, converts and checks one source, then replaces its file, or keeps the file in force
     * and says why. {@code previous}: the models of this layer in force now.
     */
    private Source update(String name, Path file, PriceOrigin origin, int previous, Download download, URI from, String failure,
            List<String> about) {
        Converted c;
        try {
            c = download.get();
        } catch (IOException e) {
            return kept(name, previous, List.of(), failure + ": " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return kept(name, previous, List.of(), failure + ": interrupted while fetching");
        } catch (RuntimeException e) {
            // An answer shaped unlike any price list must cost this source's update, not the refresh.
            return kept(name, previous, List.of(), failure + ": the answer could not be read: " + reason(e));
        }
        // The exact text about to be written, read back as the engine will read it: what loads from it is what counts.
        String text = PriceLayerFile.write(c.entries(), about);
        PriceLayerFile.Loaded loaded;
        try {
            loaded = PriceLayerFile.read(text, file.toString(), origin);
        } catch (RuntimeException e) {
            return kept(name, previous, c.leftOut(), "the converted table does not read back (" + reason(e) + ")");
        }
        List<String> dropped = new ArrayList<>(c.leftOut());
        dropped.addAll(loaded.skipped());
        if (!loaded.skipped().isEmpty()) {
            // The file holds only what loads, so every later load is clean; read back once more to be sure.
            text = PriceLayerFile.write(loaded.table().entries(), about);
            loaded = PriceLayerFile.read(text, file.toString(), origin);
            if (!loaded.skipped().isEmpty()) {
                return kept(name, previous, dropped, "the cleaned table still leaves entries out: " + loaded.skipped());
            }
        }
        int usable = loaded.table().size();
        if (usable == 0) {
            return kept(name, previous, dropped, c.received() == 0 ? "the answer from " + from + " lists no models"
                    : "none of the " + c.received() + " models in the answer from " + from + " is usable");
        }
        if (usable * 2 < previous) {
            return kept(name, previous, dropped, "the answer from " + from + " has " + usable + " usable models where the table in force has "
                    + previous + " (less than half); refused as a broken answer. To accept it: /setup pricing minimal, then auto");
        }
        try {
            AtomicFiles.write(file, text);
        } catch (IOException e) {
            return kept(name, previous, dropped, "could not write " + file + ": " + reason(e));
        }
        dropped.forEach(d -> LOG.warn("price refresh: {} model left out: {}", name, d));
        List<String> breaks = ruleBreaks(loaded.table());
        breaks.forEach(b -> LOG.warn("price refresh: {} price rule broken: {}", name, b));
        return new Source(name, Status.UPDATED, c.received(), usable, dropped, breaks, null);
    }

    /**
     * Why a fetch failed, in words, never "null": the JDK's HTTP client throws some failures with no
     * message (a refused connection is a bare {@code ConnectException}), so the type and the
     * causes say it then.
     */
    static String reason(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 3; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().strip();
            String what = t instanceof java.net.ConnectException ? "connection refused or unreachable"
                    : t instanceof java.net.http.HttpTimeoutException ? "timed out"
                    : t instanceof java.net.UnknownHostException ? "unknown host"
                    : t instanceof java.nio.channels.UnresolvedAddressException ? "unknown host"
                    : t instanceof com.fasterxml.jackson.core.JsonProcessingException ? "the answer is not valid JSON"
                    : t instanceof java.io.EOFException ? "the connection closed before the answer ended" : null;
            String line = what == null ? m : m.isEmpty() ? what : what + ": " + m.lines().findFirst().orElse(m);
            if (!line.isEmpty() && parts.stream().noneMatch(p -> p.contains(line))) {
                parts.add(line);
            }
        }
        return parts.isEmpty() ? e.getClass().getSimpleName() + " with no message" : String.join(" (", parts)
                + ")".repeat(parts.size() - 1);
    }

    private static Source kept(String name, int previous, List<String> dropped, String problem) {
        LOG.warn("price refresh: {} not updated: {}", name, problem);
        dropped.forEach(d -> LOG.warn("price refresh: {} model left out: {}", name, d));
        return new Source(name, Status.KEPT, 0, previous, dropped, List.of(), problem);
    }

    /**
     * Both fetched layers are checked like the shipped ones; a break is a warning, and where the
     * curated table has the model it says so, since the curated entry is the one that prices it.
     */
    private static List<String> ruleBreaks(PriceTable table) {
        PriceTable curated = PricingEngine.builtinTable();
        List<String> out = new ArrayList<>();
        for (PriceEntry e : table.entries()) {
            List<String> broken = PriceInvariants.check(e);
            if (broken.isEmpty()) {
                continue;
            }
            boolean overridden = curated.find(e.key()).isPresent();
            broken.forEach(b -> out.add(b + (overridden ? " (the curated entry prices this model)" : "")));
        }
        return out;
    }

    /** Top-level keys LiteLLM's map gives twice (a JSON reader would keep only the last, silently). */
    private static List<String> duplicateKeys(String json) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (JsonParser p = JsonFactory.builder().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (!seen.add(key)) {
                    out.add(PriceLayerFile.printable(key) + ": given twice in the map; the last one is kept");
                }
                p.nextToken();
                p.skipChildren();
            }
        } catch (IOException e) {
            // Not JSON: the conversion reports it.
        }
        return out;
    }
}
