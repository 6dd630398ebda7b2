package dev.plutus.http;

import dev.plutus.core.PlutusThreads;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's lean way to ask for a verdict: a Unix domain socket in PLUTUS_HOME (owner-only),
 * a blocking thread per connection and a minimal framed protocol, so a verdict hook costs one
 * write and one read instead of an HTTP exchange through Jetty. Every request goes through
 * {@link HookRequests}, the code {@code POST /hooks/{event}} runs, and is refused with the same
 * status (503 where no verdict was computed). See docs/hook-channel.md.
 * <p>
 * Each frame is a 4-byte big-endian length and that many bytes. The first frame of a connection is
 * the hello, {@code PLUTUS-HOOK/1 <daemon.token>}, answered {@code 200 ok} (or {@code 401 ...}, and the
 * connection is closed). Then each request is {@code <event>\n<kwargs as JSON>}, answered
 * {@code <status> <body>}: the hook's JSON answer after 200, the reason otherwise. An empty frame is
 * a nudge: it wakes the journal tailer and gets no answer.
 * <p>
 * What a client may cost: at most {@link Limits#maxConnections} connections (one more is answered
 * {@code 503} and closed at once), frames of at most {@link Limits#maxFrameBytes} ({@code 413} and
 * closed), a whole frame within {@link Limits#frameTimeout} of its first byte and an answer taken
 * within it too, and no longer than {@link Limits#idleTimeout} between frames. A watchdog closes a
 * connection past its deadline, which ends the blocking read or write that holds its thread.
 */
final class HookChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HookChannel.class);
    static final String HELLO = "PLUTUS-HOOK/1 ";
    /** Protocol 2: as 1, and a 200 answer ends with a newline and the verdict snapshot's generation (docs/hook-snapshot.md). */
    static final String HELLO_2 = "PLUTUS-HOOK/2 ";
    private static final int BUFFER = 64 * 1024;
    private static final long GRACE_MILLIS = 2_000;

    /**
     * @param maxFrameBytes  a request frame (event name, newline, body) may hold this many bytes
     * @param maxConnections connections open at once
     * @param frameTimeout   a frame must arrive whole, and an answer be taken, within this long
     * @param idleTimeout    a connection may wait this long for its next frame
     */
    record Limits(int maxFrameBytes, int maxConnections, Duration frameTimeout, Duration idleTimeout) {
        /** Event names are short: the body limit of HTTP plus this much. */
        static final int NAME_SLACK = 256;

        static Limits of(HttpLimits http) {
            return new Limits(http.maxBodyBytes() + NAME_SLACK, 32, http.headerTimeout(), Duration.ofSeconds(60));
        }
    }

    private final Path path;
    private final AccessToken token;
    private final HookRequests requests;
    private final DaemonStatus status;
    private final Limits limits;
    private final ServerSocketChannel server;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final ThreadFactory threads = PlutusThreads.named("hook-channel");
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(PlutusThreads.named("hook-channel-watchdog"));
    private volatile boolean stopping;

    private HookChannel(Path path, AccessToken token, HookRequests requests, DaemonStatus status, Limits limits) throws IOException {
        this.path = path;
        this.token = token;
        this.requests = requests;
        this.status = status;
        this.limits = limits;
        Files.deleteIfExists(path); // left by a daemon that was killed; the instance lock says none runs now
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Listens on {@code path} (which must fit the kernel's socket path limit) until closed. */
    static HookChannel start(Path path, AccessToken token, HookRequests requests, DaemonStatus status, Limits limits) throws IOException {
        HookChannel c = new HookChannel(path, token, requests, status, limits);
        c.threads.newThread(c::acceptLoop).start();
        long tick = Math.max(10, Math.min(1_000, Math.min(limits.frameTimeout().toMillis(), limits.idleTimeout().toMillis()) / 4));
        c.watchdog.scheduleWithFixedDelay(PlutusThreads.guarded("hook channel deadlines", c::closeOverdue), tick, tick, TimeUnit.MILLISECONDS);
        return c;
    }

    Path path() {
        return path;
    }

    /** Connections open now. */
    int connections() {
        return count.get();
    }

    private void acceptLoop() {
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                LOG.warn("hook channel {}: accept failed: {}", path, e.getMessage());
                continue;
            }
            if (count.incrementAndGet() > limits.maxConnections()) {
                count.decrementAndGet();
                status.channel("over_cap");
                refuseAndClose(ch);
                continue;
            }
            Connection c = new Connection(ch);
            open.add(c);
            try {
                threads.newThread(c::serve).start();
            } catch (Throwable e) {
                c.close();
                LOG.error("hook channel: no thread for a connection: {}", e.toString());
            }
        }
    }

    /** Too many connections: told so (the bridge then uses HTTP), without waiting for anything from the client. */
    private void refuseAndClose(SocketChannel ch) {
        try (ch) {
            ch.configureBlocking(false);
            ch.write(frame(("503 more than " + limits.maxConnections() + " hook channel connections at once").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // the client is told by the closed connection instead
        }
    }

    private void closeOverdue() {
        long now = System.nanoTime();
        for (Connection c : open) {
            if (now - c.deadline > 0) {
                status.channel("timed_out");
                LOG.debug("hook channel connection closed: {}", c.state);
                c.close();
            }
        }
    }

    /** Stops accepting, lets requests in flight be answered (up to two seconds), then closes every connection. */
    @Override
    public void close() {
        stopping = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Connection c : open) {
            if (c.idle) {
                c.close();
            }
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        while (!open.isEmpty() && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        open.forEach(Connection::close);
        watchdog.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the next daemon deletes it before it binds
        }
    }

    private static ByteBuffer frame(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + payload.length);
        b.putInt(payload.length).put(payload).flip();
        return b;
    }

    /** One client connection and the thread that serves it. */
    private final class Connection {
        final SocketChannel ch;
        /** System.nanoTime() past which the watchdog closes the connection; far ahead while a request is dispatched. */
        volatile long deadline;
        volatile String state = "waiting for the hello";
        volatile boolean idle = true;
        /** The client spoke protocol 2: its 200 answers carry the snapshot generation. */
        boolean withGeneration;
        ByteBuffer in = ByteBuffer.allocate(BUFFER).flip();

        Connection(SocketChannel ch) {
            this.ch = ch;
            this.deadline = System.nanoTime() + limits.frameTimeout().toNanos();
        }

        void serve() {
            try {
                if (!hello()) {
                    return;
                }
                while (!stopping) {
                    idle = true;
                    state = "idle between frames";
                    deadline = System.nanoTime() + limits.idleTimeout().toNanos();
                    byte[] payload = readFrame();
                    if (payload == null) {
                        return;
                    }
                    idle = false;
                    if (payload.length == 0) {
                        requests.nudged();
                        continue;
                    }
                    deadline = Long.MAX_VALUE / 2 + System.nanoTime(); // dispatch is bounded by the engine, not by the client
                    byte[] answer = answer(payload);
                    state = "writing an answer";
                    deadline = System.nanoTime() + limits.frameTimeout().toNanos();
                    write(answer);
                }
            } catch (FrameTooLarge e) {
                status.channel("too_large");
                trySend("413 " + e.getMessage());
            } catch (EOFException | ClosedChannelException gone) {
                // the client closed, or the watchdog did
            } catch (IOException e) {
                LOG.debug("hook channel connection ended: {}", e.toString());
            } catch (RuntimeException e) {
                LOG.warn("hook channel connection failed: {}", e.toString(), e);
            } finally {
                close();
            }
        }

        private boolean hello() throws IOException {
            byte[] payload = readFrame();
            if (payload == null) {
                return false;
            }
            String hello = new String(payload, StandardCharsets.US_ASCII);
            withGeneration = hello.startsWith(HELLO_2);
            String prefix = withGeneration ? HELLO_2 : HELLO;
            if (!hello.startsWith(prefix) || !token.matchesExactly(hello.substring(prefix.length()))) {
                status.rejected();
                trySend("401 missing or wrong access token (see daemon.token in PLUTUS_HOME)");
                return false;
            }
            write("200 ok".getBytes(StandardCharsets.US_ASCII));
            return true;
        }

        private byte[] answer(byte[] payload) {
            int nl = 0;
            while (nl < payload.length && payload[nl] != '\n') {
                nl++;
            }
            if (nl == 0 || nl == payload.length) {
                status.malformed();
                return "400 a request is the event name, a newline, then the kwargs as JSON".getBytes(StandardCharsets.UTF_8);
            }
            String event = new String(payload, 0, nl, StandardCharsets.UTF_8);
            byte[] body = java.util.Arrays.copyOfRange(payload, nl + 1, payload.length);
            try {
                byte[] json = requests.answer(event, body);
                if (withGeneration) {
                    // Compact JSON holds no raw newline, so the generation after the last one is unambiguous.
                    byte[] generation = ("\n" + requests.generation()).getBytes(StandardCharsets.US_ASCII);
                    byte[] joined = java.util.Arrays.copyOf(json, json.length + generation.length);
                    System.arraycopy(generation, 0, joined, json.length, generation.length);
                    json = joined;
                }
                byte[] out = new byte[4 + json.length];
                out[0] = '2';
                out[1] = '0';
                out[2] = '0';
                out[3] = ' ';
                System.arraycopy(json, 0, out, 4, json.length);
                return out;
            } catch (HttpError e) {
                return (e.status() + " " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                LOG.warn("hook {} on the hook channel failed: {}", event, e.toString(), e);
                return ("500 " + e.getClass().getSimpleName()).getBytes(StandardCharsets.UTF_8);
            }
        }

        /** The next frame's payload, or null when the client closed between frames. */
        private byte[] readFrame() throws IOException {
            if (!fill(4, true)) {
                return null;
            }
            state = "reading a frame";
            int length = in.getInt();
            if (length < 0 || length > limits.maxFrameBytes()) {
                throw new FrameTooLarge(length, limits.maxFrameBytes());
            }
            // The frame's time starts at its first byte: a client trickling it cannot hold the thread past that.
            deadline = Math.min(deadline, System.nanoTime() + limits.frameTimeout().toNanos());
            byte[] payload = new byte[length];
            if (length <= in.capacity()) {
                fill(length, false);
                in.get(payload);
            } else {
                int have = in.remaining();
                in.get(payload, 0, have);
                ByteBuffer rest = ByteBuffer.wrap(payload, have, length - have);
                while (rest.hasRemaining()) {
                    if (ch.read(rest) < 0) {
                        throw new EOFException("closed mid-frame");
                    }
                }
            }
            return payload;
        }

        /** Until {@code n} bytes are buffered; false when the client closed before the first of them (if allowed). */
        private boolean fill(int n, boolean endAllowed) throws IOException {
            if (in.remaining() >= n) {
                return true;
            }
            boolean nothingYet = !in.hasRemaining();
            in.compact();
            try {
                while (in.position() < n) {
                    if (ch.read(in) < 0) {
                        if (endAllowed && nothingYet && in.position() == 0) {
                            return false;
                        }
                        throw new EOFException("closed mid-frame");
                    }
                }
            } finally {
                in.flip();
            }
            return true;
        }

        private void write(byte[] payload) throws IOException {
            ByteBuffer b = frame(payload);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        private void trySend(String text) {
            try {
                deadline = System.nanoTime() + limits.frameTimeout().toNanos();
                write(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        void close() {
            if (open.remove(this)) {
                count.decrementAndGet();
            }
            try {
                ch.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private static final class FrameTooLarge extends IOException {
        FrameTooLarge(int length, int limit) {
            super("a frame of " + Integer.toUnsignedString(length) + " bytes is over the limit of " + limit + " bytes", null);
        }
    }
}
