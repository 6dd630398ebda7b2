package dev.plutus.runway;

import dev.plutus.store.RunwayStore;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** Every watched provider's runway at one moment, with snapshot history and the low-runway alerts in force. */
public record RunwayView(Instant at, ZoneId zone, RunwayConfig config, List<ProviderRunway> providers,
                         Map<String, List<RunwayStore.Snapshot>> history, List<RunwayStore.AlertRow> alerts) {

    public RunwayView {
        providers = List.copyOf(providers);
        history = Map.copyOf(history);
        alerts = List.copyOf(alerts);
    }
}
