package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spool files far larger than one line, lines larger than the daemon holds, and a start that fails midway. */
class SpoolAtScaleTest {

    private static byte[] spoolLine(String id, int padding) throws Exception {
        var kwargs = DaemonTest.freshCall("post_api_request-anthropic-cache.json").put("api_request_id", id)
                .put("plutus_test_padding", "p".repeat(padding));
        return (TestSupport.JSON.createObjectNode().put("event", "post_api_request").set("kwargs", kwargs) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static long callsWithId(DaemonHarness d, String id) {
        return d.plutus().calls().recent(10_000).stream().filter(c -> ("api:" + id).equals(c.eventId())).count();
    }

    @Test
    void aThirtyMegabyteSpoolFileIsReplayedLineByLineEveryEventOnce(@TempDir Path home) throws Exception {
        Path spool = home.resolve("spool");
        Files.createDirectories(spool);
        int lines = 1500;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool.resolve("host-1.jsonl")))) {
            for (int i = 0; i < lines; i++) {
                out.write(spoolLine("req_" + i, 20_000));
            }
        }
        assertTrue(Files.size(spool.resolve("host-1.jsonl")) > 30_000_000L, "a 30 MB file");
        try (DaemonHarness d = DaemonHarness.start(home)) {
            assertEquals(lines, d.plutus().calls().count(), "every spooled event recorded, none twice");
            try (var files = Files.list(spool)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(), "nothing set aside");
            }
        }
    }

    @Test
    void aLineLongerThanTheMaximumIsKeptByteForByteAsideAndTheLinesAroundItAreReplayed(@TempDir Path home) throws Exception {
        Path spool = home.resolve("spool");
        Files.createDirectories(spool);
        byte[] huge = spoolLine("req_huge", 20 * 1024 * 1024);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool.resolve("host-2.jsonl")))) {
            out.write(spoolLine("req_before", 10));
            out.write(huge);
            out.write(spoolLine("req_after", 10));
        }
        try (DaemonHarness d = DaemonHarness.start(home)) {
            assertEquals(1, callsWithId(d, "req_before"));
            assertEquals(1, callsWithId(d, "req_after"));
            assertEquals(0, callsWithId(d, "req_huge"), "longer than a spool line may be: set aside, not replayed");
            List<String> rejected = Files.readAllLines(spool.resolve("rejected.jsonl"));
            assertEquals(1, rejected.size(), rejected.toString());
            JsonNode entry = TestSupport.JSON.readTree(rejected.get(0));
            assertEquals(2, entry.path("line").asInt());
            assertEquals(huge.length - 1, entry.path("length").asLong(), "the line without its LF");
            assertTrue(entry.path("problem").asText().contains("longer than the " + SpoolReplayer.MAX_LINE_BYTES), entry.toString());
            assertFalse(entry.has("raw"), "the line is not copied into rejected.jsonl");
            Path kept = spool.resolve(entry.path("raw_file").asText());
            assertArrayEquals(Arrays.copyOf(huge, huge.length - 1), Files.readAllBytes(kept), "never lose the bytes");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
        }
    }

    @Test
    void aStoppingDaemonReplaysNothingMoreAndKeepsTheSpoolForTheNext(@TempDir Path home) throws Exception {
        Path spool = home.resolve("spool");
        var bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            bytes.write(spoolLine("req_s" + i, 10));
        }
        try (DaemonHarness d = DaemonHarness.start(home)) {
            d.daemon().stopReplaying(); // what close() does first
            Files.createDirectories(spool);
            Files.write(spool.resolve("host-5.jsonl"), bytes.toByteArray());
            assertEquals(0, d.daemon().replaySpoolNow());
            assertEquals(0, d.plutus().calls().count());
            assertArrayEquals(bytes.toByteArray(), Files.readAllBytes(spool.resolve("host-5.jsonl")), "kept as it was");
        }
        try (DaemonHarness d = DaemonHarness.start(home)) {
            assertEquals(50, d.plutus().calls().count(), "the next daemon replays it all, once");
        }
    }

    @Test
    void aStoreOutageMidFileKeepsTheRestOfTheFileByteForByteForTheNextPass(@TempDir Path home) throws Exception {
        Path spool = home.resolve("spool");
        byte[] a = spoolLine("req_a", 10);
        byte[] b = spoolLine("req_b", 100_000);
        var rest = new java.io.ByteArrayOutputStream();
        rest.write(a);
        rest.write(b);
        try (DaemonHarness d = DaemonHarness.start(home)) {
            d.plutus().close(); // the store goes away under the running daemon
            Files.createDirectories(spool);
            try (OutputStream out = Files.newOutputStream(spool.resolve("host-3.jsonl"))) {
                out.write("not json\n".getBytes(StandardCharsets.UTF_8));
                out.write(rest.toByteArray());
            }
            d.daemon().replaySpoolNow();
            try (var files = Files.list(spool)) {
                List<Path> claimed = files.filter(p -> p.toString().endsWith(".replaying")).toList();
                assertEquals(1, claimed.size(), claimed.toString());
                assertArrayEquals(rest.toByteArray(), Files.readAllBytes(claimed.get(0)), "the unreplayed lines, kept exactly");
            }
        }
        try (DaemonHarness d = DaemonHarness.start(home)) {
            assertEquals(1, callsWithId(d, "req_a"));
            assertEquals(1, callsWithId(d, "req_b"));
            try (var files = Files.list(spool)) {
                assertEquals(List.of("rejected.jsonl"), files.map(p -> p.getFileName().toString()).toList());
            }
            assertEquals(1, Files.readAllLines(spool.resolve("rejected.jsonl")).size(), "the bad line set aside once");
        }
    }

    @Test
    void aStartThatFailsAfterTheDaemonBeganServingLeavesNothingUp(@TempDir Path home) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // daemon.json cannot be written over a directory that holds something: the port is open by then.
        Path infoFile = home.resolve("daemon.json");
        Files.createDirectories(infoFile);
        Files.writeString(infoFile.resolve("in-the-way"), "x");
        var builder = DaemonHarness.in(home).options(ServeOptions.loopback(port));
        assertThrows(IOException.class, builder::start);

        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(), "port closed");
        assertFalse(Files.exists(home.resolve(PlutusDaemon.HOOK_SOCKET)), "hook socket removed");
        assertTrue(Files.isDirectory(infoFile), "no daemon.json written");

        // Lock released and store closed: the next start on the same home serves.
        Files.delete(infoFile.resolve("in-the-way"));
        Files.delete(infoFile);
        try (DaemonHarness d = builder.start()) {
            assertEquals(port, d.info().port());
            assertTrue(Files.isRegularFile(infoFile));
        }
        assertFalse(Files.exists(infoFile));
    }
}
