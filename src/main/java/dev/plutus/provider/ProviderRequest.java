package dev.plutus.provider;

import java.net.URI;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * What a client needs for one call: where, with which key (never logged), how long to wait, the
 * model a rate-limit probe asks, and USD per unit of other currencies a balance may be held in.
 */
public record ProviderRequest(HttpClient http, URI baseUrl, Credential credential, Duration timeout, String probeModel,
                              Map<String, BigDecimal> usdPerUnit, Clock clock) {

    /** A key and the environment variable it came from; {@link #toString()} never shows the secret. */
    public record Credential(String envName, String secret) {
        public boolean isOAuthToken() {
            return envName.endsWith("OAUTH_TOKEN");
        }

        @Override
        public String toString() {
            return "Credential[" + envName + "]";
        }
    }

    /** {@code base} + {@code path}, with exactly one slash between them. */
    public URI resolve(String path) {
        String b = baseUrl.toString();
        if (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + (path.startsWith("/") ? path : "/" + path));
    }
}
