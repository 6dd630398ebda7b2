package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The planned, memoised verdict (the hot path) says exactly what the plain evaluator says. */
class VerdictPlanProperties {
    private static final ScopeRef SESSION = ScopeRef.of(ScopeKind.SESSION, "s-1");
    private static final ScopeRef PROVIDER = ScopeRef.of(ScopeKind.PROVIDER, "Anthropic");
    private static final ScopeRef MODEL = ScopeRef.of(ScopeKind.MODEL, "gpt-4.1");
    private static final List<ScopeRef> SCOPES = List.of(ScopeRef.GLOBAL, PROVIDER, MODEL, SESSION);

    @Provide
    Arbitrary<ZoneId> zone() {
        return Arbitraries.of(List.of("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
                "Pacific/Chatham")).map(ZoneId::of);
    }

    /**
     * Spend arrives and time moves (by seconds, minutes, hours, days: across minute buckets, rolling
     * windows, days, weeks, months and DST changes); after every step both paths give the same statuses
     * and verdict (when a hard rolling window resets included), and a step that changed nothing returns
     * the very same check.
     */
    @Property(tries = 300)
    void plannedVerdictEqualsPlainVerdict(@ForAll("zone") ZoneId zone, @ForAll long seed,
                                          @ForAll @LongRange(min = 1_700_000_000_000L, max = 2_000_000_000_000L) long start,
                                          @ForAll boolean enforceUnpriced) {
        BudgetConfig config = config(zone, enforceUnpriced);
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(zone, config.weekStart()));
        BudgetEvaluator evaluator = new BudgetEvaluator(ledger);
        BudgetPlan.Planned planned = new BudgetPlan(config).plan(SCOPES);
        Random r = new Random(seed);
        long now = start;
        VerdictMemo memo = null;
        long last = now;
        for (int step = 0; step < 120; step++) {
            boolean spent = false;
            switch (r.nextInt(6)) {
                case 0, 1 -> {
                    List<ScopeRef> into = r.nextBoolean() ? SCOPES : List.of(ScopeRef.GLOBAL, SESSION);
                    ledger.add(into, now - r.nextInt(3_600_000), r.nextInt(400_000), r.nextInt(4) == 0, r.nextInt(8) != 0,
                            r.nextInt(10) == 0);
                    spent = true;
                }
                case 2 -> now += r.nextInt(120_000);
                case 3 -> now += r.nextInt(3) * 3_600_000L + r.nextInt(60) * 60_000L;
                case 4 -> now += r.nextInt(40) * 86_400_000L;
                default -> { }
            }
            VerdictMemo before = memo;
            memo = evaluator.check(planned, now, memo);
            BudgetCheck plain = evaluator.check(config, SCOPES, Instant.ofEpochMilli(now));
            assertEquals(sorted(plain.statuses()), sorted(memo.check().statuses()), "step " + step + " at " + Instant.ofEpochMilli(now));
            assertEquals(plain.verdict().level(), memo.check().verdict().level(), "step " + step);
            if (before != null && !spent && now == last) {
                assertSame(before, memo, "nothing changed at step " + step);
            }
            last = now;
        }
    }

    @Test
    void aRepeatedCheckReturnsTheSameObjectUntilSpendChanges() {
        BudgetConfig config = config(ZoneId.of("Europe/Berlin"), false);
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(config.zone(), config.weekStart()));
        BudgetEvaluator evaluator = new BudgetEvaluator(ledger);
        BudgetPlan.Planned planned = new BudgetPlan(config).plan(SCOPES);
        long now = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();
        ledger.add(SCOPES, now, 1_000_000, false, true);
        VerdictMemo first = evaluator.check(planned, now, null);
        assertSame(first, evaluator.check(planned, now + 1_000, first));
        ledger.add(SCOPES, now, 4_500_000, false, true);
        VerdictMemo second = evaluator.check(planned, now + 2_000, first);
        assertNotSame(first, second);
        assertEquals(Level.HARD, second.check().verdict().level());
        assertEquals(5_500_000, ((Verdict.Hard) second.check().verdict()).cause().spentMicros());
    }

    private static BudgetConfig config(ZoneId zone, boolean enforceUnpriced) {
        Map<ScopeKind, ScopeLimits> scopes = Map.of(
                ScopeKind.GLOBAL, new ScopeLimits(new Limits(Map.of(Window.DAILY, 5_000_000L, Window.MONTHLY, 40_000_000L,
                        Window.ROLLING_7D, 12_000_000L)), Map.of()),
                ScopeKind.PROVIDER, new ScopeLimits(Limits.NONE, Map.of("anthropic", new Limits(Map.of(Window.ROLLING_24H, 3_000_000L)))),
                ScopeKind.MODEL, new ScopeLimits(Limits.NONE, Map.of("gpt-4-1", new Limits(Map.of(Window.WEEKLY, 7_000_000L))),
                        Map.of("gpt-4-1", "gpt-4.1")),
                ScopeKind.SESSION, new ScopeLimits(new Limits(Map.of(Window.DAILY, 2_000_000L, Window.ROLLING_24H, 2_500_000L)), Map.of()));
        return new BudgetConfig(scopes, BudgetConfig.DEFAULT_SOFT, BudgetConfig.DEFAULT_HARD, EnforcementMode.WARN_ONLY,
                enforceUnpriced ? EnforcementMode.ENFORCE : EnforcementMode.PROVISIONAL, zone, DayOfWeek.MONDAY);
    }

    private static List<String> sorted(List<ScopeStatus> statuses) {
        List<String> out = new ArrayList<>();
        for (ScopeStatus s : statuses) {
            out.add(s.scope().describe() + " " + s + " " + s.scope().written());
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }
}
