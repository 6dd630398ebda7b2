package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolLineReaderTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesEndAtLfDropACrBeforeItAndALastLineWithoutLfStillCounts(@TempDir Path side) throws Exception {
        var out = new ByteArrayOutputStream();
        out.write(bytes("one\r\n\ntwo é\n"));
        out.write(new byte[] {(byte) 0xC3, '(', '\n'}); // a lead byte with no continuation
        out.write(bytes("last"));
        try (var r = new SpoolLineReader(new ByteArrayInputStream(out.toByteArray()), 100, side, "f.jsonl")) {
            assertEquals("one", r.next().text());
            SpoolLine blank = r.next();
            assertEquals(2, blank.number());
            assertEquals("", blank.text());
            assertEquals("two é", r.next().text());
            SpoolLine bad = r.next();
            assertNull(bad.text(), "not UTF-8");
            assertArrayEquals(new byte[] {(byte) 0xC3, '('}, bad.bytes(), "kept exactly");
            SpoolLine last = r.next();
            assertEquals(5, last.number());
            assertEquals("last", last.text());
            assertNull(r.next());
        }
    }

    /** Never holds the long line: were it held, its bytes would be in a SpoolLine; they are only in the side file. */
    @Test
    void aLineLongerThanTheMaximumIsStreamedToASideFileWithItsExactBytes(@TempDir Path dir) throws Exception {
        int max = 1000;
        byte[] longLine = new byte[250_000];
        Arrays.fill(longLine, (byte) 'x');
        longLine[0] = '{';
        longLine[longLine.length - 1] = '\r'; // a CR in an oversized line is kept as read
        var file = new ByteArrayOutputStream();
        file.write(bytes("{\"a\":1}\n"));
        file.write(longLine);
        file.write('\n');
        file.write(bytes("{\"b\":2}\n"));
        Path side = dir.resolve("oversized");
        try (var r = new SpoolLineReader(new ByteArrayInputStream(file.toByteArray()), max, side, "host.jsonl")) {
            assertEquals("{\"a\":1}", r.next().text());
            SpoolLine big = r.next();
            assertTrue(big.oversized());
            assertNull(big.bytes());
            assertEquals(2, big.number());
            assertEquals(longLine.length, big.length());
            assertArrayEquals(longLine, Files.readAllBytes(big.sideFile()));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(big.sideFile())));
            assertEquals("{\"b\":2}", r.next().text());
            assertNull(r.next());
        }
    }

    @Test
    void aLineOfExactlyTheMaximumIsALine(@TempDir Path side) throws Exception {
        byte[] line = new byte[70_000];
        Arrays.fill(line, (byte) 'y');
        var file = new ByteArrayOutputStream();
        file.write(line);
        file.write('\n');
        try (var r = new SpoolLineReader(new ByteArrayInputStream(file.toByteArray()), line.length, side, "f.jsonl")) {
            SpoolLine l = r.next();
            assertArrayEquals(line, l.bytes());
            assertNull(r.next());
        }
        file.write('z');
        try (var r = new SpoolLineReader(new ByteArrayInputStream(file.toByteArray()), line.length - 1, side, "f.jsonl")) {
            assertTrue(r.next().oversized());
            assertEquals("z", r.next().text());
        }
    }

    @Test
    void theRemainderIsEveryByteNotYetRead(@TempDir Path side) throws Exception {
        byte[] content = bytes("a\nb\r\nc\n\u0000d");
        try (var r = new SpoolLineReader(new ByteArrayInputStream(content), 100, side, "f.jsonl")) {
            r.next();
            var rest = new ByteArrayOutputStream();
            r.remainderTo(rest);
            assertEquals("b\r\nc\n\u0000d", rest.toString(StandardCharsets.UTF_8));
            assertNull(r.next());
        }
    }

    /** A 20 MB line through the daemon's own maximum, read from a stream that is never a byte array of the whole. */
    @Test
    void aTwentyMegabyteLineNeverBecomesALineInMemory(@TempDir Path dir) throws Exception {
        long size = 20L * 1024 * 1024;
        InputStream stream = new InputStream() {
            long served;

            @Override
            public int read() {
                if (served > size) {
                    return -1;
                }
                return served++ == size ? '\n' : 'q';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (served > size) {
                    return -1;
                }
                int n = (int) Math.min(len, size + 1 - served);
                Arrays.fill(b, off, off + n, (byte) 'q');
                if (served + n > size) {
                    b[off + n - 1] = '\n';
                }
                served += n;
                return n;
            }
        };
        try (var r = new SpoolLineReader(stream, SpoolReplayer.MAX_LINE_BYTES, dir, "big.jsonl")) {
            SpoolLine big = r.next();
            assertTrue(big.oversized());
            assertEquals(size, big.length());
            assertEquals(size, Files.size(big.sideFile()));
            assertNull(r.next());
        }
    }
}
