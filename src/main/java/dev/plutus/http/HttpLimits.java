package dev.plutus.http;

import java.time.Duration;

/**
 * What one client may cost the daemon, set on Jetty explicitly rather than left to its defaults.
 *
 * @param headerTimeout   how long a connection may sit silent while its request line and headers
 *                        arrive, or between two requests on a kept-alive connection (Jetty's
 *                        connector idle timeout); a client that stalls mid-header is cut off then
 * @param bodyTimeout     how long reading the body (or writing the answer) may wait for the next
 *                        bytes once the headers are in (Jetty's per-request idle timeout)
 * @param maxHeaderBytes  request line and headers together; beyond, 431
 * @param maxBodyBytes    request body; beyond, 413 (a usage batch of 1,000 events fits in well under)
 * @param maxConnections  open TCP connections at once; further clients wait in the accept queue
 * @param hookThreads     requests handled at once on the hook socket, apart from the TCP threads
 */
public record HttpLimits(Duration headerTimeout, Duration bodyTimeout, int maxHeaderBytes, int maxBodyBytes,
                         int maxConnections, int hookThreads) {
    /** Generous for the bridge on loopback and for agents reporting usage; tight enough that idle or slow clients cannot pile up. */
    public static final HttpLimits DEFAULTS = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 8 * 1024, 1 << 20,
            256, 8);

    public HttpLimits {
        if (headerTimeout == null || headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("header timeout must be positive");
        }
        if (bodyTimeout == null || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
            throw new IllegalArgumentException("body timeout must be positive");
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("max header size must be at least 1024 bytes, got " + maxHeaderBytes);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("max body size must be at least 1 byte, got " + maxBodyBytes);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1, got " + maxConnections);
        }
        if (hookThreads < 1) {
            throw new IllegalArgumentException("hook threads must be at least 1, got " + hookThreads);
        }
    }

    public HttpLimits withHeaderTimeout(Duration d) {
        return new HttpLimits(d, bodyTimeout, maxHeaderBytes, maxBodyBytes, maxConnections, hookThreads);
    }

    public HttpLimits withBodyTimeout(Duration d) {
        return new HttpLimits(headerTimeout, d, maxHeaderBytes, maxBodyBytes, maxConnections, hookThreads);
    }

    public HttpLimits withMaxConnections(int n) {
        return new HttpLimits(headerTimeout, bodyTimeout, maxHeaderBytes, maxBodyBytes, n, hookThreads);
    }
}
