package dev.plutus.bench;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.core.HomeLayout;
import dev.plutus.hermes.HermesInstaller;
import dev.plutus.hermes.PluginManifest;
import dev.plutus.http.DaemonProcess;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Hermes path end to end: the installed bridge in python3 calls the daemon (its own JVM) the
 * way Hermes calls a hook; then the daemon records many calls and its resident memory is read.
 */
public final class HookBenchmark {
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Path dir;
    private final PrintWriter out;

    public HookBenchmark(Path dir, PrintWriter out) {
        this.dir = dir;
        this.out = out;
    }

    public void run(int perHook, int threads, int perThread, long rssCalls) throws Exception {
        Path home = dir.resolve("plutus");
        Path hermes = dir.resolve("hermes");
        Files.createDirectories(hermes);
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(home), PluginManifest.bundled(), Clock.systemUTC());
        // A long timeout so slow answers show in the figures instead of turning into spooled events.
        installer.install(new HermesInstaller.BridgeSettings(5_000, "open", false, "plutus"));
        Path driver = dir.resolve("hook_bench.py");
        try (InputStream in = HookBenchmark.class.getResourceAsStream("/dev/plutus/hermes/bench/hook_bench.py")) {
            Files.write(driver, in.readAllBytes());
        }
        try (DaemonProcess daemon = DaemonProcess.start(home, dir.resolve("daemon.out"))) {
            String via = daemon.info().socket() == null ? daemon.info().baseUrl() : daemon.info().socket();
            out.printf("Hook round trip (python3 bridge -> daemon pid %d on %s):%n", daemon.pid(), via);
            out.flush();
            Process p = new ProcessBuilder("python3", driver.toString(), installer.pluginDir().toString(),
                    Integer.toString(perHook), Integer.toString(threads), Integer.toString(perThread))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("hook_bench.py failed: " + result);
            }
            JsonNode r = JSON.readTree(result);
            for (String hook : List.of("pre_tool_call", "post_api_request")) {
                JsonNode h = r.get(hook);
                out.printf("  %-17s %,d events  p50 %.0f µs  p99 %.0f µs  max %.0f µs%n", hook, h.get("events").asLong(),
                        h.get("p50_us").asDouble(), h.get("p99_us").asDouble(), h.get("max_us").asDouble());
            }
            JsonNode c = r.get("concurrent");
            out.printf("  %d concurrent sessions: %,.0f hook events/s (%,d events); spool files: %d%n",
                    c.get("sessions").asInt(), c.get("events_per_s").asDouble(), c.get("events").asLong(),
                    r.get("spooled_files").asInt());
            JsonNode status = dev.plutus.http.DaemonStatusClient.fetch(daemon.info(), dev.plutus.http.AccessToken.read(home.resolve("daemon.token")));
            JsonNode lat = status.path("hook_latency_us");
            out.printf("  inside the daemon: %,d hooks, p50 <= %d µs, p99 <= %d µs (bucket bounds)%n", lat.path("count").asLong(),
                    lat.path("p50_at_most").asLong(), lat.path("p99_at_most").asLong());
            out.flush();
            recordMany(daemon, home, rssCalls);
        }
    }

    /** Sends post_api_request events straight to the daemon from 8 threads, then reads its RSS. */
    private void recordMany(DaemonProcess daemon, Path home, long calls) throws Exception {
        String token = Files.readString(home.resolve("daemon.token")).strip();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create(daemon.info().baseUrl() + "/hooks/post_api_request");
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (long i; (i = next.getAndIncrement()) < calls; ) {
                    double now = System.currentTimeMillis() / 1000.0;
                    String body = "{\"session_id\":\"rss-" + (i % 500) + "\",\"api_request_id\":\"rss:" + i
                            + "\",\"platform\":\"cli\",\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\","
                            + "\"ended_at\":" + now + ",\"api_duration\":1.2,\"usage\":{\"input_tokens\":900,"
                            + "\"output_tokens\":300,\"cache_read_tokens\":4000,\"cache_write_tokens\":0,\"reasoning_tokens\":0}}";
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("daemon answered " + r.statusCode());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        long rss = daemon.residentBytes();
        out.printf("  %,d calls recorded over HTTP from 8 threads: %,.0f calls/s; daemon RSS %s%n", calls, calls / seconds,
                rss < 0 ? "unknown" : String.format("%.0f MiB", rss / 1048576.0));
        out.flush();
    }
}
