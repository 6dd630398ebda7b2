package dev.plutus.http;

import java.time.Duration;

/**
 * What one client may cost the daemon, set on Jetty explicitly rather than left to its defaults.
 *
 * @param headerTimeout   the whole request line and headers must arrive within this long of the
 *                        connection opening (or of the previous answer on a kept-alive one); a
 *                        client trickling them a byte at a time is cut off then, not only one that
 *                        falls silent
 * @param bodyTimeout     once the headers are in, the whole body must arrive and the answer go out
 *                        within this long
 * @param maxHeaderBytes  request line and headers together; beyond, 431
 * @param maxBodyBytes    request body; beyond, 413 (a usage batch of 1,000 events fits in well under)
 * @param maxConnections  open TCP connections at once; further clients wait in the accept queue
 * @param hookThreads     requests handled at once on the hook socket, apart from the TCP threads
 * @param maxConnectionsPerClient open TCP connections from one client address; a further one evicts
 *                        that client's oldest connection still waiting for its request head
 * @param ingestSlots     {@code /v1/usage} requests parsed and recorded at once; one more waits
 *                        {@link #INGEST_WAIT} for a slot, then gets 503 with Retry-After
 */
public record HttpLimits(Duration headerTimeout, Duration bodyTimeout, int maxHeaderBytes, int maxBodyBytes,
                         int maxConnections, int hookThreads, int maxConnectionsPerClient, int ingestSlots) {
    /** Generous for the bridge on loopback and for agents reporting usage; tight enough that idle or slow clients cannot pile up. */
    public static final HttpLimits DEFAULTS = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 8 * 1024, 1 << 20,
            256, 8, 64, 2);
    /** How long a {@code /v1/usage} request waits for an ingest slot before it is told to come back. */
    public static final Duration INGEST_WAIT = Duration.ofMillis(200);

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
        if (maxConnectionsPerClient < 1) {
            throw new IllegalArgumentException("max connections per client must be at least 1, got " + maxConnectionsPerClient);
        }
        if (ingestSlots < 1) {
            throw new IllegalArgumentException("ingest slots must be at least 1, got " + ingestSlots);
        }
    }

    public HttpLimits withHeaderTimeout(Duration d) {
        return new HttpLimits(d, bodyTimeout, maxHeaderBytes, maxBodyBytes, maxConnections, hookThreads, maxConnectionsPerClient, ingestSlots);
    }

    public HttpLimits withBodyTimeout(Duration d) {
        return new HttpLimits(headerTimeout, d, maxHeaderBytes, maxBodyBytes, maxConnections, hookThreads, maxConnectionsPerClient, ingestSlots);
    }

    public HttpLimits withMaxConnections(int n) {
        return new HttpLimits(headerTimeout, bodyTimeout, maxHeaderBytes, maxBodyBytes, n, hookThreads, maxConnectionsPerClient, ingestSlots);
    }

    public HttpLimits withMaxConnectionsPerClient(int n) {
        return new HttpLimits(headerTimeout, bodyTimeout, maxHeaderBytes, maxBodyBytes, maxConnections, hookThreads, n, ingestSlots);
    }

    public HttpLimits withIngestSlots(int n) {
        return new HttpLimits(headerTimeout, bodyTimeout, maxHeaderBytes, maxBodyBytes, maxConnections, hookThreads, maxConnectionsPerClient, n);
    }
}
