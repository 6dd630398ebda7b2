package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class WindowProperties {
    @Provide
    Arbitrary<ZoneId> zone() {
        return Arbitraries.of(List.of("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                "America/Santiago", "Asia/Kathmandu", "Pacific/Chatham")).map(ZoneId::of);
    }

    @Provide
    Arbitrary<Window> calendarWindow() {
        return Arbitraries.of(Window.DAILY, Window.WEEKLY, Window.MONTHLY);
    }

    @Provide
    Arbitrary<DayOfWeek> day() {
        return Arbitraries.of(DayOfWeek.values());
    }

    /** Every instant lies in exactly one period, and consecutive periods meet without gap or overlap. */
    @Property(tries = 1000)
    void windowsPartitionTime(@ForAll("zone") ZoneId zone, @ForAll("calendarWindow") Window w, @ForAll("day") DayOfWeek ws,
                              @ForAll @LongRange(min = 1_600_000_000_000L, max = 2_100_000_000_000L) long t) {
        PeriodCalendar cal = new PeriodCalendar(zone, ws);
        Period p = cal.periodOf(w, t);
        assertTrue(p.contains(t));
        Period next = cal.periodOf(w, p.endMillis());
        Period prev = cal.periodOf(w, p.startMillis() - 1);
        assertEquals(p.endMillis(), next.startMillis());
        assertEquals(p.startMillis(), prev.endMillis());
        assertTrue(!p.key().equals(next.key()) && !p.key().equals(prev.key()));
    }

    /** More spend never lowers the level. */
    @Property(tries = 500)
    void verdictIsMonotonicInSpend(@ForAll @LongRange(min = 0, max = 100_000_000) long limit,
                                   @ForAll @LongRange(min = 0, max = 200_000_000) long a,
                                   @ForAll @LongRange(min = 0, max = 200_000_000) long extra) {
        BudgetConfig cfg = new BudgetConfig(Map.of(ScopeKind.GLOBAL, new ScopeLimits(new Limits(Map.of(Window.DAILY, limit)), Map.of())),
                BudgetConfig.DEFAULT_SOFT, BudgetConfig.DEFAULT_HARD, EnforcementMode.ENFORCE, EnforcementMode.WARN_ONLY,
                ZoneId.of("UTC"), DayOfWeek.MONDAY);
        Instant now = Instant.parse("2026-11-24T12:00:00Z");
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        ledger.add(List.of(ScopeRef.GLOBAL), now.toEpochMilli(), a, false, true);
        Level before = ev.check(cfg, List.of(ScopeRef.GLOBAL), now).verdict().level();
        ledger.add(List.of(ScopeRef.GLOBAL), now.toEpochMilli(), extra, false, true);
        Level after = ev.check(cfg, List.of(ScopeRef.GLOBAL), now).verdict().level();
        assertTrue(after.compareTo(before) >= 0, before + " -> " + after);
    }
}
