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
 * first, then {@link AtomicFiles#replaceIf} (written only if the file still holds the text the
 * route was planned on, so a save by the user or Hermes is never overwritten), then a re-read that
 * must give back exactly the text written and pass {@link RoutingSafety} again.
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
        Path backup = Backups.backUp(config, clock);
        if (backup == null || !Files.readString(backup, StandardCharsets.UTF_8).equals(before)) {
            discard(backup);
            throw new ConfigChanged(config);
        }
        // On any failure but a clean "changed, put back" the backup stays: it may be the only copy of the user's text.
        if (!AtomicFiles.replaceIf(config, before, after)) {
            discard(backup);
            throw new ConfigChanged(config);
        }
        String reread = Files.readString(config, StandardCharsets.UTF_8);
        if (!reread.equals(after)) {
            // Another program saved over the routed file at once: its save stands, and nothing is claimed.
            throw new RoutingRefused(config + " was saved again by another program right after routing; its version stands, "
                    + "run again (the file before routing is kept as " + backup.getFileName() + ")");
        }
        try {
            RoutingSafety.verify(before, reread, plan, name);
        } catch (RoutingRefused e) {
            AtomicFiles.replaceIf(config, reread, before);
            throw e;
        }
        return new Outcome("written", diff, backup);
    }

    /** The file is no longer the text the route was planned on; nothing was written. */
    public static final class ConfigChanged extends RoutingRefused {
        ConfigChanged(Path config) {
            super(config + " changed while the route was being planned; nothing written, run again");
        }
    }

    private static void discard(Path backup) throws IOException {
        if (backup != null) {
            Files.deleteIfExists(backup);
        }
    }
}
