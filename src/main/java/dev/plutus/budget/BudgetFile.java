package dev.plutus.budget;

import dev.plutus.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneId;
import java.util.Optional;

/**
 * budget.yaml as currently in force. {@link #reloadIfChanged()} re-reads it when its size or
 * modification time moved; a file that does not parse leaves the last good budget in force and
 * its error is kept for /budget and /setup to show. No file means no limits.
 */
public final class BudgetFile {
    private final Path file;
    private final ZoneId defaultZone;
    private volatile BudgetConfig current;
    private volatile String error;
    private volatile String stamp = "";

    public BudgetFile(Path file, ZoneId defaultZone) {
        this.file = file;
        this.defaultZone = defaultZone;
        this.current = BudgetConfig.none(defaultZone);
        reload();
    }

    public Path path() {
        return file;
    }

    public BudgetConfig current() {
        return current;
    }

    /** The last load's error (file, line, field), if the file in force is not the one on disk. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /** Re-reads the file if it changed on disk; true when the budget in force changed. */
    public synchronized boolean reloadIfChanged() {
        if (stampOf().equals(stamp)) {
            return false;
        }
        return reload();
    }

    /** Re-reads the file; true when the budget in force changed. */
    public synchronized boolean reload() {
        String newStamp = stampOf();
        BudgetConfig before = current;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            current = BudgetConfigParser.parse(text, file.toString(), defaultZone);
            error = null;
        } catch (NoSuchFileException e) {
            current = BudgetConfig.none(defaultZone);
            error = null;
        } catch (IOException e) {
            error = file + ": cannot read: " + e.getMessage();
        } catch (ConfigException e) {
            error = e.getMessage();
        }
        stamp = newStamp;
        return !before.equals(current);
    }

    private String stampOf() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + "@" + a.lastModifiedTime().toMillis() + "#" + a.fileKey();
        } catch (IOException e) {
            return "absent";
        }
    }
}
