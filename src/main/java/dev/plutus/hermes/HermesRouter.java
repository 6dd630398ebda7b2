package dev.plutus.hermes;

import dev.plutus.core.Json;
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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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

    private final RunwayStore store;
    private final Clock clock;

    public HermesRouter(RunwayStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Plans the routing, checks every model is live, and writes config.yaml (or only diffs it with {@code dryRun}). */
    @Override
    public RouteResult route(RunwayView v, ProviderLookup providers, boolean dryRun) {
        RunwayConfig cfg = v.config();
        Path config = cfg.hermesHome().resolve("config.yaml");
        RoutingPlan plan;
        try {
            plan = planWithLiveModels(v, providers);
            if (!Files.isRegularFile(config)) {
                throw new RoutingRefused("no Hermes config at " + config + " (set hermes_home in runway.yaml or HERMES_HOME)");
            }
            String before = Files.readString(config, StandardCharsets.UTF_8);
            Credentials creds = providers.credentials(cfg);
            Set<String> managed = new LinkedHashSet<>();
            cfg.providers().forEach(p -> managed.add(p.hermesProvider()));
            String after = HermesRoutingEditor.apply(before, plan, managed,
                    name -> cfg.provider(name).flatMap(p -> creds.first(p.keyEnvs())).map(ProviderRequest.Credential::envName).orElse(null),
                    config.getFileName().toString());
            RouteWriter.Outcome o = RouteWriter.write(config, before, after, plan, clock, dryRun);
            if (!dryRun) {
                decide(config, plan, o.status(), o.backup());
            }
            return new RouteResult(plan, o.status(), o.diff(), o.backup(), config);
        } catch (RoutingRefused e) {
            if (!dryRun) {
                decide(config, null, "refused: " + e.getMessage(), null);
            }
            throw e;
        } catch (IOException e) {
            throw new RoutingRefused("cannot read or write " + config + ": " + e.getMessage());
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

    private void decide(Path config, RoutingPlan plan, String outcome, Path backup) {
        ObjectNode p = JSON.createObjectNode();
        ArrayNode reasons = JSON.createArrayNode();
        if (plan != null) {
            p.put("primary", plan.primary().describe()).put("delegation", plan.delegation().describe());
            ArrayNode f = p.putArray("fallbacks");
            plan.fallbacks().forEach(r -> f.add(r.describe()));
            plan.reasons().forEach(reasons::add);
        }
        store.addDecision(clock.instant(), config.toString(), p.toString(), reasons.toString(), outcome,
                backup == null ? null : backup.toString());
        LOG.info("route {}: {}{}", config, outcome, plan == null ? "" : " — " + plan.summary() + " — " + String.join("; ", plan.reasons()));
    }

    /** Puts back the config.yaml that the newest routing write replaced (after backing up the current one). */
    @Override
    public String rollback(RunwayConfig cfg) {
        Path config = cfg.hermesHome().resolve("config.yaml");
        RunwayStore.Decision d = store.lastWrite(config.toString())
                .orElseThrow(() -> new IllegalArgumentException("no routing change by Plutus to roll back in " + config));
        Path backup = Path.of(d.backup());
        if (!Files.isRegularFile(backup)) {
            throw new IllegalArgumentException("the backup " + backup + " is gone; nothing rolled back");
        }
        try {
            Path current = Backups.backUp(config, clock);
            AtomicFiles.write(config, Files.readString(backup, StandardCharsets.UTF_8));
            store.markRolledBack(d.id());
            store.addDecision(clock.instant(), config.toString(), "{}", "[]", "rollback to " + backup.getFileName(),
                    current == null ? null : current.toString());
            String msg = "Restored " + config + " from " + backup.getFileName() + " (written " + d.at() + ")"
                    + (current == null ? "." : "; the routed version is kept as " + current.getFileName() + ".");
            LOG.info("{}", msg);
            return msg;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot restore " + config + ": " + e.getMessage(), e);
        }
    }
}
