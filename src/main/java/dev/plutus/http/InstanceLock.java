package dev.plutus.http;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per PLUTUS_HOME. An OS file lock, not a pid file check: the kernel drops it when the
 * process dies in any way, SIGKILL included, so a crashed daemon never blocks its successor.
 */
public final class InstanceLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or throws {@link AlreadyRunning} when another process holds it. */
    public static InstanceLock acquire(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                throw new AlreadyRunning(file);
            }
            return new InstanceLock(ch, l);
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new AlreadyRunning(file);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** Another daemon already serves this home. */
    public static final class AlreadyRunning extends IOException {
        AlreadyRunning(Path file) {
            super("another plutus daemon already serves this home (it holds " + file + ")");
        }
    }
}
