package dev.plutus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles#replaceIf} against a writer that saves the file Hermes's way (read, temp file,
 * rename) at random moments: every save survives, and a replace reported done was made on the
 * newest save. Compare-then-rename loses a save here within a few rounds.
 */
class AtomicFilesRaceTest {
    @Test
    void noSaveIsLostAndNoReplaceIsClaimedOnAStaleFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "a: 1\n");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger saved = new AtomicInteger();
        AtomicInteger missing = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                while (!stop.get()) {
                    String text;
                    try {
                        text = Files.readString(file, StandardCharsets.UTF_8);
                    } catch (NoSuchFileException e) {
                        missing.incrementAndGet();
                        continue;
                    }
                    int n = saved.get() + 1;
                    Path tmp = Files.createTempFile(dir, ".w_", ".tmp");
                    Files.writeString(tmp, text + "# save " + n + "\n");
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    saved.set(n);
                    Thread.sleep(ThreadLocalRandom.current().nextInt(0, 40));
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "racing-writer");
        writer.start();
        int replaced = 0;
        int refused = 0;
        List<String> stale = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;   // bounds a starved machine only
        try {
            for (int i = 0; i < 150 && System.nanoTime() < deadline; i++) {
                int savedBefore = saved.get();
                String before;
                try {
                    before = Files.readString(file, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    continue;
                }
                String after = before + "# routed " + i + "\n";
                try {
                    if (AtomicFiles.replaceIf(file, before, after)) {
                        replaced++;
                        if (savedBefore > 0 && !after.contains("# save " + savedBefore + "\n")) {
                            stale.add("replace " + i + " lacks save " + savedBefore);
                        }
                    } else {
                        refused++;
                    }
                } catch (AtomicFiles.Displaced e) {
                    // the writer re-created the file while it was aside: the taken version is kept, not deleted
                    refused++;
                }
            }
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertEquals(null, failed.get());
        String last = Files.readString(file, StandardCharsets.UTF_8);
        List<Integer> lost = new ArrayList<>();
        for (int n = 1; n <= saved.get(); n++) {
            if (!last.contains("# save " + n + "\n")) {
                lost.add(n);
            }
        }
        System.out.printf("replaceIf race: %d saves, %d replaced, %d refused, %d reads found the file moved aside%n",
                saved.get(), replaced, refused, missing.get());
        assertEquals(List.of(), lost, "saves lost of " + saved.get());
        assertEquals(List.of(), stale);
        assertTrue(replaced > 0 && saved.get() > 0, replaced + " replaced, " + saved.get() + " saves");
        try (var left = Files.list(dir)) {
            assertEquals(List.of(file), left.filter(p -> !p.getFileName().toString().startsWith(".w_")
                            && !p.getFileName().toString().startsWith("config.yaml.plutus-displaced-")).toList(),
                    "no temp or taken-aside file left behind");
        }
    }

    /**
     * A writer that, like Hermes, takes a missing file for an empty one and saves a fresh file then
     * (created without replacing, so any loss is Plutus's): afterwards every version anyone wrote is
     * in the file or in a displaced file beside it. Deleting the taken-aside version lost it here.
     */
    @Test
    void aWriterFillingTheGapNeverCostsTheUsersText(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "user: original\n");
        List<String> versions = new CopyOnWriteArrayList<>(List.of("user: original\n"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int n = 1; !stop.get(); ) {
                    if (Files.exists(file)) {
                        continue;
                    }
                    Path tmp = Files.createTempFile(dir, ".w_", ".tmp");
                    String text = "defaults: " + n + "\n";
                    Files.writeString(tmp, text);
                    try {
                        Files.createLink(file, tmp);
                        versions.add(text);
                        n++;
                    } catch (FileAlreadyExistsException e) {
                        // someone was first: nothing of ours to keep
                    } finally {
                        Files.delete(tmp);
                    }
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "gap-writer");
        writer.start();
        int displaced = 0;
        long deadline = System.nanoTime() + 20_000_000_000L;   // bounds a starved machine only
        try {
            for (int i = 0; i < 400 && System.nanoTime() < deadline; i++) {
                String before;
                try {
                    before = Files.readString(file, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    continue;
                }
                String after = before + "# routed " + i + "\n";
                try {
                    if (AtomicFiles.replaceIf(file, before, after)) {
                        versions.add(after);
                    }
                } catch (AtomicFiles.Displaced e) {
                    displaced++;
                    assertTrue(Files.isRegularFile(e.kept()), e.getMessage());
                }
            }
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertEquals(null, failed.get());
        List<String> kept = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(p -> !p.getFileName().toString().startsWith(".w_")).toList()) {
                assertTrue(p.equals(file) || p.getFileName().toString().startsWith("config.yaml.plutus-displaced-"), "left behind: " + p);
                kept.add(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        List<String> lost = new ArrayList<>();
        for (String v : versions) {
            // a routed version contains the one it replaced, which is how a replaced version lives on
            if (kept.stream().noneMatch(k -> k.contains(v))) {
                lost.add(v);
            }
        }
        System.out.printf("gap race: %d versions, %d displaced%n", versions.size(), displaced);
        assertEquals(List.of(), lost, "versions in no file");
        assertTrue(versions.size() > 1, "no replace happened");
    }
}
