package dev.plutus.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Appends log records to one file that the daemon and CLI commands share. JUL's FileHandler locks
 * its file and makes the second process write to plutus.log.1 instead; here every record is one
 * append-mode write, which the OS keeps whole even with several writers.
 */
final class SharedLogHandler extends Handler {
    private final FileOutputStream out;

    SharedLogHandler(Path file, Formatter format) throws IOException {
        this.out = new FileOutputStream(file.toFile(), true);
        setFormatter(format);
    }

    @Override
    public synchronized void publish(LogRecord r) {
        if (!isLoggable(r)) {
            return;
        }
        try {
            out.write(getFormatter().format(r).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            reportError("cannot write log record", e, ErrorManager.WRITE_FAILURE);
        }
    }

    @Override
    public void flush() {
        // Every record is written straight to the file.
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            reportError("cannot close log", e, ErrorManager.CLOSE_FAILURE);
        }
    }
}
