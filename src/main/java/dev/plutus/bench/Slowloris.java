package dev.plutus.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile TCP clients from this host, on one thread: some open a request head and add one byte of
 * it every second without ever finishing it; others send a whole head announcing a body, then
 * trickle the body a byte a second. A connection the daemon cuts is opened again at the next
 * round, as an attacker would, so the pressure lasts as long as the attack runs.
 */
final class Slowloris implements AutoCloseable {
    private static final long ROUND_MILLIS = 1_000;

    private final InetSocketAddress daemon;
    private final List<Attacker> attackers = new ArrayList<>();
    private final AtomicLong reopened = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;
    private volatile IOException failure;

    private final class Attacker {
        final byte[] opening;
        final InetAddress source;
        SocketChannel channel;
        boolean connected;

        Attacker(byte[] opening, InetAddress source) {
            this.opening = opening;
            this.source = source;
        }

        /** One round: (re)open if the daemon cut it, else one more byte. Never blocks: connects are non-blocking. */
        void round(boolean first) throws IOException {
            if (channel != null && connected && closedByDaemon()) {
                drop();
            }
            if (channel == null) {
                if (!first) {
                    reopened.incrementAndGet();
                }
                channel = SocketChannel.open();
                try {
                    if (source != null) {
                        channel.bind(new InetSocketAddress(source, 0));
                    }
                    channel.configureBlocking(false);
                    connected = channel.connect(daemon);
                    if (connected) {
                        channel.write(ByteBuffer.wrap(opening));
                    }
                } catch (IOException refused) {
                    drop();
                    throw refused;
                }
                return;
            }
            try {
                if (!connected) {
                    // Still in the daemon's accept queue (or the kernel's): it is opened once there is room.
                    connected = channel.finishConnect();
                    if (connected) {
                        channel.write(ByteBuffer.wrap(opening));
                    }
                } else if (channel.write(ByteBuffer.wrap(new byte[] {'a'})) == 1) {
                    bytesSent.incrementAndGet();
                }
            } catch (IOException cut) {
                drop();
            }
        }

        private void drop() throws IOException {
            channel.close();
            channel = null;
            connected = false;
        }

        /** End of stream or a reset: the daemon closed it (anything it answered first is read and dropped). */
        private boolean closedByDaemon() {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            try {
                int n;
                while ((n = channel.read(sink)) > 0) {
                    sink.clear();
                }
                return n < 0;
            } catch (IOException reset) {
                return true;
            }
        }
    }

    /**
     * {@code headers} connections trickling a request head, {@code bodies} connections trickling the
     * {@code bodyLength}-byte body of a POST to {@code bodyPath} (with {@code token}, so the daemon
     * reads it). Connection i comes from {@code sources[i % n]}, or from the system's choice when
     * {@code sources} is empty.
     */
    Slowloris(InetSocketAddress daemon, List<InetAddress> sources, int headers, int bodies, String bodyPath, String token, int bodyLength) {
        this.daemon = daemon;
        byte[] headStart = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        byte[] bodyHead = ("POST " + bodyPath + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bodyLength + "\r\n\r\n{\"a\":\"")
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < headers + bodies; i++) {
            attackers.add(new Attacker(i < headers ? headStart : bodyHead, sources.isEmpty() ? null : sources.get(i % sources.size())));
        }
        this.thread = new Thread(this::trickle, "slowloris");
        this.thread.setDaemon(true);
    }

    /** Opens every connection, then trickles on its own thread until closed. */
    void start() {
        thread.start();
    }

    private void trickle() {
        boolean first = true;
        while (!stop) {
            long roundStart = System.nanoTime();
            for (Attacker a : attackers) {
                if (stop) {
                    break;
                }
                try {
                    a.round(first);
                } catch (IOException e) {
                    failure = e;   // the daemon refused a connection outright: reported, and tried again next round
                }
            }
            first = false;
            long left = ROUND_MILLIS - (System.nanoTime() - roundStart) / 1_000_000;
            if (left > 0) {
                try {
                    Thread.sleep(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Connections the daemon cut and the attack opened again. */
    long reopened() {
        return reopened.get();
    }

    long bytesTrickled() {
        return bytesSent.get();
    }

    /** The last connection the daemon refused outright, if any. */
    IOException lastRefusal() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(10_000);
        for (Attacker a : attackers) {
            if (a.channel != null) {
                try {
                    a.channel.close();
                } catch (IOException ignored) {
                    // the attack is over either way
                }
            }
        }
    }
}
