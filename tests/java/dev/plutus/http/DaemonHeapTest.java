package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's heap grows with its home's database, so a 10M-call home's running totals fit. */
class DaemonHeapTest {
    @Test
    void aNewHomeGetsTheSmallHeapAndA2GbHomeRoomForItsTotals(@TempDir Path home) throws Exception {
        assertTrue(DaemonProcess.jvmOptions(home).contains("-Xmx160m"), DaemonProcess.jvmOptions(home).toString());
        try (RandomAccessFile db = new RandomAccessFile(home.resolve("plutus.db").toFile(), "rw")) {
            db.setLength(2_000_000_000L);
        }
        // 593 MiB of totals measured after a full collection at 10M calls (2.0 GB): the heap leaves them room.
        assertEquals(160 + 635, DaemonProcess.heapMiB(2_000_000_000L));
        assertTrue(DaemonProcess.jvmOptions(home).contains("-Xmx795m"), DaemonProcess.jvmOptions(home).toString());
        assertTrue(DaemonProcess.jvmOptions(home).containsAll(java.util.List.of("-XX:+UseSerialGC", "-Xms32m")));
    }
}
