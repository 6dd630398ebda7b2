package dev.plutus.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The names Hermes gives its cron jobs, by id, from {@code $HERMES_HOME/cron/jobs.json}
 * ({@code {"jobs": [{"id": …, "name": …}, …]}} or a bare list), so reports can say
 * {@code nightly-digest} instead of {@code d200f53be09d}. Read again only when the file changes; a
 * missing or unreadable file means no names (reports fall back to ids), never an error.
 */
public final class CronJobNames implements Supplier<Map<String, String>> {
    private final Path file;
    private FileTime readAt;
    private Map<String, String> names = Map.of();

    public CronJobNames(Path hermesHome) {
        this.file = hermesHome.resolve("cron").resolve("jobs.json");
    }

    /** Hermes's home for a Plutus home, by the one rule of {@link dev.plutus.core.HomeLayout#hermesHome}. */
    public static Path hermesHome(Path plutusHome, Map<String, String> env) {
        return new dev.plutus.core.HomeLayout(plutusHome.toAbsolutePath()).hermesHome(env);
    }

    @Override
    public synchronized Map<String, String> get() {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(file);
        } catch (IOException e) {
            names = Map.of();
            readAt = null;
            return names;
        }
        if (!modified.equals(readAt)) {
            names = read(file);
            readAt = modified;
        }
        return names;
    }

    static Map<String, String> read(Path file) {
        Map<String, String> out = new TreeMap<>();
        try {
            JsonNode root = Json.MAPPER.readTree(file.toFile());
            JsonNode jobs = root != null && root.isArray() ? root : root == null ? null : root.path("jobs");
            if (jobs != null && jobs.isArray()) {
                for (JsonNode j : jobs) {
                    String id = j.path("id").asText("");
                    String name = j.path("name").asText("");
                    if (!id.isBlank() && !name.isBlank()) {
                        out.put(id, name);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return Map.copyOf(out);
    }
}
