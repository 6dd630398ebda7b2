package dev.plutus.runway;

import dev.plutus.store.RunwayStore;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * Every watched provider's runway at one moment, with snapshot history and the low-runway alerts in
 * force. {@code nextSteps}: per provider not yet set up, what the user does about it ({@link SetupHints}).
 */
public record RunwayView(Instant at, ZoneId zone, RunwayConfig config, List<ProviderRunway> providers,
                         Map<String, List<RunwayStore.Snapshot>> history, List<RunwayStore.AlertRow> alerts,
                         Map<String, String> nextSteps) {

    public RunwayView {
        providers = List.copyOf(providers);
        history = Map.copyOf(history);
        alerts = List.copyOf(alerts);
        nextSteps = Map.copyOf(nextSteps);
    }

    public RunwayView(Instant at, ZoneId zone, RunwayConfig config, List<ProviderRunway> providers,
                      Map<String, List<RunwayStore.Snapshot>> history, List<RunwayStore.AlertRow> alerts) {
        this(at, zone, config, providers, history, alerts, Map.of());
    }

    /** What to do about {@code provider}, or null when nothing is to be set up. */
    public String nextStep(String provider) {
        return nextSteps.get(provider);
    }
}
