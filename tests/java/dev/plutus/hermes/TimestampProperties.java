package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import dev.plutus.budget.Level;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Over random sequences of calls with random timestamps (past, a little or far ahead, in
 * milliseconds, absurd), sent as hooks: the current day's spend never goes down while the limits
 * and prices stay put, and once the day is hard it stays hard until the day ends, also after the
 * totals are rebuilt from the store.
 */
class TimestampProperties {
    private static final Instant START = Instant.parse("2026-11-24T01:00:00Z");

    /** One call: its ended_at relative to now (or a raw value), and how far the clock moves after it. */
    record Step(String endedAt, long advanceSeconds) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> endedAt = Arbitraries.oneOf(
                Arbitraries.longs().between(-40L * 86_400, 300).map(s -> "now" + s),
                Arbitraries.longs().between(301, 3L * 86_400).map(s -> "now" + s),
                Arbitraries.of("millis", "1e300", "-1", "0", "\"soon\"", "null"));
        Arbitrary<Long> advance = Arbitraries.longs().between(0, 1_800);
        return Combinators.combine(endedAt, advance).as(Step::new).list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 25)
    void theCurrentDaysSpendNeverFallsAndAHardDayStaysHard(@ForAll("steps") List<Step> steps) throws Exception {
        Path home = Files.createTempDirectory("plutus-ts");
        try {
            Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1\n");
            TestSupport.MutableClock clock = new TestSupport.MutableClock(START, ZoneOffset.UTC);
            long spent = 0;
            boolean hard = false;
            try (TestEngine engine = TestSupport.open(home, clock)) {
                int i = 0;
                for (Step step : steps) {
                    ObjectNode k = TestSupport.JSON.createObjectNode().put("session_id", "s").put("api_request_id", "r" + i++)
                            .put("provider", "anthropic").put("model", "claude-sonnet-4-6");
                    k.putObject("usage").put("input_tokens", 100_000).put("output_tokens", 0);
                    long now = clock.instant().getEpochSecond();
                    String raw = step.endedAt().startsWith("now") ? Long.toString(now + Long.parseLong(step.endedAt().substring(3)))
                            : step.endedAt().equals("millis") ? Long.toString(now * 1000) : step.endedAt();
                    k.set("ended_at", TestSupport.JSON.readTree(raw));
                    engine.hooks().dispatch("post_api_request", k);
                    long after = engine.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, clock.instant()).spentMicros();
                    assertTrue(after >= spent, "spend fell from " + spent + " to " + after + " after ended_at " + raw);
                    spent = after;
                    boolean nowHard = engine.checkSession("s").verdict().level() == Level.HARD;
                    assertTrue(nowHard || !hard, "a hard day turned " + engine.checkSession("s").verdict() + " after ended_at " + raw);
                    hard = nowHard;
                    Instant next = clock.instant().plusSeconds(step.advanceSeconds());
                    if (!next.isBefore(START.plus(Duration.ofHours(22)))) {
                        break; // stay inside the day the property is about
                    }
                    clock.set(next);
                }
            }
            try (TestEngine reopened = TestSupport.open(home, clock)) {
                assertEquals(spent, reopened.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, clock.instant()).spentMicros(),
                        "the totals rebuilt from the store are the live ones");
                assertEquals(hard, reopened.checkSession("s").verdict().level() == Level.HARD);
            }
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
