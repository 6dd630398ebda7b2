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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
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
        // AFTER raises the global cap: a loosening, so it waits for the settle period (shortened here) too.
        try (TestEngine p = TestEngine.open(TestSupport.config(home).budgetLooseningSettle(Duration.ofSeconds(2)).build())
                .startBackground()) {
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

    /** The tester's file: the per-session scope comes first, so a prefix holding only it parses. */
    private static final String SESSION_FIRST = """
            budgets:
              per_session:
                default:
                  daily_usd: 100
              global:
                daily_usd: 1.00
            """;
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private static Long globalDaily(BudgetFile f) {
        return f.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY);
    }

    /**
     * Saved line by line after truncation, with pauses from 1.5 s to 9 s between lines (the upkeep
     * looking once a second, timed by a clock moved by hand): the prefix holding only per_session
     * parses and would drop the global cap, so it waits for the settle period, which no pause
     * reaches; the global cap is in force at every look, and the whole file goes into force.
     */
    @Test
    void aParsablePrefixThatDropsALimitNeverGoesIntoForceDuringALineByLineSave(@TempDir Path dir) throws Exception {
        for (Duration pause : List.of(Duration.ofMillis(1500), Duration.ofMillis(2500), Duration.ofSeconds(9))) {
            Path file = dir.resolve("budget.yaml");
            Files.writeString(file, SESSION_FIRST);
            Files.deleteIfExists(dir.resolve("budget.last-good.yaml"));
            TestSupport.MutableClock clock = new TestSupport.MutableClock(T0, ZoneId.of("UTC"));
            BudgetFile f = new BudgetFile(file, dir.resolve("budget.last-good.yaml"), clock, BudgetFile.LOOSENING_SETTLE);
            assertEquals(1_000_000L, globalDaily(f));

            List<String> lines = SESSION_FIRST.lines().toList();
            int looks = 0;
            boolean prefixWaited = false;
            long sinceLook = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                for (String line : lines) {
                    ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
                    ch.force(false);
                    // The pause after this line, with the upkeep's look at every whole second.
                    for (long left = pause.toMillis(); left > 0; ) {
                        long step = Math.min(left, 1000 - sinceLook);
                        clock.advance(Duration.ofMillis(step));
                        left -= step;
                        sinceLook += step;
                        if (sinceLook == 1000) {
                            sinceLook = 0;
                            f.reloadIfChanged();
                            looks++;
                            assertEquals(1_000_000L, globalDaily(f), pause + ": the global cap at look " + looks + " after '" + line + "'");
                            assertEquals(100_000_000L, f.current().limitsFor(ScopeRef.of(ScopeKind.SESSION, "s1")).perWindow()
                                    .get(Window.DAILY), pause + ": the session cap at look " + looks);
                            prefixWaited |= f.standing().looseningAt().isPresent();
                        }
                    }
                }
            }
            assertTrue(prefixWaited, pause + ": the per_session-only prefix was seen and held back as a loosening");
            // Whole now, and the same budget as before: it goes into force within two looks, without the settle period.
            BudgetFile.Reload last = BudgetFile.Reload.SETTLING;
            for (int i = 0; i < 3 && last != BudgetFile.Reload.APPLIED && last != BudgetFile.Reload.UNCHANGED; i++) {
                clock.advance(Duration.ofSeconds(1));
                last = f.reloadIfChanged();
            }
            assertTrue(f.error().isEmpty(), f.error().toString());
            assertTrue(f.standing().looseningAt().isEmpty() && !f.standing().settling(), pause + ": " + f.standing());
            assertEquals(1_000_000L, globalDaily(f));
            assertEquals(SESSION_FIRST, Files.readString(dir.resolve("budget.last-good.yaml")));
        }
    }

    /** A restart in the middle of such a save: the prefix on disk waits against the last good copy like any loosening. */
    @Test
    void aRestartMidSaveKeepsTheLastGoodBudgetUntilThePrefixHasSettled(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("budget.yaml");
        Path lastGood = dir.resolve("budget.last-good.yaml");
        Files.writeString(file, SESSION_FIRST);
        TestSupport.MutableClock clock = new TestSupport.MutableClock(T0, ZoneId.of("UTC"));
        new BudgetFile(file, lastGood, clock, BudgetFile.LOOSENING_SETTLE);
        assertEquals(SESSION_FIRST, Files.readString(lastGood));
        // The save was cut by the restart after its per_session lines: a valid file without the global cap.
        String prefix = SESSION_FIRST.substring(0, SESSION_FIRST.indexOf("  global:"));
        Files.writeString(file, prefix);

        BudgetFile restarted = new BudgetFile(file, lastGood, clock, BudgetFile.LOOSENING_SETTLE);
        assertEquals(1_000_000L, globalDaily(restarted), "the last good global cap is in force at start");
        assertTrue(restarted.standing().looseningAt().isPresent(), restarted.standing().toString());
        for (int look = 1; look <= 5; look++) {
            clock.advance(Duration.ofSeconds(1));
            restarted.reloadIfChanged();
            assertEquals(1_000_000L, globalDaily(restarted), "look " + look);
        }
        // The rest of the save arrives: the whole file goes into force; the prefix never did.
        Files.writeString(file, SESSION_FIRST);
        for (int look = 0; look < 3; look++) {
            clock.advance(Duration.ofSeconds(1));
            restarted.reloadIfChanged();
        }
        assertEquals(1_000_000L, globalDaily(restarted));
        assertTrue(restarted.standing().looseningAt().isEmpty() && !restarted.standing().settling(), restarted.standing().toString());

        // Left cut for good, the prefix is a real (if unwise) edit: it goes into force after the settle period.
        Files.writeString(file, prefix);
        for (int look = 0; look < 15; look++) {
            clock.advance(Duration.ofSeconds(1));
            restarted.reloadIfChanged();
        }
        assertEquals(null, restarted.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY));

        // A loosening edited by hand long before a one-shot command starts is not a save in progress: no wait.
        Files.writeString(lastGood, SESSION_FIRST);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(clock.instant().minus(Duration.ofMinutes(5))));
        BudgetFile later = new BudgetFile(file, lastGood, clock, BudgetFile.LOOSENING_SETTLE);
        assertEquals(null, later.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY));
        assertTrue(later.standing().looseningAt().isEmpty(), later.standing().toString());
    }

    /**
     * A plain hand edit that loosens (the global cap raised, the session scope removed) waits until
     * it has stayed unchanged for the settle period, is shown as waiting until then, and goes into
     * force at its end, reported as a loosening; a tightening edit goes into force at the second look.
     */
    @Test
    void aLooseningEditGoesIntoForceAfterTheSettlePeriodAndATighteningOneAtOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("budget.yaml");
        Files.writeString(file, SESSION_FIRST);
        TestSupport.MutableClock clock = new TestSupport.MutableClock(T0, ZoneId.of("UTC"));
        BudgetFile f = new BudgetFile(file, dir.resolve("budget.last-good.yaml"), clock, BudgetFile.LOOSENING_SETTLE);

        String looser = "budgets:\n  global:\n    daily_usd: 5.00\nthresholds:\n  hard_pct: 1.2\non_unpriced: warn_only\n";
        Files.writeString(file, looser);
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged(), "the two looks agree, but it loosens");
        BudgetFile.Standing waiting = f.standing();
        assertEquals(Optional.of(T0.plus(BudgetFile.LOOSENING_SETTLE)), waiting.looseningAt());
        assertEquals(List.of("global daily limit raised from $1.00 to $5.00", "per_session default daily limit removed (was $100.00)",
                "hard_pct raised from 1.00 to 1.2", "on_unpriced lowered from provisional to warn_only"), waiting.loosening());
        assertEquals("settling", waiting.fileState());
        assertEquals(Optional.of("settling: loosening waits until 10:00:10"), waiting.looseningWait());
        assertTrue(waiting.notice().contains("budget.yaml changed on disk and LOOSENS the budget in force (global daily limit raised from"
                + " $1.00 to $5.00; per_session default daily limit removed (was $100.00);"), waiting.notice());
        assertTrue(waiting.notice().contains("it goes into force at 10:00:10 if it stays unchanged until then"), waiting.notice());
        for (int s = 2; s < 10; s++) {
            clock.advance(Duration.ofSeconds(1));
            assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged(), s + " s after it was first seen");
            assertEquals(1_000_000L, globalDaily(f));
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BudgetFile.Reload.APPLIED, f.reloadIfChanged(), "unchanged for 10 s");
        assertEquals(5_000_000L, globalDaily(f));
        assertEquals(waiting.loosening(), f.lastLoosening());
        assertTrue(f.standing().looseningAt().isEmpty() && f.standing().notice().isEmpty(), f.standing().notice());

        // Changed again while waiting: the settle period starts over from the new text.
        Files.writeString(file, "budgets:\n  global:\n    daily_usd: 7.00\n");
        f.reloadIfChanged();
        clock.advance(Duration.ofSeconds(6));
        f.reloadIfChanged();
        Files.writeString(file, "budgets:\n  global:\n    daily_usd: 8.00\n");
        clock.advance(Duration.ofSeconds(6));
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged());
        clock.advance(Duration.ofSeconds(6));
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged(), "8.00 has been there for 6 s only");
        assertEquals(5_000_000L, globalDaily(f));
        clock.advance(Duration.ofSeconds(4));
        assertEquals(BudgetFile.Reload.APPLIED, f.reloadIfChanged());
        assertEquals(8_000_000L, globalDaily(f));

        // Tightening: a lower cap and a new scope go into force at the second look.
        Files.writeString(file, "budgets:\n  global:\n    daily_usd: 2.00\n  per_model:\n    default:\n      daily_usd: 1\n");
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BudgetFile.Reload.APPLIED, f.reloadIfChanged());
        assertEquals(2_000_000L, globalDaily(f));
        assertEquals(List.of(), f.lastLoosening());

        // Plutus's own edit (written whole, by rename) goes into force at once, even when it raises a limit.
        BudgetEditor.apply(file, BudgetEditor.parse(List.of("global", "daily", "20")), ZoneId.of("UTC"));
        assertEquals(BudgetFile.Reload.APPLIED, f.reload());
        assertEquals(20_000_000L, globalDaily(f));
    }

    /**
     * The tester's reproduction, in real time against the engine's own once-a-second reload: the
     * file with per_session first, rewritten line by line after truncation with 1.5 s pauses, is
     * sampled all through; the global cap is never absent, and the whole file is in force at the end.
     */
    @Test
    void theEngineKeepsTheGlobalCapThroughALineByLineSaveWithPauses(@TempDir Path home) throws Exception {
        Path file = home.resolve("budget.yaml");
        Files.writeString(file, SESSION_FIRST);
        try (TestEngine p = TestSupport.open(home, Clock.systemUTC()).startBackground()) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger samples = new AtomicInteger();
            AtomicBoolean sawLoosening = new AtomicBoolean();
            List<String> open = new ArrayList<>();
            Thread sampler = new Thread(() -> {
                while (writing.get()) {
                    samples.incrementAndGet();
                    Long daily = globalDaily(p.budgets());
                    BudgetFile.Standing s = p.budgets().standing();
                    sawLoosening.compareAndSet(false, s.looseningAt().isPresent());
                    if (!Long.valueOf(1_000_000L).equals(daily)) {
                        synchronized (open) {
                            open.add("limit " + daily + ", file " + s.fileState());
                        }
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                for (String line : SESSION_FIRST.lines().toList()) {
                    Thread.sleep(1500);
                    ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
                    ch.force(false);
                }
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && (p.budgets().standing().settling() || p.budgets().error().isPresent())) {
                Thread.sleep(20);
            }
            writing.set(false);
            sampler.join();
            assertTrue(samples.get() > 300, samples.get() + " samples");
            // Whether two looks fell inside one pause depends on the scheduler; the simulated-clock test above
            // shows the prefix held back deterministically. Here: never a sample without the cap.
            System.out.println("real-time slow save: " + samples.get() + " samples, prefix seen as a loosening: " + sawLoosening.get());
            assertEquals(List.of(), open, "samples without the global cap during the save");
            assertTrue(p.budgets().error().isEmpty() && !p.budgets().standing().settling(), p.budgets().standing().toString());
            assertEquals(100_000_000L, p.budgets().current().limitsFor(ScopeRef.of(ScopeKind.SESSION, "s1")).perWindow().get(Window.DAILY));
        }
    }
}
