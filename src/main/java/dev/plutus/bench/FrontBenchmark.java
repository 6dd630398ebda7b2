package dev.plutus.bench;

import dev.plutus.core.HomeLayout;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.http.DaemonProcess;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.store.ApiKeyStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hook latency while the daemon's HTTP front is under attack or under load, against a daemon in its
 * own JVM: (a) slowloris clients trickling request heads and bodies while hooks go over the Unix
 * socket and over TCP and /healthz is polled; (b) threads streaming 1,000-event /v1/usage batches
 * while post_api_request hooks write. Nothing is printed until every hook answered 200 and the store
 * holds exactly the calls that were acknowledged: a figure from a run that lost or failed requests
 * would not be the figure it claims to be.
 */
public final class FrontBenchmark {
    /** The bridge's default hook timeout: an answer slower than this is an event spooled instead of answered. */
    static final long BRIDGE_TIMEOUT_MILLIS = 250;
    private static final long CLIENT_TIMEOUT_MILLIS = 30_000;
    private static final int SLOW_HEADERS = 300;
    private static final int SLOW_BODIES = 12;
    private static final int SLOW_BODY_BYTES = 1000;
    private static final int WARM_UP = 500;
    private static final String EVENT = "{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"input_tokens\":1200,"
            + "\"output_tokens\":800,\"cache_read_tokens\":4000,\"task_type\":\"code_review\",\"workspace\":\"bench\"}";

    private final Path dir;
    private final PrintWriter out;
    private final Clock clock;
    /** post_api_request hooks and /v1/usage events the daemon answered 200 to: together, what the store must hold at the end. */
    private long hookCalls;
    private long batchEvents;

    public FrontBenchmark(Path dir, PrintWriter out, Clock clock) {
        this.dir = dir;
        this.out = out;
        this.clock = clock;
    }

    public void run(int hooks, int batchThreads) throws Exception {
        Path home = dir.resolve("plutus");
        Files.createDirectories(home);
        // The batch phase measures the store and the front, not the rate limiter.
        Files.writeString(home.resolve("plutus.yaml"), "ingest:\n  rate_limit:\n    requests_per_second: 1000000\n    burst: 1000000\n");
        String key;
        try (Engine p = Engine.open(EngineConfig.builder(new HomeLayout(home)).build())) {
            key = new ApiKeys(new ApiKeyStore(p.jdbc()), p.clock()).create("bench-front").secret();
        }
        List<String> figures = new ArrayList<>();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hook-watchdog");
            t.setDaemon(true);
            return t;
        });
        try (DaemonProcess daemon = DaemonProcess.start(home, dir.resolve("daemon.out"))) {
            String token = Files.readString(home.resolve("daemon.token")).strip();
            String socket = daemon.info().socket();
            if (socket == null) {
                throw new IllegalStateException("the daemon opened no hook socket (is the scratch path too long for a Unix socket?): "
                        + "the bridge's own path cannot be measured");
            }
            Bridges bridges = new Bridges(daemon, socket, token, watchdog);
            out.printf("HTTP front under attack and load (daemon pid %d, hooks on %s and %s):%n", daemon.pid(), socket,
                    daemon.info().baseUrl());
            out.flush();
            warmUp(bridges, daemon, key);
            slowloris(bridges, daemon, token, hooks, figures, "a1", List.of());
            List<InetAddress> spread = spreadSources();
            if (spread.isEmpty()) {
                figures.add("  (a2) skipped: this host cannot open connections from 127.0.0.2-127.0.0.6");
            } else {
                slowloris(bridges, daemon, token, hooks, figures, "a2", spread);
            }
            batchLoad(bridges, daemon, key, hooks, batchThreads, figures);
        } finally {
            watchdog.shutdownNow();
        }
        long stored;
        try (Engine p = Engine.open(EngineConfig.builder(new HomeLayout(home)).build())) {
            stored = p.calls().count();
        }
        long acknowledgedCalls = hookCalls + batchEvents;
        if (stored != acknowledgedCalls) {
            throw new IllegalStateException(String.format("the store holds %,d calls but the daemon acknowledged %,d "
                    + "(%,d post_api_request hooks + %,d batch events): no figures from this run", stored, acknowledgedCalls,
                    hookCalls, batchEvents));
        }
        for (String line : figures) {
            out.println(line);
        }
        out.printf("  checked: every hook and /healthz answered 200; after a graceful stop the store holds %,d calls = "
                + "%,d post_api_request hooks + %,d batch events acknowledged%n", stored, hookCalls, batchEvents);
        out.flush();
    }

    /** The two ways the bridge reaches the daemon. */
    private record Bridges(DaemonProcess daemon, String socket, String token, ScheduledExecutorService watchdog) {
        BridgeConnection unix() {
            return BridgeConnection.unix(socket, "localhost", token, watchdog, CLIENT_TIMEOUT_MILLIS);
        }

        BridgeConnection tcp() {
            return BridgeConnection.tcp(daemon.info().host(), daemon.info().port(), token, watchdog, CLIENT_TIMEOUT_MILLIS);
        }
    }

    private void warmUp(Bridges bridges, DaemonProcess daemon, String key) throws Exception {
        try (BridgeConnection c = bridges.unix()) {
            timeHooks(c, "warm-unix", WARM_UP, true, new LatencySample(WARM_UP), new LatencySample(WARM_UP));
        }
        try (BridgeConnection c = bridges.tcp()) {
            timeHooks(c, "warm-tcp", WARM_UP, true, new LatencySample(WARM_UP), new LatencySample(WARM_UP));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String batch = batch();
        for (int i = 0; i < 3; i++) {
            if (sendBatch(http, daemon, key, batch) != 200) {
                throw new IllegalStateException("a warm-up batch was refused on an idle daemon");
            }
            batchEvents += 1000;
        }
    }

    /**
     * Slowloris from {@code sources}: none, this host's own loopback address, so one client to the
     * daemon, whose per-client cap then cuts most of them; or several addresses, each under that
     * cap, which together hold more than the daemon's TCP connection limit.
     */
    private void slowloris(Bridges bridges, DaemonProcess daemon, String token, int hooks, List<String> figures, String phase,
                           List<InetAddress> sources) throws Exception {
        String from = sources.isEmpty() ? "from " + daemon.info().host() + " (one client)"
                : "spread over " + sources.size() + " client addresses " + sources.get(0).getHostAddress() + "-"
                + sources.get(sources.size() - 1).getHostAddress();
        out.printf("  (%s) slowloris %s: %d connections trickling a request head and %d trickling a %,d-byte hook body, "
                + "a byte a second each, reopened when cut; %,d hook pairs over the Unix socket, then over TCP ...%n",
                phase, from, SLOW_HEADERS, SLOW_BODIES, SLOW_BODY_BYTES, hooks);
        out.flush();
        InetSocketAddress tcp = new InetSocketAddress(daemon.info().host(), daemon.info().port());
        LatencySample unixPre = new LatencySample(hooks);
        LatencySample unixPost = new LatencySample(hooks);
        LatencySample tcpPre = new LatencySample(hooks);
        LatencySample tcpPost = new LatencySample(hooks);
        long unixReconnects;
        long tcpReconnects;
        HealthProbe health = new HealthProbe(tcp);
        long start;
        long seconds;
        long reopened;
        long trickled;
        IOException refused;
        try (Slowloris attack = new Slowloris(tcp, sources, SLOW_HEADERS, SLOW_BODIES, "/hooks/post_tool_call", token, SLOW_BODY_BYTES)) {
            attack.start();
            // Every attacker connected and a few bytes in before the first hook.
            Thread.sleep(3_000);
            start = System.nanoTime();
            health.start();
            try (BridgeConnection c = bridges.unix()) {
                timeHooks(c, phase + "-unix", hooks, true, unixPre, unixPost);
                unixReconnects = c.reconnects();
            }
            try (BridgeConnection c = bridges.tcp()) {
                timeHooks(c, phase + "-tcp", hooks, true, tcpPre, tcpPost);
                tcpReconnects = c.reconnects();
            }
            health.stop();
            seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            reopened = attack.reopened();
            trickled = attack.bytesTrickled();
            refused = attack.lastRefusal();
        }
        figures.add(String.format("  (%s) slowloris %s, %d trickled heads + %d trickled bodies over %d s "
                + "(%,d reopened after the daemon cut them; %,d bytes trickled%s):", phase, from, SLOW_HEADERS, SLOW_BODIES, seconds,
                reopened, trickled, refused == null ? "" : "; last refused connect: " + refused.getMessage()));
        figures.add(hookLine("Unix socket pre_tool_call", unixPre));
        figures.add(hookLine("Unix socket post_api_request", unixPost));
        figures.add(hookLine("TCP pre_tool_call", tcpPre));
        figures.add(hookLine("TCP post_api_request", tcpPost));
        if (unixReconnects + tcpReconnects > 0) {
            figures.add(String.format("      kept-alive connection closed by the daemon and reopened: %d times on the socket, %d on TCP",
                    unixReconnects, tcpReconnects));
        }
        LatencySample h = health.sample();
        figures.add(String.format("      /healthz (new TCP connection every %d ms): %,d probes  p50 %s  p99 %s  max %s", HealthProbe.EVERY_MILLIS,
                h.size(), ms(h.percentile(50)), ms(h.percentile(99)), ms(h.percentile(100))));
    }

    /** 127.0.0.2-127.0.0.6 where this host lets a connection come from them (Linux routes all of 127/8 to loopback), else none. */
    private static List<InetAddress> spreadSources() {
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 2; i <= 6; i++) {
            try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open()) {
                InetAddress a = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i});
                probe.bind(new InetSocketAddress(a, 0));
                sources.add(a);
            } catch (IOException e) {
                return List.of();
            }
        }
        return sources;
    }

    private void batchLoad(Bridges bridges, DaemonProcess daemon, String key, int hooks, int threads, List<String> figures) throws Exception {
        out.printf("  (b) batch load: %d threads sending 1,000-event /v1/usage batches; %,d post_api_request hooks over the Unix socket ...%n",
                threads, hooks);
        out.flush();
        String batch = batch();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        AtomicLong busy = new AtomicLong();
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        List<Future<?>> sending = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            sending.add(senders.submit(() -> {
                while (!stop.get()) {
                    int status = sendBatch(http, daemon, key, batch);
                    if (status == 200) {
                        committed.addAndGet(1000);
                    } else if (status == 503) {
                        busy.incrementAndGet();   // every ingest slot taken: the daemon's designed answer, nothing kept
                    } else {
                        throw new IllegalStateException("a batch was answered " + status);
                    }
                }
                return null;
            }));
        }
        LatencySample post = new LatencySample(hooks);
        long reconnects;
        try {
            // Load first, then hooks into it.
            Thread.sleep(2_000);
            try (BridgeConnection c = bridges.unix()) {
                timeHooks(c, "front-batch", hooks, false, null, post);
                reconnects = c.reconnects();
            }
        } finally {
            stop.set(true);
            senders.shutdown();
        }
        for (Future<?> f : sending) {
            try {
                f.get(2, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a batch sender failed, so the events committed are unknown: " + e.getCause(), e.getCause());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        batchEvents += committed.get();
        figures.add(String.format("  (b) batch load, %d threads of 1,000-event /v1/usage batches for %.1f s: %,d events committed = %,.0f events/s"
                + " (%,d batches answered 503, ingest slots full)", threads, seconds, committed.get(), committed.get() / seconds, busy.get()));
        figures.add(hookLine("Unix socket post_api_request", post));
        if (reconnects > 0) {
            figures.add(String.format("      kept-alive connection closed by the daemon and reopened: %d times", reconnects));
        }
    }

    /**
     * {@code n} rounds of (optionally) pre_tool_call then post_api_request, each timed; every answer
     * must be 200, and every post_api_request is a new call: {@code prefix} must be unique to the run, or
     * the daemon takes a repeated api_request_id for a retry and records it once.
     */
    private void timeHooks(BridgeConnection c, String prefix, int n, boolean withPre, LatencySample pre, LatencySample post) throws IOException {
        for (int i = 0; i < n; i++) {
            String session = prefix + "-" + (i % 50);
            if (withPre) {
                byte[] body = preToolCall(session, prefix + ":" + i).getBytes(StandardCharsets.UTF_8);
                long t0 = System.nanoTime();
                int status = c.post("/hooks/pre_tool_call", body);
                pre.add(System.nanoTime() - t0);
                requireOk(status, "pre_tool_call", prefix, i);
            }
            byte[] body = postApiRequest(session, prefix + ":" + i).getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            int status = c.post("/hooks/post_api_request", body);
            post.add(System.nanoTime() - t0);
            requireOk(status, "post_api_request", prefix, i);
            hookCalls++;
        }
    }

    private static void requireOk(int status, String hook, String prefix, int i) {
        if (status != 200) {
            throw new IllegalStateException(hook + " #" + i + " (" + prefix + ") was answered " + status + ": no figures from this run");
        }
    }

    private String preToolCall(String session, String id) {
        return "{\"tool_name\":\"terminal\",\"args\":{\"command\":\"ls -la\"},\"task_id\":\"" + session + "\",\"session_id\":\"" + session
                + "\",\"tool_call_id\":\"toolu_" + id + "\",\"turn_id\":\"" + session + ":t\",\"api_request_id\":\"" + id + "\"}";
    }

    private String postApiRequest(String session, String id) {
        double now = clock.millis() / 1000.0;
        return "{\"task_id\":\"" + session + "\",\"turn_id\":\"" + session + ":t\",\"api_request_id\":\"" + id + "\",\"session_id\":\""
                + session + "\",\"platform\":\"cli\",\"model\":\"claude-sonnet-4-6\",\"provider\":\"anthropic\","
                + "\"base_url\":\"https://api.anthropic.com\",\"api_mode\":\"anthropic_messages\",\"api_duration\":2.5,"
                + "\"started_at\":" + (now - 2.5) + ",\"ended_at\":" + now + ",\"finish_reason\":\"tool_calls\",\"message_count\":12,"
                + "\"response_model\":\"claude-sonnet-4-6\",\"usage\":{\"input_tokens\":96,\"output_tokens\":420,\"cache_read_tokens\":8460,"
                + "\"cache_write_tokens\":1320,\"reasoning_tokens\":0,\"request_count\":1,\"prompt_tokens\":9876,\"total_tokens\":10296},"
                + "\"assistant_content_chars\":300,\"assistant_tool_call_count\":1}";
    }

    private static String batch() {
        return "[" + String.join(",", Collections.nCopies(1000, EVENT)) + "]";
    }

    private static int sendBatch(HttpClient http, DaemonProcess daemon, String key, String batch) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(daemon.info().baseUrl() + "/v1/usage"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofMillis(CLIENT_TIMEOUT_MILLIS))
                .POST(HttpRequest.BodyPublishers.ofString(batch)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String hookLine(String what, LatencySample s) {
        long over = s.countAbove(TimeUnit.MILLISECONDS.toNanos(BRIDGE_TIMEOUT_MILLIS));
        return String.format("      %-29s %,6d  p50 %s  p99 %s  max %s  > %d ms: %d", what, s.size(), ms(s.percentile(50)),
                ms(s.percentile(99)), ms(s.percentile(100)), BRIDGE_TIMEOUT_MILLIS, over);
    }

    private static String ms(long nanos) {
        return String.format("%.2f ms", nanos / 1_000_000.0);
    }

    /** GET /healthz on a new TCP connection at a fixed pace, as a monitor would, each timed; anything but 200 fails the run. */
    private static final class HealthProbe {
        static final long EVERY_MILLIS = 250;
        private final InetSocketAddress daemon;
        private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean stop;
        private volatile Exception failure;

        HealthProbe(InetSocketAddress daemon) {
            this.daemon = daemon;
            this.thread = new Thread(this::probe, "healthz-probe");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void probe() {
            byte[] request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            while (!stop) {
                long t0 = System.nanoTime();
                try (Socket s = new Socket()) {
                    s.connect(daemon, (int) CLIENT_TIMEOUT_MILLIS);
                    s.setSoTimeout((int) CLIENT_TIMEOUT_MILLIS);
                    s.getOutputStream().write(request);
                    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    nanos.add(System.nanoTime() - t0);
                    if (!answer.startsWith("HTTP/1.1 200")) {
                        throw new IOException("/healthz answered " + answer.lines().findFirst().orElse("nothing"));
                    }
                    Thread.sleep(EVERY_MILLIS);
                } catch (Exception e) {
                    failure = e;
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join(CLIENT_TIMEOUT_MILLIS + 5_000);
            if (failure != null && !(failure instanceof InterruptedException)) {
                throw new IllegalStateException("/healthz probe failed: " + failure.getMessage() + ": no figures from this run", failure);
            }
        }

        LatencySample sample() {
            LatencySample s = new LatencySample(nanos.size());
            nanos.forEach(s::add);
            if (s.size() == 0) {
                throw new IllegalStateException("no /healthz probe completed");
            }
            return s;
        }
    }
}
