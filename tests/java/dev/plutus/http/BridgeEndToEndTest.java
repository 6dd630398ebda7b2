package dev.plutus.http;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.hermes.HermesInstaller;
import dev.plutus.hermes.PluginManifest;
import dev.plutus.command.SlashCommands;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hermes's side played by the real bridge (installed by the installer, run by python3), the daemon
 * in its own JVM: what the daemon ends up with must equal what the engine computes directly.
 */
@org.junit.jupiter.api.Tag("store")
class BridgeEndToEndTest {
    private static final List<String> COMPARED = List.of("models month", "providers month", "cron month", "tools month",
            "raw 50");
    /** Reads decimals as written (0.076800 stays 0.076800), as the engine's own JSON holds them. */
    private static final com.fasterxml.jackson.databind.ObjectMapper EXACT = dev.plutus.core.Json.EXACT;
    private static final String BUDGET = """
            budgets:
              global:
                daily_usd: 50
              per_session:
                default:
                  daily_usd: 20
            timezone: UTC
            """;

    @Test
    void aRealisticSessionThroughTheBridgeMatchesTheEngine(@TempDir Path tmp) throws Exception {
        Path events = shiftedSequence(tmp, "session-sequence.jsonl");
        Path home = tmp.resolve("plutus");
        Path plugin = install(tmp.resolve("hermes"), home);
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            List<JsonNode> out = drive(plugin, events, 0, Integer.MAX_VALUE, "stats,budget");
            assertTrue(out.stream().allMatch(n -> !n.has("reply") || n.get("reply").isNull()), out.toString());
            String bridgeStats = out.stream().filter(n -> "stats".equals(n.path("command").asText()))
                    .findFirst().orElseThrow().get("text").asText();
            assertTrue(bridgeStats.contains("Plutus"), bridgeStats);
            assertSameAsEngine(daemon.info(), home, events, tmp.resolve("direct"));
        }
    }

    @Test
    void sigkillMidSessionLosesNothingAndCountsNothingTwice(@TempDir Path tmp) throws Exception {
        Path events = shiftedSequence(tmp, "session-sequence.jsonl");
        Path home = tmp.resolve("plutus");
        Path plugin = install(tmp.resolve("hermes"), home);
        DaemonProcess first = DaemonProcess.start(home, tmp.resolve("daemon.log"));
        drive(plugin, events, 0, 9, null);
        first.kill();
        // Hermes carries on with the subagent while the daemon is gone: the bridge spools.
        List<JsonNode> whileDown = drive(plugin, events, 9, Integer.MAX_VALUE, null);
        assertTrue(whileDown.size() > 10);
        try (var spool = Files.list(home.resolve("spool"))) {
            assertEquals(1, spool.count(), "one spool file from the driver process");
        }
        try (DaemonProcess second = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            assertSameAsEngine(second.info(), home, events, tmp.resolve("direct"));
            // The events of the first part, replayed again (as if the bridge had spooled after a late answer), change nothing.
            drive(plugin, events, 0, 9, null);
            assertSameAsEngine(second.info(), home, events, tmp.resolve("direct2"));
        }
    }

    @Test
    void aCronJobOverItsBudgetIsBlockedAndPausedOnceThroughTheBridge(@TempDir Path tmp) throws Exception {
        Path events = shiftedSequence(tmp, "session-sequence-cron.jsonl");
        Path home = tmp.resolve("plutus");
        Path plugin = install(tmp.resolve("hermes"), home);
        Files.writeString(home.resolve("budget.yaml"), """
                budgets:
                  per_cron_job:
                    default:
                      daily_usd: 0.0001
                on_estimated:
                  mode: enforce
                timezone: UTC
                """);
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            List<JsonNode> out = drive(plugin, events, 0, Integer.MAX_VALUE, null);
            JsonNode block = out.stream().filter(n -> "pre_tool_call".equals(n.path("hook").asText())).findFirst().orElseThrow();
            assertEquals("block", block.path("reply").path("action").asText(), out.toString());
            assertTrue(block.path("reply").path("message").asText().contains("cron_job d200f53be09d"), block.toString());
            JsonNode paused = out.get(out.size() - 1).get("paused");
            assertEquals(1, paused.size(), out.toString());
            assertEquals("d200f53be09d", paused.get(0).get("job_id").asText());
            // A new run of the same job in the same window is stopped at its start, and not paused again.
            List<JsonNode> rerun = drive(plugin, events, 0, 2, null);
            assertTrue(rerun.get(1).path("reply").path("context").asText().contains("stopped this run"), rerun.toString());
            assertEquals(0, rerun.get(rerun.size() - 1).get("paused").size());
        }
    }

    @Test
    void nanKwargsReachTheRealDaemonAsValidJsonAndGetARealVerdictUnderFailClosed(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Path plugin = installUnderATinyCap(tmp, home, "closed");
        ObjectNode call = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        double now = System.currentTimeMillis() / 1000.0;
        call.put("started_at", now - 2).put("ended_at", now).put("api_duration", "<nan>").put("task_id", "<inf>");
        ObjectNode tool = ((ObjectNode) TestSupport.hermesJson("pre_tool_call.json")).put("task_id", "<nan>");
        String lines = TestSupport.JSON.createObjectNode().put("hook", "post_api_request").set("kwargs", call) + "\n"
                + TestSupport.JSON.createObjectNode().put("hook", "pre_tool_call").set("kwargs", tool) + "\n";
        // Python's json reads these as float('nan') and float('inf'): the kwargs Hermes can hand the bridge.
        Path events = tmp.resolve("events.jsonl");
        Files.writeString(events, lines.replace("\"<nan>\"", "NaN").replace("\"<inf>\"", "Infinity"));
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            List<JsonNode> out = drive(plugin, events, 0, Integer.MAX_VALUE, null);
            JsonNode verdict = out.get(1).path("reply");
            assertEquals("block", verdict.path("action").asText(), out.toString());
            assertTrue(verdict.path("message").asText().contains("global"), verdict.toString());
            assertTrue(!verdict.path("message").asText().contains("unreachable") && !verdict.path("message").asText().contains("HTTP"),
                    "the daemon's own verdict, not fail_mode: " + verdict);
            assertRecordedOnceAndNothingSpooled(home, daemon, "the call with a NaN duration");
        }
    }

    @Test
    void aPostApiRequestOverTheDaemonsBodyLimitIsRecordedTrimmedAndTheNextToolGetsARealVerdict(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Path plugin = installUnderATinyCap(tmp, home, "open");
        ObjectNode call = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        double now = System.currentTimeMillis() / 1000.0;
        String twoMegabytes = "x".repeat(2 << 20);
        call.put("started_at", now - 2).put("ended_at", now).put("messages", twoMegabytes);
        ObjectNode tool = ((ObjectNode) TestSupport.hermesJson("pre_tool_call.json")).put("extra", twoMegabytes);
        Path events = tmp.resolve("events.jsonl");
        Files.writeString(events, TestSupport.JSON.createObjectNode().put("hook", "post_api_request").set("kwargs", call) + "\n"
                + TestSupport.JSON.createObjectNode().put("hook", "pre_tool_call").set("kwargs", tool) + "\n");
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            List<JsonNode> out = drive(plugin, events, 0, Integer.MAX_VALUE, null);
            JsonNode verdict = out.get(1).path("reply");
            assertEquals("block", verdict.path("action").asText(), "under fail_mode open only the daemon blocks: " + out);
            assertTrue(verdict.path("message").asText().contains("global"), verdict.toString());
            assertRecordedOnceAndNothingSpooled(home, daemon, "the 2 MB call");
        }
    }

    /**
     * Each model call as Hermes makes it: the request middleware (which asks the daemon and holds the call's money), then
     * pre_api_request (journaled: it only renews that hold), then post_api_request. The call after the cap is reached
     * is itself shrunk, every call is counted exactly once, and no hold outlives its call.
     */
    @Test
    void theMiddlewareDecidesEachCallItsPreApiRequestIsJournaledAndNoHoldOutlivesItsCall(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Path plugin = install(tmp.resolve("hermes"), home);
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.05\ntimezone: UTC\n");
        String session = "20261203_090000_abcdef";
        StringBuilder lines = new StringBuilder();
        double now = System.currentTimeMillis() / 1000.0;
        for (int n = 1; n <= 3; n++) {
            ObjectNode context = TestSupport.JSON.createObjectNode().put("session_id", session).put("platform", "cli")
                    .put("api_request_id", session + ":t:api:" + n).put("provider", "anthropic").put("model", "claude-sonnet-4-6")
                    .put("api_mode", "anthropic_messages").put("api_call_count", n);
            ObjectNode middleware = context.deepCopy();
            middleware.putObject("request").put("model", "claude-sonnet-4-6").put("max_tokens", 1000)
                    .putArray("messages").addObject().put("role", "user").put("content", "x".repeat(400));
            ObjectNode pre = context.deepCopy().put("approx_input_tokens", 10_000).put("max_tokens", 1000);
            ObjectNode post = context.deepCopy().put("started_at", now - 2).put("ended_at", now).put("api_duration", 2.0);
            post.putObject("usage").put("input_tokens", n < 3 ? 10_000 : 20).put("output_tokens", n < 3 ? 100 : 16);
            for (var e : List.of(java.util.Map.entry("llm_request", middleware), java.util.Map.entry("pre_api_request", pre),
                    java.util.Map.entry("post_api_request", post))) {
                ObjectNode line = TestSupport.JSON.createObjectNode().put("hook", e.getKey());
                line.set("kwargs", e.getValue());
                lines.append(line).append('\n');
            }
        }
        Path events = tmp.resolve("events.jsonl");
        Files.writeString(events, lines.toString());
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            List<JsonNode> out = drive(plugin, events, 0, Integer.MAX_VALUE, null);
            assertTrue(out.get(0).get("reply").isNull() && out.get(3).get("reply").isNull(), "under the cap: sent as they were " + out);
            assertEquals(16, out.get(6).path("reply").path("request").path("max_tokens").asInt(),
                    "the call after the cap was reached is itself shrunk: " + out.get(6));
            for (int i : new int[] {1, 4, 7}) {
                assertTrue(out.get(i).get("reply").isNull(), out.get(i).toString());
            }
            String token = Files.readString(home.resolve("daemon.token")).strip();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            JsonNode global;
            long calls;
            do {
                Thread.sleep(50);
                calls = EXACT.readTree(command(daemon.info(), token, "stats", "today", true)).path("usage").path("calls").asLong();
                global = EXACT.readTree(command(daemon.info(), token, "budget", "", true)).path("scopes").get(0);
            } while ((calls < 3 || global.path("held_usd").decimalValue().signum() != 0) && System.nanoTime() < until);
            assertEquals(3, calls, "every call counted once");
            assertEquals(0, global.path("held_usd").decimalValue().signum(), "no hold outlives its call: " + global);
            assertEquals(0, new java.math.BigDecimal("0.063300").compareTo(global.path("spent_usd").decimalValue()),
                    "2 x $0.0315 + the shrunk call's $0.0003: " + global);
            assertTrue(!Files.exists(home.resolve("spool")) || Files.list(home.resolve("spool")).findAny().isEmpty(),
                    "nothing was spooled or set aside");
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(daemon.info().baseUrl() + "/metrics"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("plutus_hook_events_total{kind=\"journaled\"} 6\n"),
                    "three post_api_request and three pre_api_request came by the journal: " + metrics);
            assertTrue(metrics.contains("plutus_hook_events_total{kind=\"events\"} 9\n"), "and three middleware asks: " + metrics);
        }
    }

    /** The bridge installed with {@code failMode}, over a home whose global budget ($0.0001 a day) any call breaks. */
    private static Path installUnderATinyCap(Path tmp, Path home, String failMode) throws IOException {
        Path plugin = install(tmp.resolve("hermes"), home, failMode);
        Files.writeString(home.resolve("budget.yaml"), """
                budgets:
                  global:
                    daily_usd: 0.0001
                timezone: UTC
                """);
        return plugin;
    }

    private static void assertRecordedOnceAndNothingSpooled(Path home, DaemonProcess daemon, String what) throws Exception {
        String token = Files.readString(home.resolve("daemon.token")).strip();
        JsonNode stats = EXACT.readTree(command(daemon.info(), token, "stats", "month", true));
        assertEquals(1, stats.get("usage").get("calls").asLong(), what + " was recorded, once");
        assertTrue(!Files.exists(home.resolve("spool")) || Files.list(home.resolve("spool")).findAny().isEmpty(),
                "nothing was refused or spooled");
    }

    private static Path install(Path hermes, Path home) throws IOException {
        return install(hermes, home, "open");
    }

    private static Path install(Path hermes, Path home, String failMode) throws IOException {
        Files.createDirectories(home);
        Files.writeString(home.resolve("budget.yaml"), BUDGET);
        Files.createDirectories(hermes);
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(home), PluginManifest.bundled(), Clock.systemUTC());
        // A generous timeout: this test is about what is counted, not about the 250 ms default.
        installer.install(new HermesInstaller.BridgeSettings(10_000, failMode, false, "plutus"));
        return installer.pluginDir();
    }

    /** The fixture sequence moved to end a minute ago, so every window of the reports holds it. */
    static Path shiftedSequence(Path tmp, String fixture) throws IOException {
        List<TestSupport.HookEvent> seq = TestSupport.sequence(fixture);
        double last = 0;
        for (TestSupport.HookEvent e : seq) {
            last = Math.max(last, e.kwargs().path("ended_at").asDouble(0));
        }
        double shift = System.currentTimeMillis() / 1000.0 - 60 - last;
        StringBuilder out = new StringBuilder();
        for (TestSupport.HookEvent e : seq) {
            ObjectNode k = e.kwargs().deepCopy();
            for (String f : List.of("started_at", "ended_at")) {
                if (k.path(f).isNumber()) {
                    k.put(f, k.get(f).asDouble() + shift);
                }
            }
            ObjectNode line = TestSupport.JSON.createObjectNode().put("hook", e.hook());
            line.set("kwargs", k);
            out.append(line).append('\n');
        }
        Path file = tmp.resolve("events.jsonl");
        Files.writeString(file, out.toString());
        return file;
    }

    static List<JsonNode> drive(Path plugin, Path events, int start, int end, String commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", Path.of("tests/python/hermes_driver.py").toAbsolutePath().toString(),
                plugin.toString(), events.toString(), Integer.toString(start), Integer.toString(end)));
        if (commands != null) {
            cmd.add(commands);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), stdout);
        List<JsonNode> out = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (!line.isBlank()) {
                out.add(TestSupport.JSON.readTree(line));
            }
        }
        return out;
    }

    private static void assertSameAsEngine(DaemonInfo daemon, Path home, Path events, Path direct) throws Exception {
        Files.createDirectories(direct);
        Files.writeString(direct.resolve("budget.yaml"), BUDGET);
        String token = Files.readString(home.resolve("daemon.token")).strip();
        try (TestEngine engine = TestSupport.open(direct, Clock.systemUTC())) {
            for (String line : Files.readAllLines(events)) {
                JsonNode e = TestSupport.JSON.readTree(line);
                engine.hooks().dispatch(e.get("hook").asText(), e.get("kwargs"));
            }
            SlashCommands commands = engine.commands();
            for (String args : COMPARED) {
                assertEquals(commands.run("stats", args).text(), command(daemon, token, "stats", args, false), "/stats " + args);
            }
            assertEquals(commands.run("budget", "").text(), command(daemon, token, "budget", "", false), "/budget");
            JsonNode mine = EXACT.readTree(command(daemon, token, "stats", "month", true));
            JsonNode theirs = commands.run("stats", "month").json();
            // Compared as JSON text: node classes differ after a round trip (int vs long), values must not.
            assertEquals(theirs.get("usage").toString(), mine.get("usage").toString());
            assertEquals(theirs.get("tools").toString(), mine.get("tools").toString());
            for (String f : List.of("sessions", "subagents", "ok", "failed", "running")) {
                assertEquals(theirs.get("sessions").get(f).asLong(), mine.get("sessions").get(f).asLong(), "sessions." + f);
            }
            assertTrue(mine.get("usage").get("calls").asLong() >= 5, mine.toString());
        }
    }

    private static String command(DaemonInfo d, String token, String name, String args, boolean json) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(d.baseUrl() + "/commands/" + name + (json ? "?format=json" : "")))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(args)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
