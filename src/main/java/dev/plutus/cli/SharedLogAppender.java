package dev.plutus.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends log events to a file that several processes share, the daemon and every CLI command of one
 * PLUTUS_HOME, and rotates it by size: {@code plutus.log} becomes {@code plutus.log.1}, that one
 * {@code .2}, and so on; at most {@code maxFiles} files exist, the oldest is deleted.
 *
 * <p>Why a lock: appending whole records with O_APPEND keeps lines whole, but rotation renames the
 * file under the other processes' open descriptors; they would go on writing into an archive, and
 * once that archive is deleted their records are lost. Logback's rolling appenders assume a single
 * writer. So each record is written under an exclusive lock on a sidecar file ({@code plutus.log.lock},
 * never renamed): holding it, a writer reopens the log if another process has rotated it, rotates
 * when the record would pass the size limit, and appends the record completely. Any process may
 * rotate, so a CLI used without the daemon keeps the log bounded too. Records are written straight
 * through, so a process that exits or is killed loses nothing it already logged.
 */
final class SharedLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    /**
     * A file lock belongs to the whole JVM: a second lock on it from this process fails instead of
     * waiting. Writers of one file in this process therefore queue on this lock first; it is as wide
     * as the file lock it guards.
     */
    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path file;
    private final long maxFileBytes;
    private final int maxFiles;
    private final Encoder<ILoggingEvent> encoder;
    private final ReentrantLock inProcess;
    private final FileChannel lockFile;
    private FileChannel out;
    private Object outKey;

    private SharedLogAppender(Path file, long maxFileBytes, int maxFiles, Encoder<ILoggingEvent> encoder,
            FileChannel lockFile) {
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.maxFiles = maxFiles;
        this.encoder = encoder;
        this.inProcess = IN_PROCESS.computeIfAbsent(file, f -> new ReentrantLock());
        this.lockFile = lockFile;
    }

    /**
     * An appender for {@code file} (created mode 0600 when missing), not yet started.
     *
     * @throws IOException when the log's lock file cannot be opened, e.g. the directory is not writable
     */
    static SharedLogAppender open(Path file, long maxFileBytes, int maxFiles, Encoder<ILoggingEvent> encoder)
            throws IOException {
        if (maxFileBytes <= 0 || maxFiles < 1) {
            throw new IllegalArgumentException("log rotation needs a positive size and at least one file, got "
                    + maxFileBytes + " bytes and " + maxFiles + " files");
        }
        Path absolute = file.toAbsolutePath().normalize();
        Path lock = absolute.resolveSibling(absolute.getFileName() + ".lock");
        return new SharedLogAppender(absolute, maxFileBytes, maxFiles, Objects.requireNonNull(encoder),
                openOwnerOnly(lock));
    }

    Path file() {
        return file;
    }

    @Override
    protected void append(ILoggingEvent event) {
        byte[] record = encoder.encode(event);
        inProcess.lock();
        try {
            if (isStarted()) { // else stopped while this record waited: its channels are closed
                write(record);
            }
        } catch (IOException e) {
            addError("cannot write " + file, e);
        } finally {
            inProcess.unlock();
        }
    }

    private void write(byte[] record) throws IOException {
        FileLock held = lockFile.lock();
        try {
            FileChannel target = current();
            if (target.size() > 0 && target.size() + record.length > maxFileBytes) {
                rotate();
                target = current();
            }
            ByteBuffer bytes = ByteBuffer.wrap(record);
            while (bytes.hasRemaining()) {
                target.write(bytes);
            }
        } finally {
            held.release();
        }
    }

    /** The open log, reopened when the path names another file than the one held (another process rotated it). */
    private FileChannel current() throws IOException {
        Object key = fileKey();
        if (out == null || key == null || !key.equals(outKey)) {
            closeOut();
            out = openOwnerOnly(file, StandardOpenOption.APPEND);
            outKey = fileKey();
        }
        return out;
    }

    /** The file's identity (device and inode on Unix); null when it is missing or the file system has none. */
    private Object fileKey() throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void rotate() throws IOException {
        closeOut();
        Files.deleteIfExists(archive(maxFiles - 1));
        for (int i = maxFiles - 2; i >= 1; i--) {
            if (Files.exists(archive(i))) {
                Files.move(archive(i), archive(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (maxFiles > 1) {
            Files.move(file, archive(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(file);
        }
    }

    private Path archive(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    private static FileChannel openOwnerOnly(Path path, StandardOpenOption... extra) throws IOException {
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        options.addAll(List.of(extra));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            FileChannel channel = FileChannel.open(path, options, ownerOnly);
            tightenIfOurs(path);
            return channel;
        }
        return FileChannel.open(path, options);
    }

    /** A log written by an older version (0644) becomes owner-only too; one owned by another user is left as it is. */
    private static void tightenIfOurs(Path path) {
        try {
            if (Files.getOwner(path).getName().equals(System.getProperty("user.name"))) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // Permissions stay as they were; logging goes on.
        }
    }

    private void closeOut() throws IOException {
        if (out != null) {
            FileChannel closing = out;
            out = null;
            outKey = null;
            closing.close();
        }
    }

    @Override
    public void stop() {
        super.stop();
        inProcess.lock();
        try {
            closeOut();
            lockFile.close();
        } catch (IOException e) {
            addError("cannot close " + file, e);
        } finally {
            inProcess.unlock();
        }
    }
}
