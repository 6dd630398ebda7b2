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

    /**
     * Hermes's home for a Plutus home: {@code HERMES_HOME} when set, else the Plutus home's parent
     * when it holds Hermes's {@code cron/} or {@code config.yaml} (the default Plutus home is
     * {@code ~/.hermes/plutus}), else {@code ~/.hermes}.
     */
    public static Path hermesHome(Path plutusHome, Map<String, String> env) {
        String h = env.get("HERMES_HOME");
        if (h != null && !h.isBlank()) {
            return Path.of(h.strip());
        }
        Path parent = plutusHome.toAbsolutePath().getParent();
        if (parent != null && (Files.isDirectory(parent.resolve("cron")) || Files.isRegularFile(parent.resolve("config.yaml")))) {
            return parent;
        }
        return dev.plutus.core.HomeLayout.userHome(System.getenv()).resolve(".hermes");
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
