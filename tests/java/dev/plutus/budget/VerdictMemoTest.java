package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A session's memoised verdict comes back unchanged only while nothing it rests on changed: it is
 * rebuilt when any one of its scopes' totals changes, when a period ends or a rolling minute ages
 * out, and when the budget is replaced; and it is kept when calls land in scopes it does not include.
 */
class VerdictMemoTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final ScopeRef SESSION = ScopeRef.of(ScopeKind.SESSION, "s-1");
    private static final ScopeRef PROVIDER = ScopeRef.of(ScopeKind.PROVIDER, "anthropic");
    private static final ScopeRef CRON = ScopeRef.of(ScopeKind.CRON_JOB, "job1");
    private static final List<ScopeRef> SCOPES = List.of(ScopeRef.GLOBAL, PROVIDER, CRON, SESSION);
    /** Tuesday 2026-11-24 23:59:00 in Berlin. */
    private static final long NOW = Instant.parse("2026-11-24T22:59:00Z").toEpochMilli();

    private final SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZONE, DayOfWeek.MONDAY));
    private final BudgetEvaluator evaluator = new BudgetEvaluator(ledger);

    @Test
    void aCallIntoAnyOneScopeRebuildsTheVerdictWithThatScopesNewTotal() {
        BudgetPlan.Planned planned = new BudgetPlan(config(10_000_000L)).plan(SCOPES);
        ledger.add(SCOPES, NOW - 60_000, 1_000_000, false, true);
        for (ScopeRef scope : SCOPES) {
            VerdictMemo before = evaluator.check(planned, NOW, null);
            assertSame(before, evaluator.check(planned, NOW, before), "nothing changed");
            long spentBefore = spentIn(before, scope);
            ledger.add(List.of(scope), NOW - 30_000, 250_000, false, true);
            VerdictMemo after = evaluator.check(planned, NOW, before);
            assertNotSame(before, after, scope.describe());
            assertEquals(spentBefore + 250_000, spentIn(after, scope), scope.describe());
            assertEquals(plain(SCOPES, 10_000_000L), sorted(after), scope.describe());
        }
    }

    @Test
    void callsIntoOtherScopesAndNewScopesElsewhereKeepTheVerdict() {
        BudgetPlan.Planned planned = new BudgetPlan(config(10_000_000L)).plan(SCOPES);
        ledger.add(SCOPES, NOW - 60_000, 1_000_000, false, true);
        VerdictMemo memo = evaluator.check(planned, NOW, null);
        ledger.add(List.of(ScopeRef.of(ScopeKind.SESSION, "other")), NOW - 1_000, 9_000_000, false, true);
        ledger.add(List.of(ScopeRef.of(ScopeKind.SESSION, "other")), NOW - 1_000, 9_000_000, false, true);
        assertSame(memo, evaluator.check(planned, NOW + 1_000, memo));
    }

    @Test
    void aScopeWithoutSpendWhenPlannedIsSeenOnceItsFirstCallArrives() {
        BudgetPlan.Planned planned = new BudgetPlan(config(10_000_000L)).plan(SCOPES);
        ledger.add(List.of(ScopeRef.GLOBAL), NOW - 60_000, 1_000_000, false, true);
        VerdictMemo memo = evaluator.check(planned, NOW, null);
        assertEquals(0, spentIn(memo, SESSION));
        ledger.add(List.of(SESSION), NOW - 1_000, 10_500_000, false, true);
        VerdictMemo after = evaluator.check(planned, NOW, memo);
        assertEquals(10_500_000, spentIn(after, SESSION));
        assertEquals(Level.HARD, after.check().verdict().level());
    }

    @Test
    void theEndOfThePeriodAndARollingMinuteAgeingOutRebuildTheVerdict() {
        BudgetPlan.Planned planned = new BudgetPlan(config(10_000_000L)).plan(SCOPES);
        ledger.add(SCOPES, NOW - 60_000, 10_600_000, false, true);
        VerdictMemo memo = evaluator.check(planned, NOW, null);
        assertEquals(Level.HARD, memo.check().verdict().level());
        // One millisecond before local midnight nothing has changed yet.
        long midnight = Instant.parse("2026-11-24T23:00:00Z").toEpochMilli();
        assertSame(memo, evaluator.check(planned, midnight - 1, memo));
        // At midnight the daily totals start again; the rolling 24 h one still holds the call.
        VerdictMemo nextDay = evaluator.check(planned, midnight, memo);
        assertNotSame(memo, nextDay);
        assertEquals(plain(SCOPES, 10_000_000L, midnight), sorted(nextDay));
        assertEquals(0, spentIn(nextDay, SESSION, Window.DAILY));
        assertEquals(10_600_000, spentIn(nextDay, SESSION, Window.ROLLING_24H));
        // 24 hours after its minute, the call ages out of the rolling window.
        long agedOut = NOW - 60_000 + 24 * 3_600_000L;
        VerdictMemo before = evaluator.check(planned, agedOut - 1, nextDay);
        assertEquals(10_600_000, spentIn(before, SESSION, Window.ROLLING_24H));
        VerdictMemo after = evaluator.check(planned, agedOut, before);
        assertEquals(0, spentIn(after, SESSION, Window.ROLLING_24H));
        assertEquals(plain(SCOPES, 10_000_000L, agedOut), sorted(after));
    }

    @Test
    void aNewBudgetIsANewPlanAndTheOldVerdictDoesNotHoldForIt() {
        ledger.add(SCOPES, NOW - 60_000, 3_000_000, false, true);
        BudgetPlan.Planned loose = new BudgetPlan(config(10_000_000L)).plan(SCOPES);
        VerdictMemo memo = evaluator.check(loose, NOW, null);
        assertEquals(Level.OK, memo.check().verdict().level());
        BudgetPlan.Planned tight = new BudgetPlan(config(3_000_000L)).plan(SCOPES);
        VerdictMemo after = evaluator.check(tight, NOW, memo);
        assertNotSame(memo, after);
        assertEquals(Level.HARD, after.check().verdict().level());
    }

    @Test
    void aReplacedLedgerIsReadFromItsNewCounters() {
        BudgetPlan.Planned planned = new BudgetPlan(config(10_000_000L)).plan(SCOPES);
        ledger.add(SCOPES, NOW - 60_000, 1_000_000, false, true);
        VerdictMemo memo = evaluator.check(planned, NOW, null);
        SpendLedger rebuilt = new SpendLedger(ledger.calendar());
        rebuilt.add(SCOPES, NOW - 60_000, 4_000_000, false, true);
        ledger.replaceWith(rebuilt);
        VerdictMemo after = evaluator.check(planned, NOW, memo);
        assertEquals(4_000_000, spentIn(after, SESSION));
        // The counters the memo held are no longer counted into: a call now lands in the rebuilt ones.
        ledger.add(List.of(SESSION), NOW - 1_000, 500_000, false, true);
        assertEquals(4_500_000, spentIn(evaluator.check(planned, NOW, after), SESSION));
    }

    private long spentIn(VerdictMemo memo, ScopeRef scope) {
        return spentIn(memo, scope, Window.DAILY);
    }

    private static long spentIn(VerdictMemo memo, ScopeRef scope, Window window) {
        return memo.check().statuses().stream().filter(s -> s.scope().equals(scope) && s.window() == window)
                .findFirst().orElseThrow().spentMicros();
    }

    private List<String> plain(List<ScopeRef> scopes, long daily) {
        return plain(scopes, daily, NOW);
    }

    private List<String> plain(List<ScopeRef> scopes, long daily, long now) {
        return describe(evaluator.check(config(daily), scopes, Instant.ofEpochMilli(now)).statuses());
    }

    private static List<String> sorted(VerdictMemo memo) {
        return describe(memo.check().statuses());
    }

    private static List<String> describe(List<ScopeStatus> statuses) {
        return statuses.stream().map(s -> s.scope().describe() + " " + s.window().label() + " " + s.spentMicros() + " " + s.level()
                + " " + s.periodKey() + " " + s.resetsAt()).sorted().toList();
    }

    /** Each scope limited per day, the session also per rolling 24 h. */
    private static BudgetConfig config(long daily) {
        Limits perDay = new Limits(Map.of(Window.DAILY, daily));
        Map<ScopeKind, ScopeLimits> scopes = Map.of(
                ScopeKind.GLOBAL, new ScopeLimits(perDay, Map.of()),
                ScopeKind.PROVIDER, new ScopeLimits(perDay, Map.of()),
                ScopeKind.CRON_JOB, new ScopeLimits(perDay, Map.of()),
                ScopeKind.SESSION, new ScopeLimits(new Limits(Map.of(Window.DAILY, daily, Window.ROLLING_24H, daily)), Map.of()));
        return new BudgetConfig(scopes, BudgetConfig.DEFAULT_SOFT, BudgetConfig.DEFAULT_HARD, EnforcementMode.WARN_ONLY,
                EnforcementMode.PROVISIONAL, ZONE, DayOfWeek.MONDAY);
    }
}
