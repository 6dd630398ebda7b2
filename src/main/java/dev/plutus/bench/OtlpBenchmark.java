package dev.plutus.bench;

import com.google.protobuf.ByteString;
import dev.plutus.core.HomeLayout;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.http.DaemonProcess;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.store.ApiKeyStore;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST /v1/traces against a daemon in its own JVM: protobuf exports of GenAI chat spans (each span a
 * distinct model call) from several client threads, spans/s and per-export p50/p99. It refuses to
 * print a figure unless the daemon answered every export without a rejected span and the store then
 * holds exactly the spans sent. A 503 (the daemon's ingest slots busy) is retried as exporters do;
 * the latency of an export includes its retries.
 */
public final class OtlpBenchmark {
    private final Path dir;
    private final PrintWriter out;

    public OtlpBenchmark(Path dir, PrintWriter out) {
        this.dir = dir;
        this.out = out;
    }

    public void run(int exports, int spansPerExport, int threads) throws Exception {
        Path home = dir.resolve("plutus");
        Files.createDirectories(home);
        Files.writeString(home.resolve("plutus.yaml"), "ingest:\n  rate_limit:\n    requests_per_second: 1000000\n    burst: 1000000\n"
                + "    events_per_second: 100000000\n    event_burst: 100000000\n");
        String key;
        try (Engine p = Engine.open(EngineConfig.builder(new HomeLayout(home)).build())) {
            key = new ApiKeys(new ApiKeyStore(p.jdbc()), p.clock()).create("bench").secret();
        }
        int warmup = Math.max(1, exports / 10);
        try (DaemonProcess daemon = DaemonProcess.start(home, dir.resolve("daemon.out"))) {
            URI uri = URI.create(daemon.info().baseUrl() + "/v1/traces");
            AtomicLong spanIds = new AtomicLong(1);
            drive(uri, key, warmup, spansPerExport, threads, spanIds);
            long t0 = System.nanoTime();
            LatencySample latency = drive(uri, key, exports, spansPerExport, threads, spanIds);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long sent = (long) (warmup + exports) * spansPerExport;
            daemon.kill();
            long stored;
            try (Engine p = Engine.open(EngineConfig.builder(new HomeLayout(home)).build())) {
                stored = p.calls().count();
            }
            if (stored != sent) {
                throw new BenchmarkRefused("POST /v1/traces: " + sent + " spans acknowledged, " + stored + " calls stored");
            }
            out.printf("POST /v1/traces (protobuf, %d spans per export, %d client threads): %,d spans in %.1f s = %,.0f spans/s;"
                    + " p50 %s p99 %s per export; %,d spans acknowledged = %,d calls stored%n", spansPerExport, threads,
                    (long) exports * spansPerExport, seconds, exports * (double) spansPerExport / seconds,
                    LatencySample.millis(latency.percentile(50)), LatencySample.millis(latency.percentile(99)), sent, stored);
            out.flush();
        }
    }

    private static LatencySample drive(URI uri, String key, int exports, int spansPerExport, int threads, AtomicLong spanIds)
            throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        LatencySample latency = new LatencySample(exports);
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<long[]>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                long[] mine = new long[exports];
                int n = 0;
                while (next.getAndIncrement() < exports) {
                    byte[] body = export(spansPerExport, spanIds);
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r;
                    // As OTLP exporters do: a 503 (both ingest slots busy) is retried; nothing of it was acknowledged.
                    int tries = 0;
                    while ((r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofByteArray())).statusCode() == 503 && ++tries < 50) {
                        Thread.sleep(20);
                    }
                    mine[n++] = System.nanoTime() - t0;
                    if (r.statusCode() != 200) {
                        throw new BenchmarkRefused("POST /v1/traces answered " + r.statusCode());
                    }
                    var answer = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(r.body());
                    if (answer.getPartialSuccess().getRejectedSpans() != 0) {
                        throw new BenchmarkRefused("POST /v1/traces rejected spans: " + answer.getPartialSuccess().getErrorMessage());
                    }
                }
                return java.util.Arrays.copyOf(mine, n);
            }));
        }
        try {
            for (Future<long[]> f : parts) {
                for (long v : f.get()) {
                    latency.add(v);
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BenchmarkRefused refused) {
                throw refused;
            }
            throw e;
        } finally {
            pool.shutdown();
        }
        return latency;
    }

    private static byte[] export(int spans, AtomicLong spanIds) {
        long now = System.currentTimeMillis() * 1_000_000L;
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < spans; i++) {
            long id = spanIds.getAndIncrement();
            scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(8, id).array()))
                    .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(id).array())).setName("chat gpt-4.1")
                    .setStartTimeUnixNano(now - 2_000_000_000L).setEndTimeUnixNano(now)
                    .addAttributes(text("gen_ai.operation.name", "chat")).addAttributes(text("gen_ai.provider.name", "openai"))
                    .addAttributes(text("gen_ai.request.model", "gpt-4.1")).addAttributes(number("gen_ai.usage.input_tokens", 1200))
                    .addAttributes(number("gen_ai.usage.output_tokens", 300)).addAttributes(text("gen_ai.conversation.id", "bench-" + (id % 50))));
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope)).build().toByteArray();
    }

    private static KeyValue text(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    private static KeyValue number(String k, long v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
    }
}
