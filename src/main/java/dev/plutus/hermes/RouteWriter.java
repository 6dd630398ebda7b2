package dev.plutus.hermes;

import dev.plutus.config.LineDiff;
import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingRefused;
import dev.plutus.config.AtomicFiles;
import dev.plutus.config.Backups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Puts a routed config.yaml in place: nothing when the text would not change; otherwise a backup
 * first, an atomic write (temp file, fsync, rename), then a re-read that must give back exactly the
 * text written and pass {@link RoutingSafety} again.
 */
public final class RouteWriter {

    /** {@code status}: {@code unchanged}, {@code dry-run} or {@code written}; {@code diff} is what changes (or would). */
    public record Outcome(String status, String diff, Path backup) {}

    private RouteWriter() {}

    public static Outcome write(Path config, String before, String after, RoutingPlan plan, Clock clock, boolean dryRun)
            throws IOException {
        String name = config.getFileName().toString();
        RoutingSafety.verify(before, after, plan, name);
        if (after.equals(before)) {
            return new Outcome("unchanged", "", null);
        }
        String diff = LineDiff.unified(before, after, name, name + " (routed)");
        if (dryRun) {
            return new Outcome("dry-run", diff, null);
        }
        String current = Files.exists(config) ? Files.readString(config, StandardCharsets.UTF_8) : "";
        if (!current.equals(before)) {
            throw new RoutingRefused(config + " changed while the route was being planned; nothing written, run again");
        }
        Path backup = Backups.backUp(config, clock);
        AtomicFiles.write(config, after);
        String reread = Files.readString(config, StandardCharsets.UTF_8);
        if (!reread.equals(after)) {
            restore(config, backup);
            throw new RoutingRefused(config + " did not read back as written; the backup was put back");
        }
        try {
            RoutingSafety.verify(before, reread, plan, name);
        } catch (RoutingRefused e) {
            restore(config, backup);
            throw e;
        }
        return new Outcome("written", diff, backup);
    }

    private static void restore(Path config, Path backup) throws IOException {
        if (backup != null) {
            AtomicFiles.write(config, Files.readString(backup, StandardCharsets.UTF_8));
        }
    }
}
