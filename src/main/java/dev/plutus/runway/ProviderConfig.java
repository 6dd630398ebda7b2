package dev.plutus.runway;

import dev.plutus.provider.ProviderKind;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;

/**
 * One provider Plutus tracks runway for, as runway.yaml describes it (defaults from its kind).
 * {@code ledger} lists the provider ids under which Plutus's own records count toward it;
 * {@code flagship} and {@code fast} are the models the router may promote, null when it may not.
 */
public record ProviderConfig(
        String name,
        ProviderKind kind,
        URI baseUrl,
        List<String> keyEnvs,
        Long budgetMicros,
        List<String> ledger,
        String flagship,
        String fast,
        String hermesProvider,
        String probeModel,
        Long balanceBelowMicros,
        BigDecimal daysLeftBelow) {

    public ProviderConfig {
        ledger = List.copyOf(ledger);
        keyEnvs = List.copyOf(keyEnvs);
    }

    public boolean routable() {
        return flagship != null && fast != null;
    }
}
