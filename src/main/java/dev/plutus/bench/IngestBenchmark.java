package dev.plutus.bench;

import dev.plutus.hermes.HermesHost;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.http.DaemonProcess;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST /v1/usage against a daemon in its own JVM over loopback: single-event requests and
 * 1,000-event batches from several client threads, events/s and per-request p50/p99, then the
 * store is counted to show every acknowledged event is there.
 */
public final class IngestBenchmark {
    private static final String EVENT = "{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"input_tokens\":1200,"
            + "\"output_tokens\":800,\"cache_read_tokens\":4000,\"task_type\":\"code_review\",\"workspace\":\"bench\"}";

    private final Path dir;
    private final PrintWriter out;

    public IngestBenchmark(Path dir, PrintWriter out) {
        this.dir = dir;
        this.out = out;
    }

    public void run(int singles, int batches, int threads) throws Exception {
        Path home = dir.resolve("plutus");
        Files.createDirectories(home);
        // The benchmark measures the daemon, not the rate limiter.
        Files.writeString(home.resolve("plutus.yaml"), "ingest:\n  rate_limit:\n    requests_per_second: 1000000\n    burst: 1000000\n");
        String key;
        try (Engine p = Engine.open(EngineConfig.builder(new HomeLayout(home)).build())) {
            key = new ApiKeys(new ApiKeyStore(p.jdbc()), p.clock()).create("bench").secret();
        }
        String batch = "[" + String.join(",", java.util.Collections.nCopies(1000, EVENT)) + "]";
        long acknowledged;
        try (DaemonProcess daemon = DaemonProcess.start(home, dir.resolve("daemon.out"))) {
            URI uri = URI.create(daemon.info().baseUrl() + "/v1/usage");
            out.printf("POST /v1/usage (daemon pid %d on %s, %d client threads):%n", daemon.pid(), daemon.info().baseUrl(), threads);
            out.flush();
            drive(uri, key, EVENT, 2_000, threads, 1);   // warm-up: JIT, connections, SQLite caches
            acknowledged = 2_000;
            if (Wrk.available()) {
                // wrk (C, two threads) leaves the daemon most of the two cores; an in-JVM client would take half of them.
                Wrk.Result single = Wrk.run(uri, key, EVENT, 16, 10, dir);
                out.printf("  single-event requests (wrk, 16 connections): %,d in %.1f s = %,.0f requests/s; p50 %s p99 %s%n",
                        single.requests(), single.seconds(), single.requests() / single.seconds(), single.p50(), single.p99());
                Wrk.Result batched = Wrk.run(uri, key, batch, 4, 15, dir);
                out.printf("  1,000-event batches (wrk, 4 connections):    %,d in %.1f s = %,.0f events/s; p50 %s p99 %s per batch%n",
                        batched.requests(), batched.seconds(), batched.requests() * 1000 / batched.seconds(), batched.p50(), batched.p99());
                acknowledged += single.requests() + batched.requests() * 1000;
            } else {
                out.println("  (wrk is not installed: the in-JVM client below shares the two cores with the daemon; apt-get install wrk)");
                Result single = drive(uri, key, EVENT, singles, threads, 1);
                out.printf("  single-event requests: %,d in %.1f s = %,.0f requests/s; p50 %s p99 %s%n", singles, single.seconds,
                        singles / single.seconds, LatencySample.millis(single.latency.percentile(50)),
                        LatencySample.millis(single.latency.percentile(99)));
                Result batched = drive(uri, key, batch, batches, threads, 1000);
                out.printf("  1,000-event batches:   %,d in %.1f s = %,.0f events/s; p50 %s p99 %s per batch%n", batches,
                        batched.seconds, batches * 1000L / batched.seconds, LatencySample.millis(batched.latency.percentile(50)),
                        LatencySample.millis(batched.latency.percentile(99)));
                acknowledged += singles + batches * 1000L;
            }
            // Last, a run whose every 200 is counted here, and the daemon is killed the moment the last one arrives.
            drive(uri, key, batch, 20, Math.min(threads, 4), 1000);
            acknowledged += 20_000;
            long rss = daemon.residentBytes();
            out.printf("  daemon RSS after %,d events: %s%n", acknowledged, rss < 0 ? "unknown" : String.format("%.0f MiB", rss / 1048576.0));
            daemon.kill();
        }
        try (Engine p = Engine.open(EngineConfig.builder(new HomeLayout(home)).build())) {
            long stored = p.calls().count();
            // wrk does not count requests still in flight when its time is up; the daemon may have committed them.
            out.printf("  killed with SIGKILL after the last 200: %,d acknowledged, %,d stored%s%n", acknowledged, stored,
                    stored >= acknowledged ? (stored == acknowledged ? "" : " (the rest answered after wrk stopped counting)")
                            : "  <-- ACKNOWLEDGED EVENTS MISSING");
        }
        out.flush();
    }

    private record Result(double seconds, LatencySample latency) {}

    private static Result drive(URI uri, String key, String body, int requests, int threads, int eventsEach) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        LatencySample latency = new LatencySample(requests);
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<long[]>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                long[] mine = new long[requests];
                int n = 0;
                for (long i; (i = next.getAndIncrement()) < requests; ) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    mine[n++] = System.nanoTime() - t0;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("daemon answered " + r.statusCode() + ": " + r.body());
                    }
                }
                return java.util.Arrays.copyOf(mine, n);
            }));
        }
        for (Future<long[]> f : parts) {
            for (long v : f.get()) {
                latency.add(v);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Result(seconds, latency);
    }
}
