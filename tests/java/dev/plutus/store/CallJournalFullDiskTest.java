package dev.plutus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The call journal on a disk that fills up: stored records must not keep it full. */
class CallJournalFullDiskTest {
    private static final long DISK_BYTES = 64 * 1024;

    private static LlmCall call(String id) {
        return new LlmCall(id, Instant.parse("2026-11-24T12:00:00Z"), "s1", "s1", "cli", null, null, "anthropic",
                "claude-sonnet-4-6", null, TokenUsage.of(1000, 100), false, 123, true, "anthropic/claude-sonnet-4-6", 10);
    }

    /** A disk of {@link #DISK_BYTES}: a write that would take the journal files past it fails as a full disk does. */
    private static CallJournal.Writes disk(Path dir) {
        return (ch, bytes, at) -> {
            long used;
            try (Stream<Path> files = Files.list(dir)) {
                used = files.filter(p -> p.getFileName().toString().endsWith(".journal")).mapToLong(p -> p.toFile().length()).sum();
            }
            long grows = Math.max(0, at + bytes.remaining() - ch.size());
            if (used + grows > DISK_BYTES) {
                throw new IOException("No space left on device");
            }
            return ch.write(bytes, at);
        };
    }

    @Test
    void onceEverythingAppendedIsStoredAFullDiskIsFreedAndTheAppendSucceeds(@TempDir Path dir) {
        try (CallJournal j = CallJournal.tryOpen(dir, 64L << 20, disk(dir)).orElseThrow()) {
            j.startWriting();
            // Far more than the disk holds, each drained (stored) right after its append, as the drainer keeps up.
            for (int i = 0; i < 2_000; i++) {
                CallJournal.Position end = j.append(List.of(call("c" + i))).get(0);
                j.drainedTo(end);
            }
            assertTrue(j.files().size() <= 2, "stored files are deleted: " + j.files());
        }
    }

    @Test
    void whatIsNotStoredYetIsNeverDeletedTheAppendIsRefusedAndSucceedsOnceItIsStored(@TempDir Path dir) {
        try (CallJournal j = CallJournal.tryOpen(dir, 64L << 20, disk(dir)).orElseThrow()) {
            j.startWriting();
            List<String> appended = new ArrayList<>();
            CallJournal.Position last = null;
            StoreException full = null;
            for (int i = 0; i < 2_000 && full == null; i++) {
                try {
                    last = j.append(List.of(call("u" + i))).get(0);
                    appended.add("u" + i);
                } catch (StoreException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "the disk fills up while nothing is stored");
            // Nothing stored: every acknowledged call is still there to replay, and the journal is not damaged.
            List<String> replayed = new ArrayList<>();
            j.replay(CallJournal.Position.START, 512, es -> es.forEach(e -> replayed.add(e.call().eventId())));
            assertEquals(appended, replayed);
            assertThrows(StoreException.class, () -> j.append(List.of(call("refused"))));

            j.drainedTo(last);
            CallJournal.Position after = j.append(List.of(call("after"))).get(0);
            assertTrue(after.seq() > last.seq(), "a new file after the stored ones");
            assertEquals(List.of(after.seq()), j.files(), "the stored files are gone");
            List<String> rest = new ArrayList<>();
            j.replay(last, 512, es -> es.forEach(e -> rest.add(e.call().eventId())));
            assertEquals(List.of("after"), rest, "replay from the stored position finds the new call");
        }
    }
}
