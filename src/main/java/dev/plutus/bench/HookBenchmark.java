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
    /** The RSS phase stops sending after this long (it ran over 5 minutes on a loaded machine) and says how far it got. */
    static final java.time.Duration RSS_PHASE_LIMIT = java.time.Duration.ofMinutes(2);

    private final Path dir;
    private final PrintWriter out;

    public HookBenchmark(Path dir, PrintWriter out) {
        this.dir = dir;
        this.out = out;
    }

    /**
     * Runs the bridge inside Hermes's real plugin manager (from {@code hermesSrc}) against a daemon on
     * a scratch home; the Python side never sees the user's PLUTUS_HOME or HERMES_HOME.
     */
    public void run(Path hermesSrc, int perHook, int threads, int perThread, long rssCalls) throws Exception {
        if (hermesSrc == null || !Files.isRegularFile(hermesSrc.resolve("hermes_cli/plugins.py"))) {
            throw new BenchmarkRefused("the hooks suite needs Hermes's plugin manager (hermes_cli/plugins.py and the files of "
                    + "INTEGRATION.md §14): pass --hermes-src DIR or set PLUTUS_HERMES_SRC" + (hermesSrc == null ? "" : "; not found in " + hermesSrc));
        }
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
            String channel = daemon.info().hookChannel();
            String via = channel != null ? channel + " (hook channel)"
                    : daemon.info().socket() == null ? daemon.info().baseUrl() : daemon.info().socket();
            out.printf("Hooks as Hermes sees them (Hermes's plugin manager from %s, python3 bridge -> daemon pid %d on %s):%n",
                    hermesSrc, daemon.pid(), via);
            out.flush();
            ProcessBuilder pb = new ProcessBuilder("python3", driver.toString(), hermesSrc.toString(),
                    Integer.toString(perHook), Integer.toString(threads), Integer.toString(perThread))
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            // The bridge reads PLUTUS_HOME before bridge.json: the user's must never reach it.
            pb.environment().remove("PLUTUS_HOME");
            pb.environment().put("HERMES_HOME", hermes.toString());
            Process p = pb.start();
            String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new BenchmarkRefused("hook_bench.py failed: " + result);
            }
            JsonNode r = JSON.readTree(result);
            refuseUnless(r.path("spooled_files").isEmpty(), "the bridge spooled events (" + r.path("spooled_files")
                    + "): their times are the spool's, not the daemon's");
            refuseUnless(r.path("failures").isEmpty(), "hooks failed: " + r.path("failures"));
            // The figures are the channel's only if every hook went over it: one that fell back to HTTP would mix two ways.
            refuseUnless(channel == null || r.path("sent_via").path("http").asLong() == 0, "the daemon announced its hook channel but "
                    + r.path("sent_via").path("http").asLong() + " hooks went over HTTP");
            // pre_tool_call answered from the verdict snapshot never reached the daemon; every other one did.
            long fromSnapshot = r.path("pre_tool_call_from").path("snapshot").asLong();
            long toolsAsked = r.path("pre_tool_call_from").path("daemon").asLong();
            refuseUnless(fromSnapshot + toolsAsked == r.path("sent").path("pre_tool_call").asLong(), "pre_tool_call answers: "
                    + fromSnapshot + " from the snapshot + " + toolsAsked + " from the daemon, but "
                    + r.path("sent").path("pre_tool_call").asLong() + " were dispatched");
            // pre_llm_call answered "nothing" from the snapshot never reached the daemon either.
            long llmFromSnapshot = r.path("pre_llm_call_from").path("snapshot").asLong();
            long llmAsked = r.path("pre_llm_call_from").path("daemon").asLong();
            refuseUnless(llmFromSnapshot + llmAsked == r.path("sent").path("pre_llm_call").asLong(), "pre_llm_call answers: "
                    + llmFromSnapshot + " from the snapshot + " + llmAsked + " from the daemon, but "
                    + r.path("sent").path("pre_llm_call").asLong() + " were dispatched");
            // pre_api_request after the middleware's answer is journaled; one the middleware did not decide is asked.
            long apiJournaled = r.path("pre_api_request_from").path("journal").asLong();
            long apiAsked = r.path("pre_api_request_from").path("daemon").asLong();
            refuseUnless(apiJournaled + apiAsked == r.path("sent").path("pre_api_request").asLong(), "pre_api_request: "
                    + apiJournaled + " journaled + " + apiAsked + " asked, but " + r.path("sent").path("pre_api_request").asLong()
                    + " were dispatched");
            for (String style : List.of("loop", "thread")) {
                JsonNode st = r.path("styles").path(style);
                long answered = st.path("pre_tool_call_from").path("snapshot").asLong() + st.path("pre_tool_call_from").path("daemon").asLong();
                refuseUnless(answered == st.path("pre_tool_call_events").asLong(), style + " dispatch: " + answered
                        + " pre_tool_call answers for " + st.path("pre_tool_call_events").asLong() + " events");
            }
            long sentHooks = r.path("sent").path("hooks").asLong() - fromSnapshot - llmFromSnapshot;
            // Hooks without a verdict were journaled, not sent: wait until the daemon has read every journal.
            JsonNode status = awaitConsumed(daemon, home, sentHooks);
            JsonNode lat = status.path("hook_latency_us");
            refuseUnless(status.path("spool").path("set_aside").asLong() == 0, "the daemon set "
                    + status.path("spool").path("set_aside").asLong() + " lines aside in rejected.jsonl");
            refuseUnless(lat.path("count").asLong() == sentHooks, "the daemon counted " + lat.path("count").asLong()
                    + " hooks, the driver sent " + sentHooks);
            long sentCalls = r.path("sent").path("post_api_request").asLong();
            long stored = storedCalls(home);
            refuseUnless(stored == sentCalls, "the daemon stored " + stored + " calls, the driver sent " + sentCalls
                    + " post_api_request events");
            for (String style : List.of("loop", "thread")) {
                JsonNode st = r.path("styles").path(style);
                refuseUnless(st.path("hooks").size() > 0, style + " dispatch: no hook figures");
                st.path("hooks").fields().forEachRemaining(h -> refuseUnless(h.getValue().path("events").asLong() > 0
                        && st.path("baseline").path(h.getKey()).path("events").asLong() == h.getValue().path("events").asLong(),
                        style + " " + h.getKey() + ": no no-op figure measured beside it, so what Plutus adds is unknown"));
            }
            for (String style : List.of("loop", "thread")) {
                JsonNode st = r.path("styles").path(style);
                out.printf("  %s dispatch (%s), connections opened by the bridge: %d; hooks sent on the channel %d, over HTTP %d; "
                        + "pre_tool_call answered from the verdict snapshot %d, by the daemon %d; pre_llm_call %d / %d; "
                        + "pre_api_request journaled after the middleware's answer %d, asked %d%n", style,
                        style.equals("loop") ? "invoke_hook on the caller's thread" : "a fresh thread per hook, as newer Hermes",
                        st.path("connections_opened").asLong(), st.path("sent_via").path("channel").asLong(),
                        st.path("sent_via").path("http").asLong(), st.path("pre_tool_call_from").path("snapshot").asLong(),
                        st.path("pre_tool_call_from").path("daemon").asLong(), st.path("pre_llm_call_from").path("snapshot").asLong(),
                        st.path("pre_llm_call_from").path("daemon").asLong(), st.path("pre_api_request_from").path("journal").asLong(),
                        st.path("pre_api_request_from").path("daemon").asLong());
                // The same manager with a plugin whose hooks do nothing, timed event for event in turn with plutus: Hermes's
                // own floor (in the thread style, starting a thread per hook), printed beside each figure with what Plutus adds.
                st.path("hooks").fields().forEachRemaining(h -> {
                    JsonNode base = st.path("baseline").path(h.getKey());
                    double p50 = h.getValue().get("p50_us").asDouble();
                    double p99 = h.getValue().get("p99_us").asDouble();
                    out.printf("    %-17s %,d events  p50 %.0f µs  p99 %.0f µs  max %.0f µs   | no-op plugin, same minutes: p50 %.0f µs  p99 %.0f µs"
                            + "  | Plutus adds: p50 %+.0f µs  p99 %+.0f µs%n",
                            h.getKey(), h.getValue().get("events").asLong(), p50, p99, h.getValue().get("max_us").asDouble(),
                            base.path("p50_us").asDouble(), base.path("p99_us").asDouble(),
                            p50 - base.path("p50_us").asDouble(), p99 - base.path("p99_us").asDouble());
                });
            }
            JsonNode c = r.get("concurrent");
            out.printf("  %d concurrent sessions: %,.0f hook events/s (%,d events)%n",
                    c.get("sessions").asInt(), c.get("events_per_s").asDouble(), c.get("events").asLong());
            out.printf("  %d concurrent sessions (post_api_request, pre_tool_call alternating): pre_tool_call from the snapshot %d, "
                    + "by the daemon %d%n", c.get("sessions").asInt(),
                    fromSnapshot - r.path("styles").path("loop").path("pre_tool_call_from").path("snapshot").asLong()
                            - r.path("styles").path("thread").path("pre_tool_call_from").path("snapshot").asLong(),
                    toolsAsked - r.path("styles").path("loop").path("pre_tool_call_from").path("daemon").asLong()
                            - r.path("styles").path("thread").path("pre_tool_call_from").path("daemon").asLong());
            out.printf("  checked: %,d hooks reached the daemon (%,d pre_tool_call and %,d pre_llm_call answered from the snapshot) "
                    + "= %,d counted by it; %,d calls sent = %,d stored; nothing spooled or set aside%n",
                    sentHooks, fromSnapshot, llmFromSnapshot, lat.path("count").asLong(), sentCalls, stored);
            out.printf("  inside the daemon: p50 <= %d µs, p99 <= %d µs (bucket bounds)%n",
                    lat.path("p50_at_most").asLong(), lat.path("p99_at_most").asLong());
            out.flush();
            long sent = recordMany(daemon, home, rssCalls, RSS_PHASE_LIMIT);
            long after = storedCalls(home, stored + sent);
            refuseUnless(after == stored + sent, "after the RSS phase the daemon stored " + after + " calls, expected "
                    + (stored + sent) + " (" + sent + " sent)");
        }
    }

    /**
     * /status once every journal is read and retired (its writer, the driver, has exited) and the daemon
     * counts every hook sent; the last answer after two minutes otherwise (the caller then refuses).
     */
    private static JsonNode awaitConsumed(DaemonProcess daemon, Path home, long sentHooks) throws Exception {
        dev.plutus.http.AccessToken token = dev.plutus.http.AccessToken.read(home.resolve("daemon.token"));
        Path journals = home.resolve(dev.plutus.http.PlutusDaemon.HOOK_JOURNAL);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            JsonNode status = dev.plutus.http.DaemonStatusClient.fetch(daemon.info(), token);
            boolean counted = status.path("hook_latency_us").path("count").asLong() >= sentHooks;
            if ((counted && !journalsLeft(journals)) || System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(50);
        }
    }

    private static boolean journalsLeft(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".jsonl") && !p.getFileName().toString().startsWith("."));
        }
    }

    private static long storedCalls(Path home) {
        try (dev.plutus.store.Database db = dev.plutus.store.Database.open(new HomeLayout(home).database(), 1)) {
            return new dev.plutus.store.CallStore(db.jdbc()).count();
        }
    }

    /**
     * The calls table's count once it reaches {@code expected}, or after 30 s: the daemon acknowledges a call once its
     * call journal holds it and fills the table behind, so a count read at once may trail the last answers.
     */
    private static long storedCalls(Path home, long expected) throws InterruptedException {
        long end = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        long n = storedCalls(home);
        while (n < expected && System.nanoTime() < end) {
            Thread.sleep(100);
            n = storedCalls(home);
        }
        return n;
    }

    private static void refuseUnless(boolean measured, String why) {
        if (!measured) {
            throw new BenchmarkRefused(why);
        }
    }

    /**
     * Sends post_api_request events straight to the daemon from 8 threads, {@code calls} of them or as many as
     * {@code limit} allows, then reads its RSS; returns how many were sent (each answered 200).
     */
    long recordMany(DaemonProcess daemon, Path home, long calls, java.time.Duration limit) throws Exception {
        String token = Files.readString(home.resolve("daemon.token")).strip();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create(daemon.info().baseUrl() + "/hooks/post_api_request");
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        long stopAt = start + limit.toNanos();
        AtomicLong sent = new AtomicLong();
        AtomicLong resent = new AtomicLong();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (long i; System.nanoTime() - stopAt < 0 && (i = next.getAndIncrement()) < calls; ) {
                    double now = System.currentTimeMillis() / 1000.0;
                    String body = "{\"_plutus_event_id\":\"rss-event-" + i + "\",\"session_id\":\"rss-" + (i % 500) + "\",\"api_request_id\":\"rss:" + i
                            + "\",\"platform\":\"cli\",\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\","
                            + "\"ended_at\":" + now + ",\"api_duration\":1.2,\"usage\":{\"input_tokens\":900,"
                            + "\"output_tokens\":300,\"cache_read_tokens\":4000,\"cache_write_tokens\":0,\"reasoning_tokens\":0}}";
                    HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    HttpResponse<Void> r;
                    for (int attempt = 1; ; attempt++) {
                        try {
                            r = http.send(request, HttpResponse.BodyHandlers.discarding());
                            break;
                        } catch (java.io.IOException e) {
                            // A kept-alive connection the daemon closed as idle just as it was reused: the JDK client does
                            // not resend a POST itself. The event id makes a resend of one that did arrive count once
                            // (the stored total is checked against what was sent below).
                            if (attempt == 3) {
                                throw e;
                            }
                            resent.incrementAndGet();
                        }
                    }
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("daemon answered " + r.statusCode());
                    }
                    sent.incrementAndGet();
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
        long n = sent.get();
        out.printf("  %,d calls recorded over HTTP from 8 threads%s: %,.0f calls/s; daemon RSS %s%s%n", n,
                n < calls ? String.format(" (of %,d asked: stopped after %d s)", calls, limit.toSeconds()) : "", n / seconds,
                rss < 0 ? "unknown" : String.format("%.0f MiB", rss / 1048576.0),
                resent.get() == 0 ? "" : String.format(" (%,d sent again after a kept-alive connection closed under them)", resent.get()));
        out.flush();
        return n;
    }
}
