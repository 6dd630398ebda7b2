package dev.plutus.hermes;

import dev.plutus.core.Json;
import dev.plutus.core.Reasons;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.config.LineDiff;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.config.AtomicFiles;
import dev.plutus.config.Backups;
import dev.plutus.provider.Credentials;
import dev.plutus.provider.ProviderException;
import dev.plutus.provider.ProviderRequest;
import dev.plutus.runway.ProviderConfig;
import dev.plutus.runway.ProviderRunway;
import dev.plutus.runway.RouteResult;
import dev.plutus.runway.Router;
import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingPlanner;
import dev.plutus.runway.RoutingRefused;
import dev.plutus.runway.RunwayConfig;
import dev.plutus.runway.ProviderLookup;
import dev.plutus.runway.RunwayView;
import dev.plutus.store.RunwayStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves Hermes's routing in {@code config.yaml} to the providers with the most runway: checks every
 * planned model against the provider's live list, edits only the routing lines, backs the file up,
 * writes it atomically, and records each decision with its reasons so it can be rolled back.
 */
public final class HermesRouter implements Router {
    private static final Logger LOG = LoggerFactory.getLogger(HermesRouter.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private static final int ATTEMPTS = 5;
    private static final String ENTRIES = "config_entries";
    private static final String WRITTEN = "written_sha256";
    private static final String ROLLBACK = "rollback";
    private static final String RESUMED = "resumed";

    private final RunwayStore store;
    private final Clock clock;
    /** Writes {@code plutus <words>} as the user types it for this home (HomeLayout#command). */
    private final java.util.function.UnaryOperator<String> command;

    public HermesRouter(RunwayStore store, Clock clock) {
        this(store, clock, words -> "plutus " + words);
    }

    /** {@code command} names the commands the messages suggest, with --home where the home needs it. */
    public HermesRouter(RunwayStore store, Clock clock, java.util.function.UnaryOperator<String> command) {
        this.store = store;
        this.clock = clock;
        this.command = command;
    }

    /** Plans the routing, checks every model is live, and writes config.yaml (or only diffs it with {@code dryRun}). */
    @Override
    public RouteResult route(RunwayView v, ProviderLookup providers, boolean dryRun) {
        RunwayConfig cfg = v.config();
        Path config = cfg.hermesHome().resolve("config.yaml");
        RoutingPlan plan;
        Integer entries = null;
        try {
            plan = planWithLiveModels(v, providers);
            if (!Files.isRegularFile(config)) {
                throw new RoutingRefused("no Hermes config at " + config + " (set hermes_home in runway.yaml or HERMES_HOME)");
            }
            Credentials creds = providers.credentials(cfg);
            Set<String> managed = new LinkedHashSet<>();
            cfg.providers().forEach(p -> managed.add(p.hermesProvider()));
            for (int attempt = 1; ; attempt++) {
                String before = Files.readString(config, StandardCharsets.UTF_8);
                entries = null;
                if (before.isBlank()) {
                    throw new RoutingRefused(config + " is empty (a save in progress, or a truncated file); nothing written, run again "
                            + "once it is saved");
                }
                entries = settings(RoutingSafety.load(before, config.getFileName().toString()));
                requireWhole(config, entries);
                String after = HermesRoutingEditor.apply(before, plan, managed,
                        name -> cfg.provider(name).flatMap(p -> creds.first(p.keyEnvs())).map(ProviderRequest.Credential::envName).orElse(null),
                        config.getFileName().toString());
                RouteWriter.Outcome o;
                try {
                    o = RouteWriter.write(config, before, after, plan, clock, dryRun);
                } catch (RouteWriter.ConfigChanged e) {
                    if (attempt == ATTEMPTS) {
                        throw new RoutingRefused(config + " kept changing while it was being routed (" + ATTEMPTS
                                + " tries); nothing written, run again");
                    }
                    pause(attempt);
                    continue;
                }
                if (!dryRun) {
                    decide(config, plan, o.status(), o.backup(), entries, "written".equals(o.status()) ? sha256(after) : null);
                }
                return new RouteResult(plan, o.status(), o.diff(), o.backup(), config);
            }
        } catch (RoutingRefused e) {
            if (!dryRun) {
                decide(config, null, "refused: " + e.getMessage(), null, entries, null);
            }
            throw e;
        } catch (IOException e) {
            throw new RoutingRefused("cannot read or write " + config + ": " + Reasons.of(e));
        }
    }

    /**
     * Refuses a file that reads as half-saved: less than half the settings Plutus counted the last
     * time it read it. A refused read's count is recorded too, so a file cut down on purpose is
     * accepted on the next run.
     */
    private void requireWhole(Path config, int n) {
        int last = store.lastDecision(config.toString(), List.of("written", "unchanged", "refused"), "\"" + ENTRIES + "\"")
                .map(d -> readPlan(d).path(ENTRIES).asInt(0)).orElse(0);
        if (n == 0 || last >= 4 && n * 2 < last) {
            throw new RoutingRefused(config + " has " + n + " setting(s) where it had " + last + " when Plutus last read it; it looks "
                    + "half-saved, so nothing was written (if it was cut down on purpose, the next run accepts it)");
        }
    }

    /** Scalars in a parsed document, wherever they sit. */
    private static int settings(Object node) {
        if (node instanceof Map<?, ?> m) {
            int n = 0;
            for (Object v : m.values()) {
                n += settings(v);
            }
            return n;
        }
        if (node instanceof List<?> l) {
            int n = 0;
            for (Object v : l) {
                n += settings(v);
            }
            return n;
        }
        return 1;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(20L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoutingRefused("interrupted while routing; nothing written");
        }
    }

    /**
     * Plans, then checks every planned model against its provider's live list. A provider whose list
     * cannot be read (HTTP 500, hang, bad key) is left out of the plan, with the reason, and the rest
     * is planned again; a model the provider does not list refuses the whole plan (runway.yaml is wrong).
     */
    private static RoutingPlan planWithLiveModels(RunwayView v, ProviderLookup providers) {
        RunwayConfig cfg = v.config();
        List<ProviderRunway> candidates = new ArrayList<>(v.providers());
        List<String> leftOut = new ArrayList<>();
        while (true) {
            RoutingPlan plan = RoutingPlanner.plan(candidates, cfg.alerts(), leftOut);
            if (!cfg.router().verifyModels()) {
                return plan;
            }
            String unreadable = verifyModels(plan, cfg, providers, leftOut);
            if (unreadable == null) {
                return plan;
            }
            candidates.removeIf(r -> r.name().equals(unreadable));
        }
    }

    /** Null when every planned model is live; else the provider whose list could not be read (its reason added to {@code leftOut}). */
    private static String verifyModels(RoutingPlan plan, RunwayConfig cfg, ProviderLookup providers, List<String> leftOut) {
        for (RoutingPlan.Route r : new LinkedHashSet<>(plan.allRoutes())) {
            ProviderConfig p = cfg.provider(r.provider()).orElseThrow();
            Set<String> live;
            try {
                live = providers.liveModels(p, cfg);
            } catch (ProviderException e) {
                leftOut.add(p.name() + ": left out (cannot check " + r.model() + " against its live model list: " + e.kind().label()
                        + ": " + e.getMessage() + "; router.verify_models: false skips the check)");
                return p.name();
            }
            if (!live.contains(r.model())) {
                throw new RoutingRefused(p.name() + " does not list model '" + r.model() + "' (retired or misspelt); fix "
                        + (r.model().equals(p.flagship()) ? "flagship" : "fast") + " for " + p.name() + " in runway.yaml; nothing written");
            }
        }
        return null;
    }

    private void decide(Path config, RoutingPlan plan, String outcome, Path backup, Integer entries, String writtenSha256) {
        ObjectNode p = JSON.createObjectNode();
        ArrayNode reasons = JSON.createArrayNode();
        if (plan != null) {
            p.put("primary", plan.primary().describe()).put("delegation", plan.delegation().describe());
            ArrayNode f = p.putArray("fallbacks");
            plan.fallbacks().forEach(r -> f.add(r.describe()));
            plan.reasons().forEach(reasons::add);
        }
        if (entries != null) {
            p.put(ENTRIES, entries);
        }
        if (writtenSha256 != null) {
            p.put(WRITTEN, writtenSha256);
        }
        store.addDecision(clock.instant(), config.toString(), p.toString(), reasons.toString(), outcome,
                backup == null ? null : backup.toString());
        LOG.info("route {}: {}{}", config, outcome, plan == null ? "" : " — " + plan.summary() + " — " + String.join("; ", plan.reasons()));
    }

    /**
     * Puts back the config.yaml that the newest routing write replaced (after backing up the current
     * one), and pauses the automatic router until {@link #resume}. Refused, with the changes a
     * rollback would also undo, when the file is no longer what Plutus wrote, unless {@code force}.
     */
    @Override
    public String rollback(RunwayConfig cfg, boolean force) {
        Path config = cfg.hermesHome().resolve("config.yaml");
        RunwayStore.Decision d = store.lastWrite(config.toString())
                .orElseThrow(() -> new IllegalArgumentException("no routing change by Plutus to roll back in " + config));
        Path backup = Path.of(d.backup());
        if (!Files.isRegularFile(backup)) {
            throw new IllegalArgumentException("the backup " + backup + " is gone; nothing rolled back");
        }
        try {
            String current = Files.readString(config, StandardCharsets.UTF_8);
            String restored = Files.readString(backup, StandardCharsets.UTF_8);
            String wrote = readPlan(d).path(WRITTEN).asText("");
            if (!force && !sha256(current).equals(wrote)) {
                String name = config.getFileName().toString();
                throw new RoutingRefused(config + " is no longer what Plutus wrote at " + d.at() + (wrote.isEmpty()
                        ? " (that write kept no record of its text)" : "") + "; a rollback would also undo the other changes below. "
                        + "Nothing rolled back: change the routing by hand, or `" + command.apply("route rollback --force") + "` to roll back anyway "
                        + "(the current file is kept as a backup).\n" + LineDiff.unified(current, restored, name + " (now)",
                        name + " (after rollback)"));
            }
            Path kept = Backups.backUp(config, clock);
            if (!AtomicFiles.replaceIf(config, current, restored)) {
                if (kept != null) {
                    Files.deleteIfExists(kept);
                }
                throw new RoutingRefused(config + " changed while it was being rolled back; nothing rolled back, run again");
            }
            store.markRolledBack(d.id());
            store.addDecision(clock.instant(), config.toString(), "{}", "[]", ROLLBACK + " to " + backup.getFileName(),
                    kept == null ? null : kept.toString());
            String msg = "Restored " + config + " from " + backup.getFileName() + " (written " + d.at() + ")"
                    + (kept == null ? "." : "; the routed version is kept as " + kept.getFileName() + ".")
                    + (cfg.router().apply() ? " The automatic router (router.apply: true) is paused until `" + command.apply("route resume") + "`." : "");
            LOG.info("{}", msg);
            return msg;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot restore " + config + ": " + Reasons.of(e), e);
        }
    }

    /** Set by a rollback and kept in the decisions, so the automatic router does not re-apply what the user undid. */
    @Override
    public Optional<String> paused(RunwayConfig cfg) {
        String config = cfg.hermesHome().resolve("config.yaml").toString();
        return store.lastDecision(config, List.of(ROLLBACK, RESUMED), null)
                .filter(d -> d.outcome().startsWith(ROLLBACK))
                .map(d -> "paused by `" + command.apply("route rollback") + "` at " + d.at());
    }

    @Override
    public String resume(RunwayConfig cfg) {
        Path config = cfg.hermesHome().resolve("config.yaml");
        Optional<String> paused = paused(cfg);
        if (paused.isEmpty()) {
            return "The router is not paused for " + config + "; nothing to resume.";
        }
        store.addDecision(clock.instant(), config.toString(), "{}", "[]", RESUMED, null);
        String msg = "The router may write " + config + " again" + (cfg.router().apply()
                ? " from its next run (router.apply: true)." : " (router.apply is off: only `" + command.apply("route") + "` writes).");
        LOG.info("{}", msg);
        return msg;
    }

    private static JsonNode readPlan(RunwayStore.Decision d) {
        try {
            return JSON.readTree(d.plan());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java", e);
        }
    }
}
