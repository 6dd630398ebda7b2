package dev.plutus.http;

/**
 * Where the daemon listens, how many requests it handles at once, how long after start the first
 * runway run (refresh, snapshot, alerts, router) comes (later runs follow runway.yaml's period),
 * the limits its HTTP front holds every client to, and the host names it answers to besides the
 * loopback ones and its own address ({@link HostCheck}; plutus.yaml adds {@code http.allowed_hosts}).
 */
public record ServeOptions(String host, int port, int threads, java.time.Duration runwayFirstRun, HttpLimits limits,
                           java.util.Set<String> allowedHosts) {
    public static final int DEFAULT_PORT = 8765;

    public ServeOptions(String host, int port, int threads) {
        this(host, port, threads, java.time.Duration.ofSeconds(30));
    }

    public ServeOptions(String host, int port, int threads, java.time.Duration runwayFirstRun) {
        this(host, port, threads, runwayFirstRun, HttpLimits.DEFAULTS);
    }

    public ServeOptions(String host, int port, int threads, java.time.Duration runwayFirstRun, HttpLimits limits) {
        this(host, port, threads, runwayFirstRun, limits, java.util.Set.of());
    }

    public ServeOptions {
        if (runwayFirstRun == null || runwayFirstRun.isNegative()) {
            throw new IllegalArgumentException("runway first run must be zero or later");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
        allowedHosts = java.util.Set.copyOf(allowedHosts);
    }

    public static ServeOptions loopback(int port) {
        return new ServeOptions("127.0.0.1", port, 16);
    }

    public ServeOptions withLimits(HttpLimits l) {
        return new ServeOptions(host, port, threads, runwayFirstRun, l, allowedHosts);
    }

    /** These names answered too, besides loopback and the listening address (a reverse proxy's name, say). */
    public ServeOptions withAllowedHosts(java.util.Set<String> names) {
        java.util.Set<String> all = new java.util.HashSet<>(allowedHosts);
        all.addAll(names);
        return new ServeOptions(host, port, threads, runwayFirstRun, limits, all);
    }

    public boolean isLoopback() {
        return host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost");
    }
}
