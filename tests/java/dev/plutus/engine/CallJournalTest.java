package dev.plutus.engine;

import static dev.plutus.engine.JournalFixture.COST_MICROS;
import static dev.plutus.engine.JournalFixture.NOON;
import static dev.plutus.engine.JournalFixture.call;
import static dev.plutus.engine.JournalFixture.event;
import static dev.plutus.engine.JournalFixture.globalSpend;
import static dev.plutus.engine.JournalFixture.open;
import static dev.plutus.engine.JournalFixture.rowsByEvent;
import static dev.plutus.engine.JournalFixture.storedCost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.core.CallEvent;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import dev.plutus.store.CallJournal;
import dev.plutus.store.StatsQueries;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call journal: a call is acknowledged once appended to the journal and counted, stored behind it;
 * nothing acknowledged is lost to a SIGKILL, a torn tail is never counted, and each event counts once
 * whether it meets its twin in the journal, in the table, or after a replay.
 */
@org.junit.jupiter.api.Tag("sqlite-file")
class CallJournalTest {

    @Test
    void aSigkillMidStreamLosesNothingAcknowledgedAndCountsEachCallOnce(@TempDir Path home) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), JournalKillProcess.class.getName(), home.toString(), NOON.toString());
        Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("child.log").toFile())).start();
        Set<String> acked = new LinkedHashSet<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                // A line cut short by the kill is not a whole acknowledgement.
                if (line.startsWith("ack ") && line.endsWith(";")) {
                    acked.add(line.substring(4, line.length() - 1));
                }
                if (acked.size() == 3_000 && child.isAlive()) {
                    // SIGKILL in the middle of the stream (streams left open, so acknowledgements already written are read).
                    child.toHandle().destroyForcibly();
                }
            }
        } finally {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertTrue(acked.size() >= 3_000, "the child acknowledged " + acked.size() + " calls before it was killed");
        try (Engine again = open(home, true)) {
            Map<String, Long> rows = rowsByEvent(again);
            for (String id : acked) {
                assertEquals(1L, rows.getOrDefault(id, 0L), "acknowledged call " + id + " is stored exactly once");
            }
            long stored = rows.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(rows.size(), stored, "no event is stored twice");
            assertTrue(stored >= acked.size());
            assertEquals(stored * COST_MICROS, storedCost(again));
            assertEquals(storedCost(again), globalSpend(again), "the running totals equal the stored calls");
        }
    }

    @Test
    void callsJournaledButNeverDrainedAreReplayedAndCountedOnce(@TempDir Path home) throws Exception {
        try (Engine first = open(home, false)) {
            assertEquals(0, first.calls().count()); // creates the store
        }
        List<LlmCall> calls = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            calls.add(call("r-" + i));
        }
        // A process that appended and died before its drainer stored anything.
        try (CallJournal journal = CallJournal.tryOpen(home.resolve(Engine.JOURNAL_DIR), 1 << 20).orElseThrow()) {
            journal.startWriting();
            journal.append(calls.subList(0, 700));
            journal.append(calls.subList(700, 1_200));
        }
        for (boolean journaling : new boolean[] {true, false}) {
            try (Engine e = open(home, journaling)) {
                assertEquals(1_200, e.calls().count());
                assertEquals(1_200 * COST_MICROS, globalSpend(e));
                assertEquals(1_200 * COST_MICROS, storedCost(e));
            }
        }
        try (var files = Files.list(home.resolve(Engine.JOURNAL_DIR))) {
            assertEquals(List.of("journal.lock"), files.map(p -> p.getFileName().toString()).toList(),
                    "replayed journal files are deleted");
        }
    }

    @Test
    void aJournalStartedAfterAnotherEngineReplayedAndDeletedTheFilesIsNumberedPastTheStoredPosition(@TempDir Path home)
            throws Exception {
        try (Engine first = open(home, false)) {
            assertEquals(0, first.calls().count());
        }
        try (CallJournal journal = CallJournal.tryOpen(home.resolve(Engine.JOURNAL_DIR), 1 << 20).orElseThrow()) {
            journal.startWriting();
            journal.append(List.of(call("d-1"), call("d-2"), call("d-3")));
        }
        // A CLI command after a killed daemon: it replays calls-1 into the table (position: calls-1 at its end) and deletes it.
        try (Engine cli = open(home, false)) {
            assertEquals(3, cli.calls().count());
        }
        // The next daemon must not write calls-1 again: its first records would sit below the stored position and a
        // replay after its own crash would skip them as stored.
        try (Engine daemon = open(home, true)) {
            try (var files = Files.list(home.resolve(Engine.JOURNAL_DIR))) {
                assertEquals(List.of("calls-2.journal"), files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".journal")).toList());
            }
        }
    }

    @Test
    void aTornTailIsCutOffAndNeverCounted(@TempDir Path home) throws Exception {
        try (Engine first = open(home, false)) {
            assertEquals(0, first.calls().count());
        }
        Path dir = home.resolve(Engine.JOURNAL_DIR);
        long whole;
        try (CallJournal journal = CallJournal.tryOpen(dir, 1 << 20).orElseThrow()) {
            journal.startWriting();
            journal.append(List.of(call("t-1"), call("t-2"), call("t-3")));
            whole = journal.end().offset();
            journal.append(List.of(call("t-4")));
        }
        Path file = dir.resolve("calls-1.journal");
        long full = Files.size(file);
        // The last record cut short, as a crash in the middle of its write leaves it.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(whole + (full - whole) / 2);
        }
        try (Engine e = open(home, true)) {
            assertEquals(3, e.calls().count());
            assertEquals(3 * COST_MICROS, globalSpend(e));
            assertFalse(rowsByEvent(e).containsKey("t-4"));
        }
        // A whole record whose bytes are damaged is cut off too.
        try (CallJournal journal = CallJournal.tryOpen(dir, 1 << 20).orElseThrow()) {
            journal.startWriting();
            journal.append(List.of(call("t-5")));
            journal.append(List.of(call("t-6")));
        }
        Path second = dir.resolve("calls-3.journal");
        long size = Files.size(second);
        try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x55}), size - 3);
        }
        try (Engine e = open(home, true)) {
            assertEquals(4, e.calls().count());
            assertTrue(rowsByEvent(e).containsKey("t-5"));
            assertFalse(rowsByEvent(e).containsKey("t-6"));
            assertEquals(4 * COST_MICROS, globalSpend(e));
        }
    }

    @Test
    void anEventRecordedAgainBeforeAndAfterItsDrainCountsOnce(@TempDir Path home) {
        try (Engine e = open(home, true)) {
            assertTrue(e.journaling());
            assertFalse(e.recorder().record(event("d-1")).duplicate());
            assertTrue(e.recorder().record(event("d-1")).duplicate(), "still in the journal");
            List<Boolean> batch = e.recorder().recordAll(List.of(event("d-2"), event("d-2"), event("d-1"))).stream()
                    .map(r -> r.duplicate()).toList();
            assertEquals(List.of(false, true, true), batch);
            e.awaitStored();
            assertTrue(e.recorder().record(event("d-1")).duplicate(), "in the table");
            assertTrue(e.recorder().record(event("d-2")).duplicate(), "in the table");
            e.syncLedger();
            assertEquals(2 * COST_MICROS, globalSpend(e));
            assertEquals(Map.of("d-1", 1L, "d-2", 1L), rowsByEvent(e));
        }
        try (Engine e = open(home, true)) {
            assertTrue(e.recorder().record(event("d-2")).duplicate(), "after a restart");
            assertEquals(2 * COST_MICROS, globalSpend(e));
        }
    }

    @Test
    void aCallWithoutAnEventIdStoresItsSessionsModelAndProviderToo(@TempDir Path home) {
        try (Engine e = open(home, true)) {
            assertTrue(e.journaling());
            e.recorder().record(new CallEvent(null, NOON, "s-nokey", "telegram", "openai", "gpt-4.1", null,
                    TokenUsage.of(10, 1), false, 1, new BigDecimal("0.001")));
        }
        try (Engine e = open(home, false)) {
            List<String> row = new java.util.ArrayList<>();
            e.jdbc().query("SELECT platform, model, provider FROM sessions WHERE session_id = 's-nokey'",
                    rs -> row.addAll(List.of(rs.getString(1), rs.getString(2), rs.getString(3))));
            assertEquals(List.of("telegram", "gpt-4.1", "openai"), row, "as an engine without the journal stores it");
        }
    }

    @Test
    void readersSeeCallsNotYetDrained(@TempDir Path home) {
        try (Engine e = open(home, true)) {
            for (int i = 0; i < 300; i++) {
                e.recorder().record(event("v-" + i));
            }
            // No explicit wait: the readers wait for the journal themselves.
            assertEquals(300, e.calls().count());
            assertEquals(300, e.stats().total(NOON.minusSeconds(3600)).calls());
            assertEquals(300 * COST_MICROS, e.stats().total(NOON.minusSeconds(3600)).costMicros());
            assertEquals(300 * COST_MICROS, globalSpend(e));
        }
    }

    @Test
    void aSecondEngineOnTheHomeStoresDirectlyAndNeitherCountsAnEventTwice(@TempDir Path home) {
        try (Engine daemon = open(home, true); Engine cli = open(home, true)) {
            assertTrue(daemon.journaling());
            assertFalse(cli.journaling(), "one journal per home: the second engine stores directly");
            for (int i = 0; i < 200; i++) {
                assertFalse(daemon.recorder().record(event("m-" + i)).duplicate());
                // The same event through the other process, before or after the journal reaches the table.
                cli.recorder().record(event("m-" + i));
                cli.recorder().record(event("c-" + i));
            }
            daemon.awaitStored();
            daemon.syncLedger();
            cli.syncLedger();
            assertEquals(400, daemon.calls().count());
            assertEquals(400, cli.calls().count());
            assertEquals(400 * COST_MICROS, storedCost(daemon));
            assertEquals(400 * COST_MICROS, globalSpend(daemon), "the journaling engine counts each event once");
            assertEquals(400 * COST_MICROS, globalSpend(cli), "the direct engine counts each event once");
        }
    }


    @Test
    void storedRecordsPinNoMoreThanTheRotationSize(@TempDir Path home) throws Exception {
        // Long event ids make records of about 2 KiB: 3,000 of them are half again the rotation size.
        String pad = "p".repeat(2_000);
        try (Engine e = open(home, true)) {
            for (int b = 0; b < 6; b++) {
                List<dev.plutus.core.CallEvent> batch = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    batch.add(event(pad + "-" + b + "-" + i));
                }
                e.recorder().recordAll(batch);
            }
            assertEquals(3_000 * COST_MICROS, storedCost(e));
            long kept;
            try (var files = Files.list(home.resolve(Engine.JOURNAL_DIR))) {
                kept = files.filter(p -> p.getFileName().toString().endsWith(".journal")).mapToLong(p -> p.toFile().length()).sum();
            }
            // About 6 MiB were journaled; once stored, all but the active file's are deleted.
            assertTrue(kept <= (4L << 20) + (64 << 10), kept + " bytes of stored records kept (at most about 4 MiB)");
        }
    }
}
