package dev.plutus.http;

import dev.plutus.engine.EngineConfig;
import dev.plutus.TestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real daemon for a test: started in-process on a free loopback port over {@code home} (on the
 * store of this test pass), an HTTP client bound to it, stopped on close. Files a test needs in the
 * home before the daemon reads it (budget.yaml, plutus.yaml) go in through the builder.
 */
final class DaemonHarness implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path home;
    private final PlutusDaemon daemon;

    private DaemonHarness(Path home, PlutusDaemon daemon) {
        this.home = home;
        this.daemon = daemon;
    }

    /** A daemon on {@code home} with the defaults: loopback, port 0, the system clock, no environment. */
    static DaemonHarness start(Path home) throws IOException {
        return in(home).start();
    }

    /** A daemon on {@code config} as it is (a test about one particular store or setting), on loopback. */
    static DaemonHarness on(Path home, EngineConfig config) throws IOException {
        return on(home, config, ServeOptions.loopback(0));
    }

    static DaemonHarness on(Path home, EngineConfig config, ServeOptions options) throws IOException {
        return new DaemonHarness(home, PlutusDaemon.start(options, config));
    }

    static Builder in(Path home) {
        return new Builder(home);
    }

    static final class Builder {
        private final Path home;
        private final Map<String, String> files = new LinkedHashMap<>();
        private Map<String, String> env = Map.of();
        private Clock clock = Clock.systemUTC();
        private ServeOptions options = ServeOptions.loopback(0);

        private Builder(Path home) {
            this.home = home;
        }

        Builder file(String name, String text) {
            files.put(name, text);
            return this;
        }

        Builder env(Map<String, String> e) {
            this.env = e;
            return this;
        }

        Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        Builder options(ServeOptions o) {
            this.options = o;
            return this;
        }

        Builder limits(HttpLimits l) {
            this.options = options.withLimits(l);
            return this;
        }

        /** The config this daemon would run on, for tests that start it themselves (to see it refused, say). */
        EngineConfig config() throws IOException {
            Files.createDirectories(home);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(home.resolve(f.getKey()), f.getValue());
            }
            return TestSupport.config(home, env).clock(clock).build();
        }

        DaemonHarness start() throws IOException {
            return new DaemonHarness(home, PlutusDaemon.start(options, config()));
        }
    }

    PlutusDaemon daemon() {
        return daemon;
    }

    dev.plutus.engine.Engine plutus() {
        return daemon.plutus();
    }

    dev.plutus.ingest.ApiKeys apiKeys() {
        return daemon.apiKeys();
    }

    DaemonInfo info() {
        return daemon.info();
    }

    Path home() {
        return home;
    }

    String baseUrl() {
        return daemon.info().baseUrl();
    }

    /** The bridge's access token (daemon.token). */
    String token() throws IOException {
        return Files.readString(home.resolve("daemon.token")).strip();
    }

    /** The read-only token: the dashboard's JSON and /metrics. */
    String readToken() throws IOException {
        return Files.readString(home.resolve("dashboard.token")).strip();
    }

    /** {@code method path} with {@code body} (null: none), {@code bearer} as Authorization (null: none), then header name/value pairs. */
    HttpResponse<String> send(String method, String path, String body, String bearer, String... headers) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * A POST that announces {@code contentLength} bytes and sends none of them, answered as raw text
     * (status line, headers, body). A body over the limit is refused from its length alone; sending it
     * would race the refusal against the connection reset that follows it.
     */
    String announceOnly(String path, long contentLength, String bearer) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", daemon.info().port())) {
            s.setSoTimeout(10_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + (bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n")
                    + "Content-Length: " + contentLength + "\r\n\r\n";
            s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    HttpResponse<String> get(String path, String bearer) throws IOException {
        return send("GET", path, null, bearer);
    }

    HttpResponse<String> post(String path, String body, String bearer) throws IOException {
        return send("POST", path, body, bearer);
    }

    @Override
    public void close() {
        daemon.close();
    }
}
