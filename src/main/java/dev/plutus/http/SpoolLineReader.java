package dev.plutus.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * Reads a spool file one line at a time, holding at most one line of up to {@code maxLineBytes}:
 * a spool file may be far larger than the daemon's heap. A longer line is copied as it is read to
 * a file of its own in {@code sideDir} (owner-only), so its bytes are kept without ever being held.
 * Lines end at LF; a CR before it is dropped; a last line without LF is still a line.
 */
final class SpoolLineReader implements Closeable {
    private static final int CHUNK = 64 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final Path sideDir;
    private final String sourceName;
    private final byte[] chunk = new byte[CHUNK];
    private int pos;
    private int limit;
    private boolean eof;
    private int number;

    SpoolLineReader(InputStream in, int maxLineBytes, Path sideDir, String sourceName) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.sideDir = sideDir;
        this.sourceName = sourceName;
    }

    /** The next line, or {@code null} at the end of the file. */
    SpoolLine next() throws IOException {
        if (!fill()) {
            return null;
        }
        number++;
        byte[] line = new byte[Math.min(CHUNK, maxLineBytes)];
        int len = 0;
        while (fill()) {
            int end = indexOfLf();
            int take = (end < 0 ? limit : end) - pos;
            if ((long) len + take > maxLineBytes) {
                return spill(line, len);
            }
            if (len + take > line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(len + take, line.length * 2)));
            }
            System.arraycopy(chunk, pos, line, len, take);
            len += take;
            pos += take;
            if (end >= 0) {
                pos++; // the LF
                break;
            }
        }
        int stop = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
        byte[] bytes = Arrays.copyOf(line, stop);
        return new SpoolLine(number, stop, bytes, decode(bytes), null);
    }

    /** Writes every byte not yet read (as in the file) to {@code out}. */
    void remainderTo(OutputStream out) throws IOException {
        if (pos < limit) {
            out.write(chunk, pos, limit - pos);
            pos = limit;
        }
        in.transferTo(out);
        eof = true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Copies the line read so far and the rest of it to a side file, never holding more than a chunk. */
    private SpoolLine spill(byte[] head, int headLength) throws IOException {
        Files.createDirectories(sideDir);
        Path side = sideDir.resolve(sourceName + ".line" + number + "." + System.nanoTime() + ".raw");
        Files.createFile(side, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        long length = headLength;
        try (OutputStream out = Files.newOutputStream(side, StandardOpenOption.WRITE)) {
            out.write(head, 0, headLength);
            while (fill()) {
                int end = indexOfLf();
                int take = (end < 0 ? limit : end) - pos;
                out.write(chunk, pos, take);
                length += take;
                pos += take;
                if (end >= 0) {
                    pos++;
                    break;
                }
            }
        }
        return new SpoolLine(number, length, null, null, side);
    }

    private int indexOfLf() {
        for (int i = pos; i < limit; i++) {
            if (chunk[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** True when there is at least one unread byte. */
    private boolean fill() throws IOException {
        while (pos >= limit && !eof) {
            int n = in.read(chunk, 0, chunk.length);
            if (n < 0) {
                eof = true;
            } else {
                pos = 0;
                limit = n;
            }
        }
        return pos < limit;
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
