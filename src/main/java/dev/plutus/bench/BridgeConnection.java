package dev.plutus.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hooks sent the way the bridge sends them: one kept-alive HTTP/1.1 connection, over the daemon's
 * Unix socket or TCP, answers read by their Content-Length, and a connection the daemon closed
 * while it sat idle retried once on a new one. Not thread-safe: one per sending thread, as the
 * bridge has one per Hermes thread.
 */
final class BridgeConnection implements AutoCloseable {
    private final SocketAddress address;
    private final String hostHeader;
    private final String token;
    private final ScheduledExecutorService watchdog;
    private final long timeoutMillis;
    private SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private long reconnects;

    private BridgeConnection(SocketAddress address, String hostHeader, String token, ScheduledExecutorService watchdog, long timeoutMillis) {
        this.address = address;
        this.hostHeader = hostHeader;
        this.token = token;
        this.watchdog = watchdog;
        this.timeoutMillis = timeoutMillis;
    }

    static BridgeConnection unix(String socketPath, String hostHeader, String token, ScheduledExecutorService watchdog, long timeoutMillis) {
        return new BridgeConnection(UnixDomainSocketAddress.of(socketPath), hostHeader, token, watchdog, timeoutMillis);
    }

    static BridgeConnection tcp(String host, int port, String token, ScheduledExecutorService watchdog, long timeoutMillis) {
        return new BridgeConnection(new InetSocketAddress(host, port), host + ":" + port, token, watchdog, timeoutMillis);
    }

    /** New connections opened after the first because the daemon had closed the previous one. */
    long reconnects() {
        return reconnects;
    }

    /**
     * POSTs {@code body} and returns the answer's status. A request that gets no whole answer within
     * the timeout fails with an IOException (a watchdog closes the connection under it).
     */
    int post(String path, byte[] body) throws IOException {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int attempt = 0; ; attempt++) {
            boolean fresh = channel == null;
            if (fresh) {
                channel = SocketChannel.open(address instanceof InetSocketAddress ? StandardProtocolFamily.INET : StandardProtocolFamily.UNIX);
                in.clear();
            }
            SocketChannel ch = channel;
            // The timeout covers the connect too: with the daemon's connections all taken, a new one waits in its accept queue.
            ScheduledFuture<?> cut = watchdog.schedule(() -> closeQuietly(ch), timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                if (fresh) {
                    connect(ch);
                }
                writeAll(ch, head, body);
                return readAnswer(ch);
            } catch (java.io.EOFException | java.net.SocketException | java.nio.channels.ClosedChannelException e) {
                close();
                // Only a kept-alive connection the daemon had closed is retried, once, as the bridge does.
                if (fresh || attempt == 1 || cut.isDone()) {
                    throw new IOException(path + ": " + (cut.isDone() ? "no answer within " + timeoutMillis + " ms" : e.toString()), e);
                }
                reconnects++;
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            } finally {
                cut.cancel(false);
            }
        }
    }

    private void connect(SocketChannel ch) throws IOException {
        if (address instanceof InetSocketAddress) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        ch.connect(address);
    }

    private static void writeAll(SocketChannel ch, byte[] head, byte[] body) throws IOException {
        ByteBuffer[] parts = {ByteBuffer.wrap(head), ByteBuffer.wrap(body)};
        while (parts[1].hasRemaining()) {
            ch.write(parts);
        }
    }

    /** Reads one answer; bytes past it stay in the buffer (there are none: one request at a time). */
    private int readAnswer(SocketChannel ch) throws IOException {
        int headEnd;
        while ((headEnd = headEnd()) < 0) {
            fill(ch);
        }
        String headText = new String(in.array(), 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = headText.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
        int length = 0;
        boolean closeAfter = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, Math.max(colon, 0)).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> length = Integer.parseInt(value);
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                case "transfer-encoding" -> throw new IOException("the daemon answered with Transfer-Encoding " + value
                        + "; the bridge reads answers by Content-Length only");
                default -> { }
            }
        }
        int bodyStart = headEnd + 4;
        while (in.position() < bodyStart + length) {
            fill(ch);
        }
        int rest = in.position() - bodyStart - length;
        System.arraycopy(in.array(), bodyStart + length, in.array(), 0, rest);
        in.position(rest);
        if (closeAfter) {
            close();
        }
        return status;
    }

    private int headEnd() {
        byte[] a = in.array();
        for (int i = 0; i + 3 < in.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void fill(SocketChannel ch) throws IOException {
        if (!in.hasRemaining()) {
            throw new IOException("an answer longer than " + in.capacity() + " bytes");
        }
        if (ch.read(in) < 0) {
            throw new java.io.EOFException("the daemon closed the connection");
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            closeQuietly(channel);
            channel = null;
        }
    }
}
