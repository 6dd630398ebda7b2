package dev.plutus.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Deadlines and a per-client cap that Jetty's idle timeouts cannot give: an idle timeout restarts
 * with every byte, so a client trickling one byte a second holds its connection for ever. Here a
 * connection must deliver a whole request head within {@code headerTimeout} of opening (or of its
 * previous answer), and a request must be read and answered within {@code requestTimeout}; past
 * either it is closed. One client address holds at most {@code perClient} connections: a further
 * one first evicts that client's oldest connection still waiting for its request head (a stalled
 * one, most likely), and is refused only when all of them are busy with requests. So a flood of
 * silent connections cannot shut out a client that sends whole requests. The same holds across
 * clients: a flood spread over many addresses, each under the per-client cap, would otherwise fill
 * the connector's {@code maxConnections} and leave new clients in the accept queue until a header
 * deadline frees a place. When a connection takes the last place, the oldest connection still
 * waiting for its head of the client with the most connections is closed, so one place stays free.
 *
 * <p>Installed on the connectors as a connection listener, and in front of the handlers as a
 * wrapper (which sees when a request's head is in and when its answer is done).
 */
final class ClientGuard extends Handler.Wrapper {
    private final Duration headerTimeout;
    private final Duration requestTimeout;
    private final int perClient;
    private final int maxConnections;
    private final Scheduler scheduler;
    private final Map<Connection, Tracked> tracked = new ConcurrentHashMap<>();
    /** Per client address, its connections oldest first; guarded by {@code this}. */
    private final Map<Object, Deque<Tracked>> byClient = new HashMap<>();

    /** Per connector: each has its own {@code maxConnections}, and Unix-socket peers are all one local user. */
    private final Map<Object, Integer> openPerConnector = new HashMap<>();

    ClientGuard(Duration headerTimeout, Duration requestTimeout, int perClient, int maxConnections, Scheduler scheduler) {
        this.headerTimeout = headerTimeout;
        this.requestTimeout = requestTimeout;
        this.perClient = perClient;
        this.maxConnections = maxConnections;
        this.scheduler = scheduler;
    }

    private final class Tracked {
        final Connection connection;
        final Object client;
        final Object connector;
        boolean busy;
        Scheduler.Task deadline;

        Tracked(Connection connection, Object client) {
            this.connection = connection;
            this.client = client;
            this.connector = connection.getEndPoint().getLocalSocketAddress() == null ? "unknown"
                    : connection.getEndPoint().getLocalSocketAddress().toString();
        }

        /** (Re)starts the one deadline this connection has; the earlier one no longer applies. */
        synchronized void arm(Duration d) {
            if (deadline != null) {
                deadline.cancel();
            }
            deadline = scheduler.schedule(connection::close, d.toMillis(), TimeUnit.MILLISECONDS);
        }

        synchronized void disarm() {
            if (deadline != null) {
                deadline.cancel();
                deadline = null;
            }
        }
    }

    /** Connections currently open from {@code address} (a test reads it). */
    synchronized int open(SocketAddress address) {
        Deque<Tracked> d = byClient.get(clientOf(address));
        return d == null ? 0 : d.size();
    }

    /** What the connectors tell of every connection they open and close (a plain listener, not a second life cycle). */
    Connection.Listener connections() {
        return new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                opened(connection);
            }

            @Override
            public void onClosed(Connection connection) {
                closed(connection);
            }
        };
    }

    private void opened(Connection connection) {
        Tracked t = new Tracked(connection, clientOf(connection.getEndPoint().getRemoteSocketAddress()));
        Tracked evicted = null;
        boolean refused = false;
        synchronized (this) {
            Deque<Tracked> mine = byClient.computeIfAbsent(t.client, k -> new ArrayDeque<>());
            if (mine.size() >= perClient) {
                evicted = mine.stream().filter(o -> !o.busy).findFirst().orElse(null);
                if (evicted != null) {
                    mine.remove(evicted);
                } else {
                    refused = true;
                }
            }
            if (!refused) {
                mine.addLast(t);
                tracked.put(connection, t);
                int open = openPerConnector.merge(t.connector, 1, Integer::sum);
                if (evicted == null && open >= maxConnections) {
                    evicted = oldestWaitingOfBiggestClient(t);
                    if (evicted != null) {
                        byClient.get(evicted.client).remove(evicted);
                    }
                }
            }
        }
        if (evicted != null) {
            evicted.disarm();
            evicted.connection.close();
        }
        if (refused) {
            connection.close();
            return;
        }
        t.arm(headerTimeout);
    }

    private void closed(Connection connection) {
        Tracked t = tracked.remove(connection);
        if (t == null) {
            return;
        }
        t.disarm();
        synchronized (this) {
            openPerConnector.computeIfPresent(t.connector, (k, n) -> n <= 1 ? null : n - 1);
            Deque<Tracked> mine = byClient.get(t.client);
            if (mine != null) {
                mine.remove(t);
                if (mine.isEmpty()) {
                    byClient.remove(t.client);
                }
            }
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Tracked t = tracked.get(request.getConnectionMetaData().getConnection());
        if (t == null) {
            return super.handle(request, response, callback);
        }
        synchronized (this) {
            t.busy = true;
        }
        t.arm(requestTimeout);
        Callback done = new Callback() {
            @Override
            public void succeeded() {
                idleAgain(t);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                idleAgain(t);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        boolean handled;
        try {
            handled = super.handle(request, response, done);
        } catch (Throwable e) {
            idleAgain(t);
            throw e;
        }
        if (!handled) {
            idleAgain(t);
        }
        return handled;
    }

    /** The answer is out: a kept-alive connection has the header timeout again to send its next request. */
    private void idleAgain(Tracked t) {
        synchronized (this) {
            t.busy = false;
        }
        if (tracked.containsKey(t.connection)) {
            t.arm(headerTimeout);
        }
    }

    /** On {@code fresh}'s connector, the oldest connection waiting for its head of the client holding the most; guarded by {@code this}. */
    private Tracked oldestWaitingOfBiggestClient(Tracked fresh) {
        Tracked victim = null;
        int most = 0;
        for (Deque<Tracked> d : byClient.values()) {
            if (d.size() <= most) {
                continue;
            }
            for (Tracked o : d) {
                if (o != fresh && !o.busy && o.connector.equals(fresh.connector)) {
                    victim = o;
                    most = d.size();
                    break;
                }
            }
        }
        return victim;
    }

    /** The host part of an IP address; every Unix-socket peer is the same local user. */
    private static Object clientOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress() : "local";
    }
}
