package dev.plutus.remote;

import dev.plutus.config.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Remote mode: {@code PLUTUS_REMOTE_URL} and {@code PLUTUS_API_KEY} send this host's model calls to
 * a central Plutus over {@code POST /v1/usage} instead of its own store. {@code PLUTUS_REMOTE_WORKSPACE}
 * names the workspace they are billed to (default: this host's name).
 */
public record RemoteSettings(URI url, String apiKey, String workspace, String source, Duration flushEvery, Duration verdictEvery) {

    @Override
    public String toString() {
        return "RemoteSettings[" + url + ", workspace " + workspace + "]";
    }

    public static Optional<RemoteSettings> fromEnvironment(Map<String, String> env) {
        String url = env.get("PLUTUS_REMOTE_URL");
        String key = env.get("PLUTUS_API_KEY");
        boolean hasUrl = url != null && !url.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (!hasUrl && !hasKey) {
            return Optional.empty();
        }
        if (!hasUrl || !hasKey) {
            throw new ConfigException("remote mode needs both PLUTUS_REMOTE_URL and PLUTUS_API_KEY; "
                    + (hasUrl ? "PLUTUS_API_KEY" : "PLUTUS_REMOTE_URL") + " is not set");
        }
        URI u;
        try {
            u = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("PLUTUS_REMOTE_URL is not a URL: " + url);
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new ConfigException("PLUTUS_REMOTE_URL must be an http(s) URL such as https://plutus.example.com, got " + url);
        }
        String host = Optional.ofNullable(env.get("HOSTNAME")).filter(s -> !s.isBlank()).orElseGet(RemoteSettings::hostName);
        String workspace = Optional.ofNullable(env.get("PLUTUS_REMOTE_WORKSPACE")).filter(s -> !s.isBlank()).orElse(host);
        return Optional.of(new RemoteSettings(u, key.strip(), workspace, "plutus@" + host, Duration.ofSeconds(1), Duration.ofSeconds(30)));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "edge";
        }
    }

    /**
     * How old the central verdict may be and still be enforced: three refresh intervals. Past that the
     * central instance has not been heard from (down, unreachable, refusing this key), so the verdict
     * is unknown and the host's fail mode decides, rather than the last answer holding forever.
     */
    public Duration verdictMaxAge() {
        return verdictEvery.multipliedBy(3);
    }

    /** {@code <url>/v1/usage}, whether or not the URL was given with a trailing slash or the path itself. */
    public URI endpoint(String path) {
        String b = url.toString().replaceAll("/+$", "");
        if (b.endsWith("/v1/usage")) {
            b = b.substring(0, b.length() - "/v1/usage".length());
        }
        return URI.create(b + path);
    }
}
