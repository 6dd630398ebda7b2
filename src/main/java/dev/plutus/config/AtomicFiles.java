package dev.plutus.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a file so that readers see the old content or the new, never a torn mix. A symbolic link
 * is written through: the file it points at is replaced and the link stays.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    private static final int MAX_LINKS = 40;

    private AtomicFiles() {}

    public static void write(Path target, String content) throws IOException {
        write(target, content, null);
    }

    /** Temp file in the same directory, fsync, rename over the target, fsync the directory. */
    public static void write(Path target, String content, Set<PosixFilePermission> permissions) throws IOException {
        Path real = throughLinks(target);
        Path tmp = prepare(real, content, permissions);
        try {
            Files.move(tmp, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(real);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Replaces the file with {@code content} only if it still holds exactly {@code expected}; false
     * (and nothing written) when it does not, or when it is gone. No writer of the file takes a lock
     * Plutus could share (Hermes serialises its own writes inside one process only), so the check
     * cannot be a compare followed by a rename: a save landing between the two would be lost. Instead
     * the file is first moved aside, atomically taking whatever version is there at that instant;
     * that version is compared, and the new file is hard-linked into place, which fails rather than
     * overwrite a file another writer created meanwhile. A reader in those few microseconds finds no
     * file; no writer's save is ever overwritten unseen.
     */
    public static boolean replaceIf(Path target, String expected, String content) throws IOException {
        Path real = throughLinks(target);
        Path tmp = prepare(real, content, null);
        Path taken = real.resolveSibling(tmp.getFileName() + ".taken");
        try {
            try {
                Files.move(real, taken, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                return false;
            }
            if (!Files.readString(taken, StandardCharsets.UTF_8).equals(expected)) {
                // Not the version the edit was made on: back in place, unless a writer has saved a newer one since.
                if (!publish(taken, real)) {
                    throw new Displaced(real, displace(taken, real));
                }
                syncDirectory(real);
                return false;
            }
            if (!publish(tmp, real)) {
                // Another writer created the file while it was aside (Hermes reads a missing file as empty and
                // saves its defaults): its file stands, and the text that was there is kept beside it.
                throw new Displaced(real, displace(taken, real));
            }
            syncDirectory(real);
            if (!Files.readString(taken, StandardCharsets.UTF_8).equals(expected)) {
                // A write through a handle opened before the swap landed on the replaced file: keep it in sight.
                Files.move(taken, real.resolveSibling(real.getFileName() + ".plutus-late-write-" + System.nanoTime()));
            }
            return true;
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(taken);
        }
    }

    /**
     * A version taken aside could not go back because another writer created the file in the meantime;
     * that version is kept, whole, in {@link #kept()} next to it. Nothing is lost, but the user must look.
     */
    public static final class Displaced extends IOException {
        private final transient Path kept;

        Displaced(Path file, Path kept) {
            super(file + " was replaced by another program while Plutus had it aside; the text it held before is kept in "
                    + kept + " (compare the two and merge by hand)");
            this.kept = kept;
        }

        public Path kept() {
            return kept;
        }
    }

    private static Path displace(Path taken, Path real) throws IOException {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        for (int n = 0; ; n++) {
            Path kept = real.resolveSibling(real.getFileName() + ".plutus-displaced-" + stamp + (n == 0 ? "" : "-" + n));
            try {
                Files.move(taken, kept);
                syncDirectory(real);
                LOG.warn("{} was replaced by another program while Plutus had it aside; its previous text is kept in {}",
                        real, kept);
                return kept;
            } catch (FileAlreadyExistsException e) {
                // same millisecond as an earlier one: next suffix
            }
        }
    }

    /** The file a path names once symbolic links are followed (the path itself when it is none). */
    public static Path throughLinks(Path target) throws IOException {
        Path p = target.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == MAX_LINKS) {
                throw new FileSystemException(target.toString(), null, "too many levels of symbolic links");
            }
            p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
        }
        return p;
    }

    /** Moves {@code from} to {@code to} only if nothing is at {@code to}; a hard link makes that one atomic step. */
    private static boolean publish(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            // No hard links on this file system: a plain move, which still refuses an existing file.
            try {
                Files.move(from, to);
            } catch (FileAlreadyExistsException taken) {
                return false;
            }
        }
        return true;
    }

    private static Path prepare(Path real, String content, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = real.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + real.getFileName() + ".", ".tmp");
        try {
            if (permissions != null) {
                try {
                    Files.setPosixFilePermissions(tmp, permissions);
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: keep its defaults
                }
            } else if (Files.exists(real)) {
                try {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(real));
                } catch (UnsupportedOperationException ignored) {
                    // likewise
                }
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void syncDirectory(Path real) {
        try (FileChannel d = FileChannel.open(real.getParent(), StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the rename itself is still atomic
        }
    }
}
