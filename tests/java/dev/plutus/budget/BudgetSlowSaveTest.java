package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An editor that saves in place (truncates budget.yaml, then writes it back in chunks over
 * seconds) never opens a window without limits: sampled all through the save, with the engine's
 * own once-a-second reload running, the global limit is always there and the verdict stays hard.
 */
class BudgetSlowSaveTest {
    private static final String HEADER = """
            # Plutus budget. This header is long enough that a slow save writes it in several chunks,
            # so the reload sees the file empty, then comments only, then 'budgets:' alone, then a
            # scope with no limit yet, before the limits themselves arrive.
            """;
    private static final String BEFORE = HEADER + """
            budgets:
              global:
                daily_usd: 0.001
              per_model:
                overrides:
                  claude-opus-4-7:
                    weekly_usd: 50.00
            """;
    private static final String AFTER = HEADER + """
            budgets:
              global:
                daily_usd: 0.002
              per_model:
                overrides:
                  claude-opus-4-7:
                    weekly_usd: 40.00
            thresholds:
              soft_pct: 0.80
            """;

    @Test
    void limitsAreNeverAbsentWhileTheFileIsRewrittenInPlaceInChunks(@TempDir Path home) throws Exception {
        Path file = home.resolve("budget.yaml");
        Files.writeString(file, BEFORE);
        try (TestEngine p = TestSupport.open(home, Clock.systemUTC()).startBackground()) {
            ObjectNode kwargs = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
            double now = System.currentTimeMillis() / 1000.0;
            kwargs.put("started_at", now - 3).put("ended_at", now);
            p.hooks().dispatch("post_api_request", kwargs);
            assertEquals(Level.HARD, p.check(List.of(ScopeRef.GLOBAL)).verdict().level(), "the call is over the $0.001 cap");

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger samples = new AtomicInteger();
            AtomicInteger sawChange = new AtomicInteger();
            List<String> open = new ArrayList<>();
            Thread sampler = new Thread(() -> {
                while (writing.get()) {
                    samples.incrementAndGet();
                    BudgetConfig cfg = p.budgets().current();
                    Long daily = cfg.limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY);
                    Level level = p.check(List.of(ScopeRef.GLOBAL)).verdict().level();
                    BudgetFile.Standing s = p.budgets().standing();
                    if (s.settling() || s.refusal().isPresent()) {
                        sawChange.incrementAndGet();
                    }
                    if (daily == null || level != Level.HARD) {
                        synchronized (open) {
                            open.add("limit " + daily + ", verdict " + level + ", file " + s.fileState());
                        }
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            byte[] bytes = AFTER.getBytes(StandardCharsets.UTF_8);
            int chunks = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Thread.sleep(400);
                for (int at = 0; at < bytes.length; at += 12) {
                    ch.write(ByteBuffer.wrap(bytes, at, Math.min(12, bytes.length - at)));
                    ch.force(false);
                    chunks++;
                    Thread.sleep(120);
                }
            }
            // Now whole: within two looks it goes into force.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline
                    && !Long.valueOf(2_000L).equals(p.budgets().current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY))) {
                Thread.sleep(20);
            }
            writing.set(false);
            sampler.join();

            assertTrue(chunks > 20 && samples.get() > 300, chunks + " chunks, " + samples.get() + " samples");
            assertTrue(sawChange.get() > 0, "the reload looked at the file while it was being written");
            assertEquals(List.of(), open, "samples without the limit, or not hard, during the save");
            assertEquals(2_000L, p.budgets().current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY), "the whole file went into force");
            assertEquals(40_000_000L, p.budgets().current().limitsFor(ScopeRef.of(ScopeKind.MODEL, "claude-opus-4-7")).perWindow()
                    .get(Window.WEEKLY));
            assertTrue(p.budgets().error().isEmpty(), p.budgets().error().toString());
            assertEquals(AFTER, Files.readString(home.resolve("budget.last-good.yaml")));
        }
    }
}
