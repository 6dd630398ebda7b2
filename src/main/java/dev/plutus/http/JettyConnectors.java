package dev.plutus.http;

import io.javalin.config.JavalinConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Where the daemon listens and what each client may cost it, on Jetty: the TCP connector every
 * client uses, and, for the bridge's hooks, a Unix domain socket in PLUTUS_HOME with its own
 * threads, so no other traffic queues in front of a hook. Every limit of {@link HttpLimits} is set
 * here; none is left to a Jetty default or to a JVM-wide property. In front of the router, outermost
 * first: {@link ClientGuard} (header and request deadlines, connections per client), {@link HostCheck},
 * the body size limit, and Jetty's eager content loading, which reads a body without holding a
 * thread: a client that trickles its body ties up a connection, never one of the handler threads.
 */
final class JettyConnectors {
    /** The kernel's limit for a socket path (sun_path) is 108 bytes on Linux, 104 on macOS. */
    private static final int MAX_SOCKET_PATH_BYTES = 100;
    /** Each connector runs one acceptor and one selector thread, taken from its own pool. */
    private static final int IO_THREADS = 2;
    private static final long GRACEFUL_STOP_MILLIS = 2_000;
    /** Chunk framing counted by the eager loader on top of the body itself. */
    private static final int EAGER_SLACK_BYTES = 64 * 1024;

    private final ServeOptions options;
    private final Path hookSocket;
    private final boolean behindProxy;
    private ServerConnector tcp;
    private ClientGuard guard;

    /**
     * {@code hookSocket} null: hooks share the TCP connector. {@code behindProxy}: a reverse proxy on
     * this host forwards to the daemon, and its forwarded headers are honoured (see {@link LoopbackProxyHeaders}).
     */
    JettyConnectors(ServeOptions options, Path hookSocket, boolean behindProxy) {
        this.options = options;
        this.hookSocket = hookSocket;
        this.behindProxy = behindProxy;
    }

    /** The socket path when it fits the kernel's limit, else null (the bridge then uses TCP). */
    static Path usableSocketPath(Path candidate) {
        return candidate.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES
                ? candidate.toAbsolutePath() : null;
    }

    void configure(JavalinConfig config, ErrorMapper errors) {
        HttpLimits limits = options.limits();
        config.jetty.threadPool = pool("plutus-http", options.threads());
        config.jetty.modifyHttpConfiguration(http -> {
            http.setRequestHeaderSize(limits.maxHeaderBytes());
            // Applies from the end of the headers to the end of the answer; the connector's own idle timeout covers the rest.
            http.setIdleTimeout(limits.bodyTimeout().toMillis());
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            if (behindProxy) {
                http.addCustomizer(new LoopbackProxyHeaders());
            }
        });
        config.jetty.modifyServer(server -> {
            // On stop, connectors close first and requests in flight get this long to be answered.
            server.setStopTimeout(GRACEFUL_STOP_MILLIS);
            // Each insert goes right under the server: the last one here sees a request first.
            // Whole bodies up to the limit are gathered before dispatch; a bigger one reaches the size limit below and gets 413.
            server.insertHandler(new EagerContentHandler(new EagerContentHandler.RetainedContentLoaderFactory(
                    limits.maxBodyBytes() + EAGER_SLACK_BYTES, -1, false)));
            server.insertHandler(new SizeLimitHandler(limits.maxBodyBytes(), -1));
            server.insertHandler(new HostCheck(options.host(), options.allowedHosts()));
            guard = new ClientGuard(limits.headerTimeout(), limits.bodyTimeout(), limits.maxConnectionsPerClient(),
                    limits.maxConnections(), server.getScheduler());
            server.insertHandler(guard);
            server.setErrorHandler(errors.jettyErrors());
        });
        config.jetty.addConnector(this::tcp);
        if (hookSocket != null) {
            config.jetty.addConnector(this::hookSocket);
        }
    }

    int port() {
        return tcp.getLocalPort();
    }

    private ServerConnector tcp(Server server, HttpConfiguration http) {
        HttpLimits limits = options.limits();
        tcp = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        tcp.setHost(options.host());
        tcp.setPort(options.port());
        tcp.setIdleTimeout(limits.headerTimeout().toMillis());
        tcp.setAcceptQueueSize(128);
        // Without it every answer waits out the client's delayed ACK (~40 ms on Linux).
        tcp.setAcceptedTcpNoDelay(true);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), tcp));
        tcp.addEventListener(guard.connections());
        return tcp;
    }

    private UnixDomainServerConnector hookSocket(Server server, HttpConfiguration http) {
        HttpLimits limits = options.limits();
        QueuedThreadPool threads = pool("plutus-hooks", limits.hookThreads());
        UnixDomainServerConnector c = new UnixDomainServerConnector(server, threads, null, null, 1, 1, new HttpConnectionFactory(http));
        c.setUnixDomainPath(hookSocket);
        c.setIdleTimeout(limits.headerTimeout().toMillis());
        c.setAcceptQueueSize(128);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), c));
        c.addEventListener(guard.connections());
        return c;
    }

    /**
     * {@code handlers} requests at once. Its queue is Jetty's unbounded default (Jetty warns against
     * bounding it): what bounds the work waiting in it is the connection limit of its connector.
     */
    private static QueuedThreadPool pool(String name, int handlers) {
        int max = handlers + IO_THREADS;
        QueuedThreadPool pool = new QueuedThreadPool(max, Math.min(max, 4));
        pool.setName(name);
        pool.setDaemon(true);
        return pool;
    }
}
