package dev.plutus.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Copies a user's file to {@code <name>.plutus-bak-<UTC time>} before Plutus edits it; never overwrites an older backup. */
public final class Backups {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private Backups() {}

    /** The backup's path, or null when there is no file to back up. */
    public static Path backUp(Path file, Clock clock) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String base = file.getFileName() + ".plutus-bak-" + STAMP.format(clock.instant());
        Path backup = file.resolveSibling(base);
        for (int n = 2; Files.exists(backup, LinkOption.NOFOLLOW_LINKS); n++) {
            backup = file.resolveSibling(base + "-" + n);
        }
        Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES);
        return backup;
    }
}
