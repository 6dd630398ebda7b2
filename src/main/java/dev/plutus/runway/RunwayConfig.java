package dev.plutus.runway;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * runway.yaml: the providers to watch, how often and how long to ask them, the router and the
 * low-runway alerts. {@code autoDetected} is true when there is no file: every known provider is
 * considered, and one shows only when a key for it is found or Plutus has recorded spend for it.
 */
public record RunwayConfig(
        List<ProviderConfig> providers,
        boolean autoDetected,
        Duration cacheTtl,
        Duration timeout,
        Map<String, BigDecimal> usdPerUnit,
        Path hermesHome,
        Router router,
        Alerts alerts) {

    public RunwayConfig {
        providers = List.copyOf(providers);
        usdPerUnit = Map.copyOf(usdPerUnit);
    }

    /** {@code apply}: write Hermes's config.yaml on each scheduled run (else the decision is only logged). */
    public record Router(boolean apply, Duration every, boolean verifyModels) {}

    /**
     * Thresholds for every provider (a provider's own override them); {@code command} runs with the alert as JSON on stdin.
     * {@code webhookAuthEnv} names the environment variable whose value is sent in the {@code webhookAuthHeader} header
     * (the secret stays out of runway.yaml); both null when the webhook takes no credential.
     */
    public record Alerts(Long balanceBelowMicros, BigDecimal daysLeftBelow, URI webhook, String command, String webhookAuthEnv,
                         String webhookAuthHeader) {
        public Alerts(Long balanceBelowMicros, BigDecimal daysLeftBelow, URI webhook, String command) {
            this(balanceBelowMicros, daysLeftBelow, webhook, command, null, null);
        }
    }

    public Optional<ProviderConfig> provider(String name) {
        return providers.stream().filter(p -> p.name().equalsIgnoreCase(name)).findFirst();
    }
}
