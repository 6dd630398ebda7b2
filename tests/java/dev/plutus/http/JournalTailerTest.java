package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.Json;
import dev.plutus.store.CallStore;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's reading of hook journals, on a real daemon and SQLite store, with files written as the bridge writes them. */
class JournalTailerTest {

    private static String call(String id) {
        return "{\"event\": \"post_api_request\", \"kwargs\": {\"session_id\": \"s1\", \"platform\": \"cli\", \"api_request_id\": \""
                + id + "\", \"provider\": \"anthropic\", \"model\": \"claude-sonnet-4-6\", \"usage\": {\"input_tokens\": 100, "
                + "\"output_tokens\": 10}, \"_plutus_event_id\": \"e-" + id + "\"}}\n";
    }

    private static long stored(DaemonHarness d) {
        return new CallStore(d.plutus().jdbc()).count();
    }

    private static List<JsonNode> rejected(Path home) throws Exception {
        Path f = home.resolve("spool/rejected.jsonl");
        if (!Files.exists(f)) {
            return List.of();
        }
        return Files.readAllLines(f).stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void aDeadWritersJournalIsCountedOnceItsBadLinesAndUnfinishedTailSetAsideAndTheFileDeleted(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            Path dir = Files.createDirectories(home.resolve("hook-journal"));
            Path journal = dir.resolve("host-4242-1.jsonl");
            // Written whole under a hidden name and then renamed, as the bridge publishes a journal only once it is locked.
            Path hidden = dir.resolve(".host-4242-1.jsonl.new");
            Files.writeString(hidden, call("a") + "{not json\n" + call("b") + call("a") + "{\"event\": \"post_api_req");
            Files.move(hidden, journal);
            d.daemon().drainJournalsNow();
            assertEquals(2, stored(d), "a and b, and a's second line counted once");
            List<JsonNode> set = rejected(home);
            assertEquals(2, set.size(), set.toString());
            assertTrue(set.get(0).path("problem").asText().startsWith("not JSON"), set.toString());
            assertEquals("{not json", set.get(0).path("raw").asText());
            assertTrue(set.get(1).path("problem").asText().contains("never acknowledged"), set.toString());
            assertEquals("{\"event\": \"post_api_req", set.get(1).path("raw").asText());
            assertFalse(Files.exists(journal), "read to its end, writer gone: deleted");
            assertEquals(2, d.daemon().status().answer().spool().setAside());
        }
    }

    @Test
    void aLiveWritersUnfinishedLineWaitsForItsNewline(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            Path dir = Files.createDirectories(home.resolve("hook-journal"));
            Path journal = dir.resolve("host-4243-1.jsonl");
            String line = call("c");
            try (FileChannel w = liveWriter(dir, journal)) {
                w.write(java.nio.ByteBuffer.wrap(line.substring(0, 40).getBytes(StandardCharsets.UTF_8)));
                d.daemon().drainJournalsNow();
                assertEquals(0, stored(d));
                assertEquals(List.of(), rejected(home), "a line still being written is not set aside");
                assertTrue(Files.exists(journal));
                w.write(java.nio.ByteBuffer.wrap(line.substring(40).getBytes(StandardCharsets.UTF_8)));
                d.daemon().drainJournalsNow();
                assertEquals(1, stored(d));
                assertTrue(Files.exists(journal), "its writer still holds it");
            }
            d.daemon().drainJournalsNow();
            assertFalse(Files.exists(journal), "writer gone: deleted");
            assertEquals(List.of(), rejected(home));
        }
    }

    @Test
    void aVerdictCountsTheJournalUpToItsOffsetFirstAndIsUnknownWhenItCannot(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.0004\n");
        try (DaemonHarness d = DaemonHarness.start(home)) {
            Path dir = Files.createDirectories(home.resolve("hook-journal"));
            Path journal = dir.resolve("host-4244-1.jsonl");
            String line = call("d");
            try (FileChannel w = liveWriter(dir, journal)) {
                w.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
                long offset = line.getBytes(StandardCharsets.UTF_8).length;
                // $0.00045 journaled a moment ago against a $0.0004 limit: the verdict must already count it.
                HttpResponse<String> r = hook(d, "{\"session_id\": \"s1\", \"_plutus_journal\": \"host-4244-1.jsonl\", "
                        + "\"_plutus_journal_offset\": " + offset + "}");
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"block\""), r.body());
                assertEquals(1, stored(d));
                for (String bad : List.of("\"host-4244-1.jsonl\", \"_plutus_journal_offset\": " + (offset + 1),
                        "\"../daemon.token\", \"_plutus_journal_offset\": 1", "\"host-9-1.jsonl\", \"_plutus_journal_offset\": 1",
                        "\"host-4244-1.jsonl\"")) {
                    HttpResponse<String> u = hook(d, "{\"session_id\": \"s1\", \"_plutus_journal\": " + bad + "}");
                    assertEquals(503, u.statusCode(), bad + ": " + u.body());
                    assertEquals("verdict unknown", u.headers().firstValue("X-Plutus-Error").orElse(""), bad);
                }
            }
        }
    }

    /** A later Hermes process given the pid of one whose journal was read and deleted writes under the same name. */
    @Test
    void aJournalNameInUseAgainAfterItsFileWasRetiredIsReadAndCountedByVerdicts(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.0008\n");
        try (DaemonHarness d = DaemonHarness.start(home)) {
            Path dir = Files.createDirectories(home.resolve("hook-journal"));
            Path journal = dir.resolve("host-4250-1.jsonl");
            Files.writeString(dir.resolve(".first.new"), call("first"));
            Files.move(dir.resolve(".first.new"), journal);
            d.daemon().drainJournalsNow();
            assertEquals(1, stored(d));
            assertFalse(Files.exists(journal), "read, its writer gone: retired");
            String line = call("second");   // $0.00045 more: $0.0009 against $0.0008
            try (FileChannel w = liveWriter(dir, journal)) {
                w.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
                HttpResponse<String> r = hook(d, "{\"session_id\": \"s1\", \"_plutus_journal\": \"host-4250-1.jsonl\", "
                        + "\"_plutus_journal_offset\": " + line.getBytes(StandardCharsets.UTF_8).length + "}");
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"block\""), "the new file's call is counted first: " + r.body());
                assertEquals(2, stored(d));
            }
        }
    }

    /**
     * A journal as a live bridge holds it: created under a hidden name, locked, then renamed; the lock lasts until the
     * returned channel is closed.
     */
    private static FileChannel liveWriter(Path dir, Path journal) throws java.io.IOException {
        FileChannel w = FileChannel.open(dir.resolve(".new"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        w.lock();
        Files.move(dir.resolve(".new"), journal);
        return w;
    }

    private static HttpResponse<String> hook(DaemonHarness d, String body) throws Exception {
        return d.send("POST", "/hooks/pre_tool_call", body, d.token());
    }

    @Test
    void anIdleTailerBacksOffToAFewPassesASecondAndANudgeOrAHookWakesIt(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            JournalTailer t = d.daemon().journalTailer();
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (t.pause() < JournalTailer.SLOWEST_PASS_NANOS && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(JournalTailer.SLOWEST_PASS_NANOS, t.pause(), "nothing arrives: the pause grows to the slowest");
            long before = t.passes();
            Thread.sleep(1_000);
            long idle = t.passes() - before;
            assertTrue(idle <= 10, idle + " passes in an idle second (every 2 ms would be 500)");
            // A nudge on the hook channel ends the long pause.
            try (HookChannelTest.Client c = new HookChannelTest.Client(Path.of(d.info().hookChannel()))) {
                assertEquals("200 ok", c.ask(HookChannel.HELLO + d.token()));
                c.send(new byte[0]);
                awaitWakes(t, 1);
                assertTrue(t.wakes() >= 1);
                // Nudges get no answer: the next answer read is the next request's.
                assertTrue(c.hook("pre_llm_call", "{\"session_id\": \"s1\"}").startsWith("200 "));
            }
            while (t.pause() < JournalTailer.SLOWEST_PASS_NANOS && System.nanoTime() < until + 20_000_000_000L) {
                Thread.sleep(20);
            }
            assertEquals(JournalTailer.SLOWEST_PASS_NANOS, t.pause());
            // So does a hook over HTTP.
            long woken = t.wakes();
            assertEquals(200, d.post("/hooks/pre_llm_call", "{\"session_id\": \"s1\"}", d.token()).statusCode());
            awaitWakes(t, woken + 1);
            assertEquals(woken + 1, t.wakes());
        }
    }

    private static void awaitWakes(JournalTailer t, long n) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (t.wakes() < n && System.nanoTime() < until) {
            Thread.sleep(5);
        }
    }

    private static String line(String event, String kwargs) {
        return "{\"event\": \"" + event + "\", \"kwargs\": " + kwargs + "}\n";
    }

    /**
     * Twenty writers each rotated once: the hold of a call in its first file, the call's report in its second. Whatever
     * order the files are listed in, the tailing thread reads each writer's files in writing order, so every hold ends.
     */
    @Test
    void eachWritersFilesAreReadInTheOrderItWroteThemSoNoHoldOutlivesItsCall(@TempDir Path home) throws Exception {
        int writers = 20;
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets:\n  global:\n    daily_usd: 100\n").start()) {
            Path dir = Files.createDirectories(home.resolve("hook-journal"));
            for (int w = 0; w < writers; w++) {
                String request = "\"session_id\": \"s" + w + "\", \"platform\": \"cli\", \"api_request_id\": \"r" + w
                        + "\", \"provider\": \"anthropic\", \"model\": \"claude-sonnet-4-6\"";
                Files.writeString(dir.resolve(".h-" + (5000 + w) + "-1.jsonl.new"), line("pre_api_request",
                        "{" + request + ", \"approx_input_tokens\": 1000, \"max_tokens\": 1000}"));
                Files.writeString(dir.resolve(".h-" + (5000 + w) + "-2.jsonl.new"), line("post_api_request",
                        "{" + request + ", \"usage\": {\"input_tokens\": 1000, \"output_tokens\": 10}, \"_plutus_event_id\": \"e" + w
                        + "\"}"));
            }
            // Both files of every writer appear at once (the later one first), so no listing can see only the earlier.
            for (int w = 0; w < writers; w++) {
                Files.move(dir.resolve(".h-" + (5000 + w) + "-2.jsonl.new"), dir.resolve("h-" + (5000 + w) + "-2.jsonl"));
                Files.move(dir.resolve(".h-" + (5000 + w) + "-1.jsonl.new"), dir.resolve("h-" + (5000 + w) + "-1.jsonl"));
            }
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (stored(d) < writers && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(writers, stored(d));
            assertEquals(0, d.plutus().reservations().heldMicros(dev.plutus.budget.ScopeRef.GLOBAL),
                    "a call's report read before its hold would leave the hold standing");
        }
    }

    @Test
    void aJournalReadTwiceCountsNothingTwiceWhicheverHookItHolds(@TempDir Path home) throws Exception {
        String journal = call("a")
                + line("post_auxiliary_call", "{\"session_id\": \"s1\", \"api_request_id\": \"x1\", \"task\": \"compression\", "
                        + "\"provider\": \"anthropic\", \"model\": \"claude-sonnet-4-6\", \"usage\": {\"input_tokens\": 50, "
                        + "\"output_tokens\": 5}, \"_plutus_event_id\": \"e-x1\"}")
                + line("post_tool_call", "{\"session_id\": \"s1\", \"tool_name\": \"terminal\", \"tool_call_id\": \"t1\", "
                        + "\"status\": \"ok\", \"_plutus_event_id\": \"e-t1\"}")
                + line("subagent_start", "{\"parent_session_id\": \"s1\", \"child_session_id\": \"c1\", \"_plutus_event_id\": \"e-c0\"}")
                + line("subagent_stop", "{\"parent_session_id\": \"s1\", \"child_session_id\": \"c1\", \"child_status\": "
                        + "\"completed\", \"_plutus_event_id\": \"e-c1\"}")
                + line("api_request_error", "{\"session_id\": \"s1\", \"api_request_id\": \"r9\", \"retryable\": false, "
                        + "\"_plutus_event_id\": \"e-r9\"}")
                + line("on_session_end", "{\"session_id\": \"s1\", \"completed\": true, \"_plutus_event_id\": \"e-end\"}");
        Path dir = home.resolve("hook-journal");
        long[] once = null;
        for (int pass = 0; pass < 2; pass++) {
            // Each pass: a daemon reads the journal whole, as one restarted after a crash that lost its saved offset.
            try (DaemonHarness d = DaemonHarness.start(home)) {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(".host-4250-1.jsonl.new"), journal);
                Files.move(dir.resolve(".host-4250-1.jsonl.new"), dir.resolve("host-4250-1.jsonl"));
                d.daemon().drainJournalsNow();
                var jdbc = d.plutus().jdbc();
                long[] counts = {stored(d), jdbc.queryLong("SELECT COUNT(*) FROM tool_calls"),
                        jdbc.queryLong("SELECT subagents FROM sessions WHERE session_id = 's1'"),
                        jdbc.queryLong("SELECT COUNT(*) FROM sessions WHERE status = 'ok'")};
                assertEquals(List.of(), rejected(home));
                if (once == null) {
                    once = counts;
                    assertEquals(2, counts[0], "the call and the auxiliary call");
                    assertEquals(1, counts[1]);
                    assertEquals(1, counts[2], "one subagent");
                } else {
                    assertEquals(java.util.Arrays.toString(once), java.util.Arrays.toString(counts), "read twice, counted once");
                }
            }
        }
    }

    @Test
    void aHiddenJournalLeftByAWriterKilledMidCreationIsRemovedOnceOldAndUnlocked(@TempDir Path home) throws Exception {
        Path dir = Files.createDirectories(home.resolve("hook-journal"));
        Path stale = dir.resolve(".host-4260-1.jsonl.new");
        Path fresh = dir.resolve(".host-4261-1.jsonl.new");
        Path held = dir.resolve(".host-4262-1.jsonl.new");
        for (Path p : List.of(stale, fresh, held)) {
            Files.writeString(p, "");
        }
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000);
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(held, old);
        // Locked before the daemon starts: its tailer looks at the directory at once.
        try (FileChannel w = FileChannel.open(held, StandardOpenOption.WRITE); FileLock lock = w.lock();
             DaemonHarness d = DaemonHarness.start(home)) {
            d.daemon().drainJournalsNow();
            assertFalse(Files.exists(stale), "over a minute old and unlocked: its creator died before renaming it");
            assertTrue(Files.exists(fresh), "young: its creator may be about to rename it");
            assertTrue(Files.exists(held), "locked: its creator lives");
        }
    }

    @Test
    void onlyTheDaemonUsersRegularFilesAreOpenedAFifoSymlinkOrDirectoryIsSkippedAndLoggedOnce(@TempDir Path home) throws Exception {
        Path outside = Files.writeString(home.resolve("outside.txt"), call("secret") + "private-words-not-a-journal\n");
        String outsideBefore = Files.readString(outside);
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(JournalTailer.class);
        var seen = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        seen.start();
        logger.addAppender(seen);
        try (DaemonHarness d = DaemonHarness.start(home)) {
            Path dir = Files.createDirectories(home.resolve("hook-journal"));
            Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("vm-99998-1.jsonl").toString()).start();
            assertEquals(0, mkfifo.waitFor(), "mkfifo");
            Files.createSymbolicLink(dir.resolve("vm-99997-1.jsonl"), outside);
            Files.createDirectory(dir.resolve("vm-99996-1.jsonl"));
            List<String> bad = new java.util.ArrayList<>(List.of("vm-99998-1.jsonl", "vm-99997-1.jsonl", "vm-99996-1.jsonl"));
            if (new com.sun.security.auth.module.UnixSystem().getUid() == 0) {
                Path foreign = Files.writeString(dir.resolve("vm-99995-1.jsonl"), call("foreign"));
                Files.setAttribute(foreign, "unix:uid", 4321); // only root can hand a file to another user
                bad.add("vm-99995-1.jsonl");
            }
            Files.writeString(dir.resolve(".vm-4270-1.jsonl.new"), call("good"));
            Files.move(dir.resolve(".vm-4270-1.jsonl.new"), dir.resolve("vm-4270-1.jsonl"));

            // Before: opening the FIFO blocked forever, inside the tailer's lock.
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 3; i++) {
                    d.daemon().drainJournalsNow();
                }
            });
            assertEquals(1, stored(d), "the good journal is counted, nothing behind the symlink or the foreign file");
            assertEquals(new java.util.HashSet<>(bad), d.daemon().journalTailer().refused());
            assertEquals(List.of(), rejected(home), "nothing read from what is not a journal");
            assertEquals(outsideBefore, Files.readString(outside));
            assertTrue(Files.exists(dir.resolve("vm-99998-1.jsonl")), "left alone");
            for (String name : bad) {
                long said = seen.list.stream().filter(e -> e.getFormattedMessage().contains(name)).count();
                assertEquals(1, said, name + " is logged once, not on every pass");
            }
            // A verdict naming the FIFO is unknown (503) at once; the background tailer keeps passing.
            HttpResponse<String> u = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> hook(d, "{\"session_id\": \"s1\", \"_plutus_journal\": \"vm-99998-1.jsonl\", \"_plutus_journal_offset\": 1}"));
            assertEquals(503, u.statusCode(), u.body());
            long passes = d.daemon().journalTailer().passes();
            long until = System.nanoTime() + 60_000_000_000L;
            while (d.daemon().journalTailer().passes() <= passes && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(d.daemon().journalTailer().passes() > passes, "the tailer thread is not frozen");
        } finally {
            logger.detachAppender(seen);
        }
    }

    @Test
    void aVerdictGivesUpAtItsDeadlineInsteadOfWaitingForAJournalToBeReadAndTheOffsetFileIsTheOwnersOnly(@TempDir Path home)
            throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            Path dir = Files.createDirectories(home.resolve("hook-journal"));
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                many.append(call("m" + i));
            }
            byte[] bytes = many.toString().getBytes(StandardCharsets.UTF_8);
            try (FileChannel w = FileChannel.open(dir.resolve(".new"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND); FileLock held = w.lock()) {
                w.write(java.nio.ByteBuffer.wrap(bytes));
                Files.move(dir.resolve(".new"), dir.resolve("vm-4280-1.jsonl"));
                JournalTailer t = d.daemon().journalTailer();
                // 3,000 calls cannot be counted within a millisecond: the verdict is unknown rather than late.
                assertFalse(t.catchUp("vm-4280-1.jsonl", bytes.length, System.nanoTime() + 1_000_000L));
                assertTrue(t.catchUp("vm-4280-1.jsonl", bytes.length, System.nanoTime() + 120_000_000_000L));
                assertEquals(3000, stored(d));
                d.daemon().drainJournalsNow(); // the offset is saved at most every 50 ms while reading; a drain saves it now
                var mode = Files.getPosixFilePermissions(dir.resolve(".vm-4280-1.jsonl.consumed"));
                assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"), mode);
                try (var leftovers = Files.list(dir)) {
                    assertEquals(List.of(), leftovers.filter(p -> p.toString().endsWith(".tmp")).toList());
                }
            }
        }
    }
}
