package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingRefused;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer saving config.yaml the way Hermes does (read, change, temp file, rename) races the whole
 * route write in bursts ({@code AtomicFilesRaceTest} races the swap itself, many more rounds): none of its saves may be lost, and every write the router reports was made on
 * top of every save finished before it started.
 */
class RouteRaceTest {
    static final RoutingPlan OTHER_PLAN = new RoutingPlan(HermesRoutingEditorTest.r("deepseek", "deepseek-v4-pro"),
            HermesRoutingEditorTest.r("gemini", "gemini-3.5-flash"), List.of(HermesRoutingEditorTest.r("anthropic", "claude-opus-4-7")),
            List.of());

    @Test
    void aConcurrentSaveIsNeverLostAndNoWriteIsClaimedOnAStaleFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, HermesRoutingEditorTest.example());
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger saved = new AtomicInteger();
        AtomicInteger missing = new AtomicInteger();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                while (!stop.get()) {
                    String text;
                    try {
                        text = Files.readString(config, StandardCharsets.UTF_8);
                    } catch (NoSuchFileException e) {
                        missing.incrementAndGet();
                        continue;
                    }
                    int n = saved.get() + 1;
                    Path tmp = Files.createTempFile(dir, ".config_", ".tmp");
                    Files.writeString(tmp, text + "# edit " + n + "\n");
                    Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    saved.set(n);
                    // Bursts of back-to-back saves, then quiet spells the router can finish a write in.
                    if (n % 20 == 0) {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 600));
                    }
                }
            } catch (Throwable t) {
                writerFailed.set(t);
            }
        }, "racing-writer");
        writer.start();
        int written = 0;
        int refused = 0;
        List<String> stale = new ArrayList<>();
        // Rounds until the router has written a few times among the saves; bounded, and the deadline only
        // keeps a starved machine from running long.
        long deadline = System.nanoTime() + 8_000_000_000L;
        try {
            for (int i = 0; (written < 1 || i < 4) && i < 20 && System.nanoTime() < deadline; i++) {
                RoutingPlan plan = i % 2 == 0 ? HermesRoutingEditorTest.SEED_PLAN : OTHER_PLAN;
                int savedBefore = saved.get();
                String before;
                try {
                    before = Files.readString(config, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    continue;
                }
                String after = HermesRoutingEditor.apply(before, plan, HermesRoutingEditorTest.MANAGED, HermesRoutingEditorTest.KEY_ENVS,
                        "config.yaml");
                try {
                    if ("written".equals(RouteWriter.write(config, before, after, plan, clock, false).status())) {
                        written++;
                        if (!after.contains("# edit " + savedBefore + "\n") && savedBefore > 0) {
                            stale.add("write " + written + " lacks save " + savedBefore);
                        }
                    }
                } catch (RoutingRefused e) {
                    refused++;
                }
            }
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertEquals(null, writerFailed.get());
        String last = Files.readString(config, StandardCharsets.UTF_8);
        List<Integer> lost = new ArrayList<>();
        for (int n = 1; n <= saved.get(); n++) {
            if (!last.contains("# edit " + n + "\n")) {
                lost.add(n);
            }
        }
        System.out.printf("race: %d saves, %d routing writes, %d refused as changed, %d reads found the file moved aside%n",
                saved.get(), written, refused, missing.get());
        assertEquals(List.of(), lost, "saves lost (of " + saved.get() + ", with " + written + " routing writes)");
        assertEquals(List.of(), stale);
        assertTrue(written > 0 && saved.get() > 0, "both made progress: " + written + " writes, " + saved.get() + " saves");
    }
}
