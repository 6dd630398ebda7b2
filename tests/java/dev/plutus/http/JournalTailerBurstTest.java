package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.budget.ScopeStatus;
import dev.plutus.hermes.HermesHost;
import dev.plutus.store.CallStore;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several Hermes processes journal bursts of calls at once, and one asks for a verdict: it is answered
 * from a count that includes every call its own process journaled before asking, and its catching up
 * reads that process's journal only.
 */
class JournalTailerBurstTest {
    /** claude-sonnet-4-6, 100 input and 10 output tokens: $0.00045 a call. */
    private static final long CALL_MICROS = 450;

    private static byte[] call(String session, String id) {
        return ("{\"event\": \"post_api_request\", \"kwargs\": {\"session_id\": \"" + session + "\", \"platform\": \"cli\", "
                + "\"api_request_id\": \"" + id + "\", \"provider\": \"anthropic\", \"model\": \"claude-sonnet-4-6\", \"usage\": "
                + "{\"input_tokens\": 100, \"output_tokens\": 10}, \"_plutus_event_id\": \"e-" + id + "\"}}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A journal as a live bridge holds it: locked, published under its name, appended to. */
    private record Writer(String name, FileChannel ch, FileLock lock) implements AutoCloseable {
        static Writer open(Path dir, String name) throws Exception {
            Path hidden = dir.resolve("." + name + ".new");
            FileChannel ch = FileChannel.open(hidden, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            FileLock lock = ch.lock();
            Files.move(hidden, dir.resolve(name));
            return new Writer(name, ch, lock);
        }

        long write(byte[] bytes) throws Exception {
            ch.write(ByteBuffer.wrap(bytes));
            return ch.size();
        }

        @Override
        public void close() throws Exception {
            lock.release();
            ch.close();
        }
    }

    private static byte[] calls(String session, int n) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            out.writeBytes(call(session, session + "-" + i));
        }
        return out.toByteArray();
    }

    private static HttpResponse<String> preToolCall(DaemonHarness d, String session, String journal, long offset) throws Exception {
        return d.send("POST", "/hooks/pre_tool_call", "{\"session_id\": \"" + session + "\", \"_plutus_journal\": \"" + journal
                + "\", \"_plutus_journal_offset\": " + offset + ", \"_plutus_timeout_ms\": 60000}", d.token());
    }

    private static long spent(DaemonHarness d, String session) {
        return d.plutus().gate().checkSession(session).statuses().stream().mapToLong(ScopeStatus::spentMicros).max().orElse(-1);
    }

    @Test
    void aVerdictAmidBurstsFromOtherProcessesCountsEveryCallItsOwnProcessJournaledBeforeIt(@TempDir Path home) throws Exception {
        // 40 calls of $0.00045 reach the session's cap exactly.
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  per_session:\n    default:\n      daily_usd: 0.018\n");
        try (DaemonHarness d = DaemonHarness.start(home)) {
            Path dir = Files.createDirectories(home.resolve(PlutusDaemon.HOOK_JOURNAL));
            List<Writer> others = new ArrayList<>();
            try (Writer a = Writer.open(dir, "vm-100-1.jsonl")) {
                for (int p = 0; p < 3; p++) {
                    others.add(Writer.open(dir, "vm-" + (200 + p) + "-1.jsonl"));
                }
                long offset = 0;
                for (int round = 0; round < 39; round++) {
                    // Each round the other processes journal a burst of 40 calls; this one journals one call.
                    for (int p = 0; p < others.size(); p++) {
                        others.get(p).write(calls("s" + p + "-" + round, 40));
                    }
                    offset = a.write(call("sa", "sa-" + round));
                }
                HttpResponse<String> before = preToolCall(d, "sa", a.name(), offset);
                assertEquals(200, before.statusCode(), before.body());
                assertEquals("{}", before.body().strip(), "39 calls ($0.01755) are under the $0.018 cap");
                for (Writer o : others) {
                    o.write(calls("late-" + o.name(), 200));
                }
                offset = a.write(call("sa", "sa-39"));
                HttpResponse<String> after = preToolCall(d, "sa", a.name(), offset);
                assertEquals(200, after.statusCode(), after.body());
                assertTrue(after.body().contains("\"block\""), "the 40th call, journaled just before, reaches the cap: " + after.body());
                assertEquals(40 * CALL_MICROS, spent(d, "sa"), "each of its own calls counted once");
            } finally {
                for (Writer o : others) {
                    o.close();
                }
            }
            d.daemon().drainJournalsNow();
            assertEquals(40 + 3 * (39 * 40 + 200), new CallStore(d.plutus().jdbc()).count(), "every journaled call stored once");
        }
    }

    @Test
    void catchingUpReadsTheAskingProcesssJournalOnlyAndCountsItsCallsInBatches(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  per_session:\n    default:\n      daily_usd: 1000\n");
        try (DaemonHarness d = DaemonHarness.start(home); HermesHost hermes = new HermesHost(d.plutus())) {
            // A tailer of its own with no thread: only catching up reads, so what it read is what the verdict needed.
            Path dir = Files.createDirectories(home.resolve("burst"));
            DaemonStatus status = new DaemonStatus(java.time.Clock.systemUTC(), hermes.hooks().counters());
            JournalTailer tailer = new JournalTailer(dir, home.resolve("spool"), hermes.hooks(), status);
            List<Writer> writers = new ArrayList<>();
            try {
                for (int p = 0; p < 4; p++) {
                    writers.add(Writer.open(dir, "vm-" + (300 + p) + "-1.jsonl"));
                }
                long[] ends = new long[4];
                for (int p = 0; p < 4; p++) {
                    // More calls than one batch holds, so the catching up spans several.
                    ends[p] = writers.get(p).write(calls("p" + p, JournalTailer.BATCH_LINES + 300));
                }
                assertTrue(tailer.catchUp("vm-302-1.jsonl", ends[2], System.nanoTime() + 120_000_000_000L));
                Map<String, Long> consumed = tailer.consumedOffsets();
                assertEquals(ends[2], consumed.get("vm-302-1.jsonl"));
                for (String other : List.of("vm-300-1.jsonl", "vm-301-1.jsonl", "vm-303-1.jsonl")) {
                    assertEquals(0L, consumed.getOrDefault(other, 0L), other + " is not the asking process's journal: not read");
                }
                assertEquals((JournalTailer.BATCH_LINES + 300) * CALL_MICROS, spent(d, "p2"), "its calls, each once");
                assertEquals(0, spent(d, "p0"), "another process's calls: not needed, not counted yet");
                assertEquals(JournalTailer.BATCH_LINES + 300, status.hookLatency().count(), "each journaled hook counted once");
                tailer.drain();
                assertEquals(4L * (JournalTailer.BATCH_LINES + 300), new CallStore(d.plutus().jdbc()).count());
            } finally {
                for (Writer w : writers) {
                    w.close();
                }
                tailer.stop();
            }
        }
    }

    @Test
    void theTimeACatchUpMayTakeLeavesTheBridgeAMarginBeforeItsOwnTimeout() {
        assertEquals(200_000_000L, JournalTailer.catchUpNanos(250), "the bridge's default 250 ms: 200 ms, as before");
        assertEquals(200_000_000L, JournalTailer.catchUpNanos(-1), "not said: 200 ms");
        assertEquals(4_000_000_000L, JournalTailer.catchUpNanos(5_000));
        assertEquals(5_000_000L, JournalTailer.catchUpNanos(10), "a short timeout keeps half of it for the answer");
        assertEquals(48_000_000_000L, JournalTailer.catchUpNanos(3_600_000), "never more than 60 s less the margin");
    }
}
