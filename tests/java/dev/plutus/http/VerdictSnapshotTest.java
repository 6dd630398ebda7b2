package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's verdict snapshot (verdicts.snap) on a real daemon and SQLite store: what it lists, that
 * every hook answer carries the generation a snapshot must reach, and, with calls recorded, journaled,
 * held and released, budgets changed and clocks moved at random, that wherever the bridge's rules let
 * the snapshot answer "allow" the daemon would have allowed too.
 */
class VerdictSnapshotTest {
    private static final String ONE_DOLLAR_A_DAY = "budgets:\n  global:\n    daily_usd: 1\n";

    /** A call of {@code dollars} at claude-sonnet-4-6's $3 per million input tokens. */
    private static String call(String session, String requestId, double dollars) {
        return "{\"session_id\": \"" + session + "\", \"api_request_id\": \"" + requestId + "\", \"provider\": \"anthropic\", "
                + "\"model\": \"claude-sonnet-4-6\", \"usage\": {\"input_tokens\": " + Math.round(dollars * 1_000_000 / 3)
                + ", \"output_tokens\": 0}}";
    }

    private static String tool(String session) {
        return "{\"session_id\": \"" + session + "\", \"tool_name\": \"terminal\"}";
    }

    /** The snapshot file, or null while there is none (or it cannot be parsed, which never happens: it is renamed into place). */
    private static JsonNode snapshot(Path home) {
        try {
            return TestSupport.JSON.readTree(Files.readAllBytes(home.resolve(VerdictSnapshots.FILE)));
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode awaitSnapshot(Path home, Predicate<JsonNode> until) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode s = null;
        while (System.nanoTime() < end) {
            s = snapshot(home);
            if (s != null && until.test(s)) {
                return s;
            }
            Thread.sleep(2);
        }
        fail("no snapshot as expected within 20 s; last: " + s);
        return null;
    }

    private static long generationOf(java.net.http.HttpResponse<String> r) {
        return Long.parseLong(r.headers().firstValue(HookRequests.GENERATION_HEADER).orElseThrow());
    }

    @Test
    void listsEachActiveSessionsToolVerdictWithTheGenerationEveryAnswerCarries(@TempDir Path home) throws Exception {
        long firstGeneration;
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", ONE_DOLLAR_A_DAY).start()) {
            String token = d.token();
            var allowed = d.post("/hooks/pre_tool_call", tool("s1"), token);
            assertEquals("{}", allowed.body());
            long g1 = generationOf(allowed);
            firstGeneration = g1;
            JsonNode s = awaitSnapshot(home, n -> n.path("sessions").has("s1"));
            assertEquals("", s.path("sessions").path("s1").asText(), "allowed: an empty message");
            assertTrue(s.path("generation").asLong() >= g1);
            assertEquals(ProcessHandle.current().pid(), s.path("pid").asLong());
            assertTrue(s.path("end").asBoolean());
            long now = System.currentTimeMillis();
            assertTrue(s.path("valid_until_ms").asLong() > s.path("written_ms").asLong());
            assertTrue(s.path("valid_until_ms").asLong() <= (now / 60_000 + 1) * 60_000, "at most the next minute");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(VerdictSnapshots.FILE))));

            // A call counted: the answer's generation is newer, and the first snapshot that new blocks s1 with
            // the daemon's very message. A session never asked about is not listed.
            var recorded = d.post("/hooks/post_api_request", call("s1", "r1", 1.2), token);
            long g2 = generationOf(recorded);
            assertTrue(g2 > g1, "a call counted bumps the generation");
            JsonNode after = awaitSnapshot(home, n -> n.path("generation").asLong() >= g2);
            JsonNode daemonSays = TestSupport.JSON.readTree(d.post("/hooks/pre_tool_call", tool("s1"), token).body());
            assertEquals("block", daemonSays.path("action").asText());
            assertEquals(daemonSays.path("message").asText(), after.path("sessions").path("s1").asText());
            assertFalse(after.path("sessions").has("s2"));

            // The hook channel, protocol 2: the answer then a newline and the generation; protocol 1 unchanged.
            Path socket = Path.of(d.info().hookChannel());
            try (HookChannelTest.Client c = new HookChannelTest.Client(socket);
                 HookChannelTest.Client old = new HookChannelTest.Client(socket)) {
                assertEquals("200 ok", c.ask(HookChannel.HELLO_2 + token));
                String a = c.hook("pre_llm_call", "{\"session_id\": \"s2\"}");
                long g3 = Long.parseLong(a.substring(a.lastIndexOf('\n') + 1));
                assertTrue(g3 > g2, a);
                assertTrue(TestSupport.JSON.readTree(a.substring(4, a.lastIndexOf('\n'))).isObject(), a);
                assertEquals("200 ok", old.ask(HookChannel.HELLO + token));
                String b = old.hook("pre_tool_call", tool("s2"));
                assertFalse(b.contains("\n"), b);
                JsonNode listed = awaitSnapshot(home, n -> n.path("generation").asLong() >= g3 && n.path("sessions").has("s2"));
                assertEquals(daemonSays.path("message").asText(), listed.path("sessions").path("s2").asText(),
                        "the global cap blocks s2 as well");
            }

            // Journaled: the consumed offset of the journal is published, and only once its call is counted.
            Path dir = home.resolve(PlutusDaemon.HOOK_JOURNAL);
            Files.createDirectories(dir);
            Path journal = dir.resolve("testhost-4242-1.jsonl");
            try (FileChannel w = FileChannel.open(dir.resolve(".testhost-4242-1.jsonl.new"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND); FileLock held = w.lock()) {
                Files.move(dir.resolve(".testhost-4242-1.jsonl.new"), journal);
                byte[] line = ("{\"event\": \"post_api_request\", \"kwargs\": " + call("s3", "r3", 0.01) + "}\n")
                        .getBytes(StandardCharsets.UTF_8);
                w.write(ByteBuffer.wrap(line));
                JsonNode consumed = awaitSnapshot(home, n -> n.path("journals").path("testhost-4242-1.jsonl").asLong() == line.length);
                assertTrue(consumed.path("journals").path("testhost-4242-1.jsonl").isIntegralNumber());
            }
        }
        JsonNode stopped = snapshot(home);
        assertEquals(0, stopped.path("sessions").size(), "a stopped daemon lists no session: every bridge asks (and finds it down)");
        long last = stopped.path("generation").asLong();
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", ONE_DOLLAR_A_DAY).start()) {
            long again = generationOf(d.post("/hooks/pre_tool_call", tool("s1"), d.token()));
            assertTrue(again > last && again > firstGeneration, "a new daemon starts above every generation published before");
        }
    }

    @Test
    void anIdleWriterSleepsUntilToldAndABudgetChangeNoHookAnnouncesStillReachesTheFile(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", ONE_DOLLAR_A_DAY).start()) {
            assertEquals(200, d.send("POST", "/hooks/pre_tool_call", tool("idle"), d.token()).statusCode());
            awaitSnapshot(home, n -> "".equals(n.path("sessions").path("idle").asText(null)));
            VerdictSnapshots writer = d.daemon().verdictSnapshots();
            long before = writer.passes();
            Thread.sleep(1_500);
            // Polling every 10 ms made ~150 passes here; waking on change and once a second makes a few (the engine's
            // upkeep looks for budget changes every second and says so).
            long idle = writer.passes() - before;
            assertTrue(idle <= 8, "an idle writer went round " + idle + " times in 1.5 s");
            // A tighter budget is no hook's doing: the engine's reload tells the writer.
            Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0\n");
            JsonNode blocked = awaitSnapshot(home, n -> n.path("sessions").path("idle").asText("").contains("budget"));
            assertTrue(blocked.path("headroom").path("idle").isMissingNode(), "a blocked session has no headroom: " + blocked);
        }
    }

    @Test
    void aCronRunInHardBreachIsLeftToTheDaemonWhichHandsOutItsPauseOnce(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", ONE_DOLLAR_A_DAY).start()) {
            String token = d.token();
            d.post("/hooks/on_session_start", "{\"session_id\": \"cron_job42_20261202_101500\", \"platform\": \"cron\"}", token);
            d.post("/hooks/pre_tool_call", tool("plain"), token);
            long g = generationOf(d.post("/hooks/post_api_request", call("cron_job42_20261202_101500", "r1", 1.5), token));
            JsonNode s = awaitSnapshot(home, n -> n.path("generation").asLong() >= g && n.path("sessions").has("plain"));
            assertFalse(s.path("sessions").path("plain").asText().isEmpty(), "the global cap blocks the plain session");
            boolean cron = d.plutus().sessions().find("cron_job42_20261202_101500").map(r -> r.cronJobId() != null).orElse(false);
            assertTrue(cron, "a cron run");
            assertFalse(s.path("sessions").has("cron_job42_20261202_101500"), "its pause is handed out by the daemon, once");
            JsonNode first = TestSupport.JSON.readTree(d.post("/hooks/pre_tool_call", tool("cron_job42_20261202_101500"), token).body());
            assertEquals("block", first.path("action").asText());
            assertEquals("job42", first.path("pause_cron_job").path("job_id").asText(), first.toString());
        }
    }

    /**
     * The bridge's rule against the daemon's answer, step after random step. A "bridge" here keeps the highest
     * generation any answer carried and the journal offset after its last journaled call; at every check it
     * reads verdicts.snap and, where the rules let the snapshot answer, compares: the snapshot may block where
     * the daemon allows (stale after money aged out), never allow where the daemon blocks.
     */
    @Test
    void anAllowFromAUsableSnapshotIsNeverABlockOnTheChannel(@TempDir Path home) throws Exception {
        int usableAllows = 0;
        int usableBlocks = 0;
        for (long seed = 1; seed <= 3; seed++) {
            Path h = home.resolve("seed" + seed);
            int[] counts = run(h, new Random(seed), new Random(seed + 1000));
            usableAllows += counts[0];
            usableBlocks += counts[1];
        }
        assertTrue(usableAllows >= 20, "the snapshot answered allow " + usableAllows + " times: the comparison was made");
        assertTrue(usableBlocks >= 20, "the snapshot answered block " + usableBlocks + " times");
        assertTrue(allowsWithUncounted[0] >= 5, "allows with journaled calls not counted yet, inside the headroom: "
                + allowsWithUncounted[0]);
        // pre_llm_call: "nothing" from the file was compared with the channel's answer, also with calls not counted yet.
        assertTrue(llm[0] >= 20, "the snapshot answered pre_llm_call " + llm[0] + " times");
        assertTrue(llm[1] >= 3, "of which with journaled calls not counted yet: " + llm[1]);
        assertTrue(llm[2] >= 10, "the channel handed out notices " + llm[2] + " times: there were notices to hide");
    }

    private static final List<String> BUDGETS = List.of(
            "budgets:\n  global:\n    daily_usd: 1\n",
            "budgets:\n  global:\n    daily_usd: 0.5\n",
            "budgets:\n  global:\n    daily_usd: 3\n  per_session:\n    default:\n      daily_usd: 0.4\n",
            "budgets:\n  per_session:\n    default:\n      rolling_24h_usd: 0.3\n",
            "budgets:\n  global:\n    weekly_usd: 2\n    monthly_usd: 4\n");

    /** What the bridge remembers of a journaled line that may change a verdict: where it ends, and its cost (null: no bound). */
    private record Mark(long end, Cost cost) {}

    private record Cost(String session, String provider, String model, long tokens) {}

    private record Journaled(String kwargs, Cost cost) {}

    /**
     * A journaled call: mostly an ordinary one, sometimes hostile — a huge token count, a model no price is
     * known for (no bound: the bridge must ask), a dearer model than the session's (new scopes: ask), another
     * model served, no usage at all (the daemon estimates: ask).
     */
    private static Journaled journaledCall(Random rnd, String session, String id) {
        int kind = rnd.nextInt(10);
        long tokens = Math.round(rnd.nextDouble() * 0.3 * 1_000_000 / 3);
        String model = "claude-sonnet-4-6";
        String extra = "";
        boolean bounded = true;
        switch (kind) {
            case 0 -> tokens = 50_000_000L + rnd.nextInt(1_000_000); // $150 of input: far over any headroom
            case 1 -> {
                model = "mystery-model-" + rnd.nextInt(3); // unpriced: counted at a provisional price, no bound
                bounded = false;
            }
            case 2 -> model = "claude-opus-4-1"; // another model for the session
            case 3 -> {
                extra = ", \"response_model\": \"claude-opus-4-1\""; // priced as the model served
                bounded = false;
            }
            default -> {
            }
        }
        // Output tokens are the dearest class: their cost is the bound itself, so an allow near the cap is put to the test.
        boolean output = rnd.nextBoolean();
        if (output && kind != 0) {
            tokens = tokens / 5;
        }
        String usage = kind == 4 ? "null" : output ? "{\"input_tokens\": 0, \"output_tokens\": " + tokens + "}"
                : "{\"input_tokens\": " + tokens + ", \"output_tokens\": 0}";
        if (kind == 4) {
            bounded = false;
        }
        String kwargs = "{\"session_id\": \"" + session + "\", \"api_request_id\": \"" + id + "\", \"provider\": \"anthropic\", "
                + "\"model\": \"" + model + "\", \"usage\": " + usage + extra + ", \"output_chars\": 400000}";
        return new Journaled(kwargs, bounded ? new Cost(session, "anthropic", model, tokens) : null);
    }

    private final int[] allowsWithUncounted = {0};
    /** pre_llm_call: answered "nothing" from the file; of those with calls not counted yet; channel answers with notices. */
    private final int[] llm = {0, 0, 0};

    /** rnd drives the steps and pre_tool_call asks; llmRnd the pre_llm_call asks (so the steps stay as they were). */
    private int[] run(Path home, Random rnd, Random llmRnd) throws Exception {
        TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-12-02T22:30:00Z"), ZoneOffset.UTC);
        int usableAllows = 0;
        int usableBlocks = 0;
        delivered.clear();
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", BUDGETS.get(0) + "timezone: UTC\n").clock(clock).start()) {
            String token = d.token();
            VerdictSnapshots writer = d.daemon().verdictSnapshots();
            Path dir = home.resolve(PlutusDaemon.HOOK_JOURNAL);
            Files.createDirectories(dir);
            String name = "randhost-77-1.jsonl";
            try (FileChannel w = FileChannel.open(dir.resolve("." + name + ".new"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND); FileLock held = w.lock();
                 HookChannelTest.Client c = new HookChannelTest.Client(Path.of(d.info().hookChannel()))) {
                Files.move(dir.resolve("." + name + ".new"), dir.resolve(name));
                assertEquals("200 ok", c.ask(HookChannel.HELLO_2 + token));
                long[] seen = {0};
                long written = 0;
                long mark = 0;
                List<Mark> marks = new java.util.ArrayList<>();
                String[] sessions = {"a", "b", "c"};
                int n = 0;
                for (int step = 0; step < 140; step++) {
                    String s = sessions[rnd.nextInt(sessions.length)];
                    String position = ", \"_plutus_journal\": \"" + name + "\", \"_plutus_journal_offset\": " + written + "}";
                    switch (rnd.nextInt(9)) {
                        case 0, 1 -> { // a call, counted on the channel
                            generation(c.hook("post_api_request", call(s, "c" + n++, rnd.nextDouble() * 0.3)), seen);
                        }
                        case 2, 3 -> { // a call, only journaled (the daemon's tailer counts it on its own time)
                            Journaled j = journaledCall(rnd, s, "j" + n++);
                            byte[] line = ("{\"event\": \"post_api_request\", \"kwargs\": " + j.kwargs() + "}\n")
                                    .getBytes(StandardCharsets.UTF_8);
                            w.write(ByteBuffer.wrap(line));
                            written += line.length;
                            mark = written;
                            marks.add(new Mark(written, j.cost()));
                        }
                        case 4 -> { // a hold placed; sometimes released again through the journal
                            String id = "h" + n++;
                            generation(c.hook("pre_api_request", "{\"session_id\": \"" + s + "\", \"api_request_id\": \"" + id
                                    + "\", \"provider\": \"anthropic\", \"model\": \"claude-sonnet-4-6\", \"approx_input_tokens\": 50000, "
                                    + "\"max_tokens\": 1000" + position), seen);
                            if (rnd.nextBoolean()) {
                                byte[] line = ("{\"event\": \"api_request_error\", \"kwargs\": {\"session_id\": \"" + s
                                        + "\", \"api_request_id\": \"" + id + "\", \"retryable\": false}}\n").getBytes(StandardCharsets.UTF_8);
                                w.write(ByteBuffer.wrap(line));
                                written += line.length;
                            }
                        }
                        case 5 -> { // the budget changes; the reload and the writer's next poll follow
                            Files.writeString(home.resolve("budget.yaml"), BUDGETS.get(rnd.nextInt(BUDGETS.size())) + "timezone: UTC\n");
                            clock.advance(Duration.ofSeconds(11)); // past the quiet time a loosening waits for
                            d.plutus().reloadIfChanged();
                            clock.advance(Duration.ofSeconds(11));
                            d.plutus().reloadIfChanged();
                            writer.publish();
                        }
                        case 6 -> // time passes: seconds, or across a day, a week, a month
                            clock.advance(rnd.nextBoolean() ? Duration.ofSeconds(1 + rnd.nextInt(120))
                                    : Duration.ofHours(1 + rnd.nextInt(24 * 9)));
                        default -> { // the writer publishes (it does so on its own thread as well)
                            writer.publish();
                        }
                    }
                    for (String asked : sessions) {
                        JsonNode snap = snapshot(home);
                        String snapshotSays = usable(snap, asked, seen[0], name, mark, clock.millis(), marks);
                        if (snapshotSays != null && snapshotSays.isEmpty() && mark > 0
                                && snap.path("journals").path(name).asLong(-1) < mark) {
                            allowsWithUncounted[0]++;
                        }
                        String answer = c.hook("pre_tool_call", "{\"session_id\": \"" + asked + "\", \"tool_name\": \"terminal\""
                                + ", \"_plutus_journal\": \"" + name + "\", \"_plutus_journal_offset\": " + written + "}");
                        generation(answer, seen);
                        JsonNode daemonSays = TestSupport.JSON.readTree(answer.substring(4, answer.lastIndexOf('\n')));
                        boolean blocked = "block".equals(daemonSays.path("action").asText());
                        if (snapshotSays == null) {
                            continue;
                        }
                        if (snapshotSays.isEmpty()) {
                            usableAllows++;
                            assertFalse(blocked, "step " + step + ": the snapshot allowed " + asked + " where the daemon says "
                                    + answer + "; snapshot " + snapshot(home));
                        } else {
                            usableBlocks++;
                        }
                    }
                    // pre_llm_call: the file's "nothing" must never hide a notice or a pause the channel hands out. Every
                    // session is judged on the file as it is before any is asked (asking counts the journal first).
                    JsonNode snap = snapshot(home);
                    boolean uncounted = mark > 0 && snap != null && snap.path("journals").path(name).asLong(-1) < mark;
                    String[] kwargs = new String[sessions.length];
                    boolean[] quiet = new boolean[sessions.length];
                    for (int i = 0; i < sessions.length; i++) {
                        kwargs[i] = llmKwargs(llmRnd, sessions[i]);
                        quiet[i] = quiet(snap, sessions[i], TestSupport.JSON.readTree(kwargs[i]), seen[0], name, mark,
                                clock.millis(), marks);
                    }
                    for (int i = 0; i < sessions.length; i++) {
                        String answer = c.hook("pre_llm_call", kwargs[i].substring(0, kwargs[i].length() - 1)
                                + ", \"_plutus_journal\": \"" + name + "\", \"_plutus_journal_offset\": " + written + "}");
                        generation(answer, seen);
                        JsonNode daemonSays = TestSupport.JSON.readTree(answer.substring(4, answer.lastIndexOf('\n')));
                        String context = daemonSays.path("context").asText("");
                        if (!context.isEmpty()) {
                            llm[2]++;
                            delivered.addAll(List.of(context.split("\n\n")));
                        }
                        if (quiet[i]) {
                            llm[0]++;
                            if (uncounted) {
                                llm[1]++;
                            }
                            assertTrue(daemonSays.isEmpty(), "step " + step + ": the snapshot answered pre_llm_call of "
                                    + sessions[i] + " with nothing where the daemon says " + answer + "; snapshot " + snap);
                        }
                    }
                    // The writer catches up with those answers' generation (as its thread does within milliseconds), so the
                    // next step's file is judged as before these asks were added.
                    writer.publish();
                }
                // Whatever is still due is handed out now: then every alert and provisional notice recorded was
                // delivered exactly once (each notice claims its row; none twice, none lost).
                writer.publish();
                for (String asked : sessions) {
                    String answer = c.hook("pre_llm_call", "{\"session_id\": \"" + asked + "\", \"_plutus_journal\": \""
                            + name + "\", \"_plutus_journal_offset\": " + written + "}");
                    String context = TestSupport.JSON.readTree(answer.substring(4, answer.lastIndexOf('\n'))).path("context").asText("");
                    if (!context.isEmpty()) {
                        delivered.addAll(List.of(context.split("\n\n")));
                    }
                }
                long alerts = d.plutus().jdbc().queryLong("SELECT COUNT(*) FROM budget_alerts");
                long provisional = d.plutus().jdbc().queryLong("SELECT COUNT(*) FROM provisional_notices");
                assertTrue(alerts > 0, "no budget notice was due in the run");
                assertEquals(alerts + provisional, delivered.size(), "notices delivered " + delivered);
            }
        }
        return new int[] {usableAllows, usableBlocks};
    }

    private final List<String> delivered = new java.util.ArrayList<>();

    /** A pre_llm_call's kwargs: mostly as the session is known, sometimes naming a platform, model or sender that changes it. */
    private static String llmKwargs(Random rnd, String session) {
        return switch (rnd.nextInt(6)) {
            case 0 -> "{\"session_id\": \"" + session + "\", \"platform\": \"cli\", \"model\": \"claude-sonnet-4-6\"}";
            case 1 -> "{\"session_id\": \"" + session + "\", \"sender_id\": \"user-" + rnd.nextInt(2) + "\"}";
            case 2 -> "{\"session_id\": \"" + session + "\", \"model\": \"claude-opus-4-1\"}";
            default -> "{\"session_id\": \"" + session + "\"}";
        };
    }

    /**
     * Whether the bridge would answer pre_llm_call with nothing from the file (transport.VerdictSnapshot.quiet): the
     * session listed as quiet, the hook changing nothing of it, within the file's pre_llm_call validity, and calls not
     * counted yet under the money before its next notice (by the same rule as the pre_tool_call headroom).
     */
    private static boolean quiet(JsonNode snap, String session, JsonNode kwargs, long seen, String journal, long mark,
            long nowMillis, List<Mark> marks) {
        if (snap == null || !snap.path("end").asBoolean() || snap.path("generation").asLong() < seen
                || nowMillis >= snap.path("llm_valid_until_ms").asLong(0)) {
            return false;
        }
        JsonNode room = snap.path("llm_quiet").path(session);
        if (!room.path("micros").isIntegralNumber()) {
            return false;
        }
        for (String f : List.of("platform", "model")) {
            if (kwargs.has(f) && !kwargs.get(f).asText().equals(room.path(f).asText(null))) {
                return false;
            }
        }
        if (kwargs.has("sender_id") && !kwargs.get("sender_id").asText().equals(room.path("sender").asText(null))) {
            return false;
        }
        long counted = snap.path("journals").path(journal).asLong(-1);
        return mark == 0 || counted >= mark || withinRoom(snap, room, session, counted, marks);
    }

    private static void generation(String answer, long[] seen) {
        assertTrue(answer.startsWith("200 "), answer);
        seen[0] = Math.max(seen[0], Long.parseLong(answer.substring(answer.lastIndexOf('\n') + 1)));
    }

    /**
     * What the bridge would answer from the snapshot ("" allow, the message to block), or null: it asks the daemon.
     * The rules of transport.VerdictSnapshot.answer: a block as it is; an allow when every line that may change a
     * verdict is counted, or when the calls not counted yet, tokens times their model's bound, stay under the
     * session's headroom (none of them to another model than the session's, none without a bound).
     */
    private static String usable(JsonNode snap, String session, long seen, String journal, long mark, long nowMillis,
            List<Mark> marks) {
        if (snap == null || !snap.path("end").asBoolean() || snap.path("generation").asLong() < seen
                || nowMillis >= snap.path("valid_until_ms").asLong()
                || !snap.path("sessions").path(session).isTextual()) {
            return null;
        }
        String says = snap.path("sessions").path(session).asText();
        long counted = snap.path("journals").path(journal).asLong(-1);
        if (!says.isEmpty() || mark == 0 || counted >= mark) {
            return says;
        }
        JsonNode room = snap.path("headroom").path(session);
        if (!room.path("micros").isIntegralNumber()) {
            return null;
        }
        return withinRoom(snap, room, session, counted, marks) ? says : null;
    }

    /** The bridge's within_headroom: calls not counted yet, tokens times their bound, stay under the room's money. */
    private static boolean withinRoom(JsonNode snap, JsonNode room, String session, long counted, List<Mark> marks) {
        java.math.BigInteger total = java.math.BigInteger.ZERO;
        for (int i = marks.size() - 1; i >= 0 && marks.get(i).end() > counted; i--) {
            Cost c = marks.get(i).cost();
            if (c == null || (c.session().equals(session) && (!c.provider().equals(room.path("provider").asText())
                    || !c.model().equals(room.path("model").asText())))) {
                return false;
            }
            JsonNode bound = snap.path("price_bounds").path(c.provider()).path(c.model());
            if (!bound.isIntegralNumber()) {
                return false;
            }
            total = total.add(java.math.BigInteger.valueOf(c.tokens()).multiply(bound.bigIntegerValue()));
        }
        return total.compareTo(room.path("micros").bigIntegerValue().multiply(java.math.BigInteger.valueOf(1_000_000))) < 0;
    }
}
