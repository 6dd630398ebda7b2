package dev.plutus.adapter.springai;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code plutus.*} in application properties. Setting any of {@code home}, {@code remote-url} or
 * {@code budget-file} turns Plutus on.
 *
 * @param home where Plutus keeps its database and reads budget.yaml and pricing.yaml (default {@code PLUTUS_HOME}, else {@code ~/.hermes/plutus})
 * @param remoteUrl a central Plutus to send calls to and take verdicts from (with {@code api-key})
 * @param apiKey the central Plutus's API key ({@code plutus keys create})
 * @param budgetFile a budget.yaml to put in force: copied over {@code <home>/budget.yaml} at start when it differs
 * @param provider the chat model's provider as the price table names it (default: from the ChatModel bean's class, e.g. {@code openai})
 * @param model the model to price requests that name none, when the ChatModel's defaults name none either
 * @param otel OpenTelemetry export of Plutus's own spans and metrics ({@code plutus.otel.enabled}, off by default)
 */
@ConfigurationProperties("plutus")
public record PlutusProperties(Path home, String remoteUrl, String apiKey, Path budgetFile, String provider, String model,
                               @DefaultValue Otel otel) {
    public record Otel(@DefaultValue("false") boolean enabled) {}
}
