package dev.plutus.core;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** What an exception says went wrong, in words for a message people read: never "null", never a bare path. */
public final class Reasons {
    private Reasons() {}

    public static String of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String said = t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage();
            if (t instanceof NoSuchFileException f) {
                return "no such file " + f.getFile();
            } else if (t instanceof AccessDeniedException f) {
                return "permission denied on " + f.getFile();
            } else if (t instanceof FileSystemException f && f.getReason() != null) {
                return f.getFile() + ": " + f.getReason();
            } else if (t instanceof ConnectException) {
                return said == null ? "connection refused" : said;
            } else if (t instanceof UnknownHostException) {
                return said == null ? "unknown host" : "unknown host " + said;
            } else if (said != null) {
                return said;
            }
        }
        return e.getClass().getSimpleName();
    }
}
