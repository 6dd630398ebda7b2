package dev.plutus.http;

import java.nio.file.Path;

/**
 * One line of a spool file: its 1-based number, its length in bytes, and either its bytes (with
 * its text when they are valid UTF-8, {@code null} when not) or, for a line longer than a spool
 * line may be, the side file its bytes were copied to (then {@code bytes} and {@code text} are
 * {@code null}). Lines are decoded one at a time, so a few bad bytes cost only the line that holds them.
 */
record SpoolLine(int number, long length, byte[] bytes, String text, Path sideFile) {

    boolean oversized() {
        return sideFile != null;
    }
}
