package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BudgetTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void theShippedExampleParsesWithEverySection() throws Exception {
        BudgetConfig cfg = BudgetConfigParser.parse(Files.readString(Path.of("budget.example.yaml")), "budget.example.yaml", ZoneId.of("UTC"));
        assertEquals(5_000_000L, cfg.limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY));
        assertEquals(3_000_000L, cfg.limitsFor(ScopeRef.of(ScopeKind.CRON_JOB, "d200f53be09d")).perWindow().get(Window.DAILY));
        assertEquals(ZoneId.of("Europe/Berlin"), cfg.zone());
        assertEquals(new ReservationSettings(true, 1024, Duration.ofMinutes(10), false, Duration.ofSeconds(2)), cfg.reservations());
    }

    @Test
    void aClaimIsADurationNoLongerThanTheTtl() {
        String base = "budgets:\n  global:\n    daily_usd: 10\nreservations:\n  shared: true\n";
        assertEquals(Duration.ZERO, BudgetConfigParser.parse(base + "  claim: 0s\n", "budget.yaml", ZoneId.of("UTC")).reservations().claim());
        assertEquals(Duration.ofSeconds(30), BudgetConfigParser.parse(base + "  ttl: 30s\n  claim: 30s\n", "budget.yaml", ZoneId.of("UTC"))
                .reservations().claim());
        assertEquals(Duration.ofSeconds(1), BudgetConfigParser.parse(base + "  ttl: 1s\n", "budget.yaml", ZoneId.of("UTC"))
                .reservations().claim(), "the default claim shortens to a shorter ttl");
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.plutus.config.ConfigException.class,
                () -> BudgetConfigParser.parse(base + "  ttl: 30s\n  claim: 1m\n", "budget.yaml", ZoneId.of("UTC")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("budget.yaml") && e.getMessage().contains("claim")
                && e.getMessage().contains(":7:"), e.getMessage());
    }

    @Test
    void dstDaysLast23And25HoursInTheUsersZone() {
        PeriodCalendar cal = new PeriodCalendar(BERLIN, DayOfWeek.MONDAY);
        Period spring = cal.periodOf(Window.DAILY, Instant.parse("2026-03-29T12:00:00Z").toEpochMilli());
        assertEquals(Duration.ofHours(23).toMillis(), spring.endMillis() - spring.startMillis());
        assertEquals(Instant.parse("2026-03-28T23:00:00Z").toEpochMilli(), spring.startMillis());
        Period autumn = cal.periodOf(Window.DAILY, Instant.parse("2026-10-25T12:00:00Z").toEpochMilli());
        assertEquals(Duration.ofHours(25).toMillis(), autumn.endMillis() - autumn.startMillis());
        Period week = cal.periodOf(Window.WEEKLY, Instant.parse("2026-11-25T12:00:00Z").toEpochMilli());
        assertEquals("week-of-2026-11-23", week.key());
        Period sundayWeek = new PeriodCalendar(BERLIN, DayOfWeek.SUNDAY).periodOf(Window.WEEKLY, Instant.parse("2026-11-25T12:00:00Z").toEpochMilli());
        assertEquals("week-of-2026-11-22", sundayWeek.key());
    }

    @Test
    void spendCountsByEachCallsOwnTimeAcrossLocalMidnight() {
        BudgetConfig cfg = BudgetConfigParser.parse("budgets:\n  global:\n    daily_usd: 1.00\ntimezone: Europe/Berlin\n", "b.yaml", BERLIN);
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(cfg.zone(), cfg.weekStart()));
        // 23:59 and 00:01 Berlin time (UTC+1) fall on different local days.
        ledger.add(List.of(ScopeRef.GLOBAL), Instant.parse("2026-11-24T22:59:00Z").toEpochMilli(), 900_000, false, true);
        ledger.add(List.of(ScopeRef.GLOBAL), Instant.parse("2026-11-24T23:01:00Z").toEpochMilli(), 300_000, false, true);
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        BudgetCheck c = ev.check(cfg, List.of(ScopeRef.GLOBAL), Instant.parse("2026-11-24T23:30:00Z"));
        assertEquals(300_000, c.statuses().get(0).spentMicros());
        assertEquals("2026-11-25", c.statuses().get(0).periodKey());
        assertInstanceOf(Verdict.Ok.class, c.verdict());
    }

    @Test
    void levelsFollowThresholdsAndRollingWindowsForget() {
        BudgetConfig cfg = BudgetConfigParser.parse("""
                budgets:
                  per_provider:
                    overrides:
                      Anthropic:
                        rolling_24h_usd: 10
                thresholds: {soft_pct: 0.5, hard_pct: 0.9}
                on_estimated: {mode: enforce}
                """, "b.yaml", ZoneId.of("UTC"));
        ScopeRef anthropic = ScopeRef.of(ScopeKind.PROVIDER, "anthropic");
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        Instant t0 = Instant.parse("2026-11-24T10:00:00Z");
        ledger.add(List.of(anthropic), t0.toEpochMilli(), 5_000_000, false, true);
        assertEquals(Level.SOFT, ev.check(cfg, List.of(anthropic), t0).verdict().level());
        ledger.add(List.of(anthropic), t0.plusSeconds(3600).toEpochMilli(), 4_000_000, false, true);
        BudgetCheck hard = ev.check(cfg, List.of(anthropic), t0.plusSeconds(3600));
        assertInstanceOf(Verdict.Hard.class, hard.verdict());
        // Relief comes when the first $5 ages out of the 24 hours.
        assertEquals(t0.plus(Duration.ofHours(24)), hard.statuses().get(0).resetsAt());
        assertEquals(Level.OK, ev.check(cfg, List.of(anthropic), t0.plus(Duration.ofHours(26))).verdict().level());
    }

    @Test
    void hardVerdictRestingOnEstimatesIsSoftUnderWarnOnly() {
        BudgetConfig warn = BudgetConfigParser.parse("budgets: {global: {daily_usd: 1}}\n", "b.yaml", ZoneId.of("UTC"));
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        ledger.add(List.of(ScopeRef.GLOBAL), now.toEpochMilli(), 700_000, false, true);
        ledger.add(List.of(ScopeRef.GLOBAL), now.toEpochMilli(), 400_000, true, true);
        BudgetCheck c = new BudgetEvaluator(ledger).check(warn, List.of(ScopeRef.GLOBAL), now);
        assertEquals(Level.SOFT, c.verdict().level());
        assertTrue(c.statuses().get(0).degraded());
        // Once real spend alone crosses the limit, estimates no longer matter.
        ledger.add(List.of(ScopeRef.GLOBAL), now.toEpochMilli(), 300_000, false, true);
        assertEquals(Level.HARD, new BudgetEvaluator(ledger).check(warn, List.of(ScopeRef.GLOBAL), now).verdict().level());
    }

    @Test
    void unpricedCallsAreHardUnderEnforce() {
        BudgetConfig cfg = BudgetConfigParser.parse("budgets: {global: {daily_usd: 1}}\non_unpriced: enforce\n", "b.yaml", ZoneId.of("UTC"));
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        ledger.add(List.of(ScopeRef.GLOBAL), now.toEpochMilli(), 0, false, false);
        BudgetCheck c = new BudgetEvaluator(ledger).check(cfg, List.of(ScopeRef.GLOBAL), now);
        assertEquals(Level.HARD, c.verdict().level());
        assertTrue(c.statuses().get(0).unpricedHard());
    }

    @Test
    void seedFormatParsesWithOverridesFallingBackToDefaults() {
        BudgetConfig cfg = BudgetConfigParser.parse("""
                budgets:
                  global:
                    daily_usd: 2.00
                    monthly_usd: 50.00
                  per_cron_job:
                    default:
                      daily_usd: 1.00
                      weekly_usd: 4
                    overrides:
                      daily_email_report:
                        daily_usd: 3.00
                thresholds:
                  soft_pct: 0.80
                  hard_pct: 1.00
                on_estimated:
                  mode: enforce
                """, "budget.yaml", ZoneId.of("UTC"));
        Limits job = cfg.limitsFor(ScopeRef.of(ScopeKind.CRON_JOB, "daily_email_report"));
        assertEquals(3_000_000L, job.perWindow().get(Window.DAILY));
        assertEquals(4_000_000L, job.perWindow().get(Window.WEEKLY));
        assertEquals(EnforcementMode.ENFORCE, cfg.onEstimated());
    }

    @Test
    void errorsNameFileLineAndField() {
        ConfigException e = assertThrows(ConfigException.class, () -> BudgetConfigParser.parse(
                "budgets:\n  global:\n    daily_usd: five\n", "budget.yaml", ZoneId.of("UTC")));
        assertEquals("budget.yaml:3: budgets.global.daily_usd: expected a number, got 'five'", e.getMessage());
        ConfigException typo = assertThrows(ConfigException.class, () -> BudgetConfigParser.parse(
                "budgets:\n  global:\n    dialy_usd: 5\n", "budget.yaml", ZoneId.of("UTC")));
        assertTrue(typo.getMessage().startsWith("budget.yaml:3: budgets.global.dialy_usd: unknown field"), typo.getMessage());
        ConfigException tz = assertThrows(ConfigException.class, () -> BudgetConfigParser.parse(
                "timezone: Mars/Olympus\n", "budget.yaml", ZoneId.of("UTC")));
        assertTrue(tz.getMessage().contains("budget.yaml:1: timezone: unknown time zone"), tz.getMessage());
        ConfigException syntax = assertThrows(ConfigException.class, () -> BudgetConfigParser.parse(
                "budgets:\n  global: [\n", "budget.yaml", ZoneId.of("UTC")));
        assertTrue(syntax.getMessage().startsWith("budget.yaml:"), syntax.getMessage());
    }

    @Test
    void brokenFileKeepsLastGoodBudgetInForce(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("budget.yaml");
        Files.writeString(f, "budgets:\n  global:\n    daily_usd: 5\n");
        BudgetFile file = new BudgetFile(f, dir.resolve("budget.last-good.yaml"), ZoneId.of("UTC"));
        assertEquals(5_000_000L, file.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY));
        Files.writeString(f, "budgets:\n  global:\n    daily_usd: -1\n");
        file.reload();
        assertTrue(file.error().orElseThrow().contains("budget.yaml:3"), file.error().get());
        assertEquals(5_000_000L, file.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY));
        Files.writeString(f, "budgets:\n  global:\n    daily_usd: 7.5\n");
        file.reload();
        assertTrue(file.error().isEmpty());
        assertEquals(7_500_000L, file.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY));
    }

    @Test
    void budgetSetKeepsCommentsAndEveryOtherLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("budget.yaml");
        String original = """
                # my budget
                budgets:
                  global:
                    daily_usd: 2.00   # raised in May
                    monthly_usd: 50.00

                # cron jobs
                  per_cron_job:
                    default:
                      daily_usd: 1.00
                thresholds:
                  soft_pct: 0.80
                """;
        Files.writeString(f, original);
        BudgetEditor.apply(f, BudgetEditor.parse(List.of("global", "daily", "5")), ZoneId.of("UTC"));
        String after = Files.readString(f);
        // Only the value changes: the comment keeps its column.
        assertEquals(original.replace("daily_usd: 2.00   # raised in May", "daily_usd: 5.00   # raised in May"), after);
        BudgetEditor.apply(f, BudgetEditor.parse(List.of("cron_job", "nightly_digest", "weekly", "$3.5")), ZoneId.of("UTC"));
        BudgetConfig cfg = BudgetConfigParser.parse(Files.readString(f), "b", ZoneId.of("UTC"));
        assertEquals(3_500_000L, cfg.limitsFor(ScopeRef.of(ScopeKind.CRON_JOB, "nightly_digest")).perWindow().get(Window.WEEKLY));
        assertEquals(1_000_000L, cfg.limitsFor(ScopeRef.of(ScopeKind.CRON_JOB, "nightly_digest")).perWindow().get(Window.DAILY));
        assertTrue(Files.readString(f).startsWith("# my budget\n"));
        assertThrows(IllegalArgumentException.class, () -> BudgetEditor.parse(List.of("global", "fortnightly", "5")));
        assertThrows(IllegalArgumentException.class, () -> BudgetEditor.parse(List.of("global", "daily", "lots")));
    }
    @Test
    void aLimitOverABillionDollarsPerWindowIsRefusedAtItsLineAndThresholdsNeverOverflow() {
        BudgetConfig max = BudgetConfigParser.parse("budgets:\n  global:\n    daily_usd: 1000000000\nthresholds:\n  hard_pct: 10\n",
                "budget.yaml", ZoneId.of("UTC"));
        assertEquals(Limits.MAX_USD.movePointRight(6).longValueExact(), max.limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY));
        assertEquals(10_000_000_000_000_000L, BudgetConfig.threshold(Limits.MAX_MICROS, max.hardPct()), "the largest limit at 10x fits");
        for (String[] c : new String[][] {
                {"budgets:\n  global:\n    daily_usd: 1000000000.01\n", "budget.yaml:3: budgets.global.daily_usd: "},
                {"budgets:\n  global:\n    daily_usd: 1\n  per_model:\n    overrides:\n      m:\n        weekly_usd: 9223372036854.775807\n",
                        "budget.yaml:7: budgets.per_model.overrides.m.weekly_usd: "},
                {"budgets:\n  per_sender:\n    default: {monthly_usd: 1e30}\n", "budget.yaml:3: budgets.per_sender.default.monthly_usd: "}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> BudgetConfigParser.parse(c[0], "budget.yaml", ZoneId.of("UTC")));
            assertTrue(e.getMessage().startsWith(c[1] + "is over the largest limit Plutus takes ($1,000,000,000 per window)"),
                    e.getMessage());
        }
        // A config built in code with a limit near a long's end: the thresholds saturate instead of throwing.
        assertEquals(Long.MAX_VALUE, BudgetConfig.threshold(Long.MAX_VALUE - 1, new java.math.BigDecimal("1.5")));
        assertEquals(Long.MAX_VALUE - 1, BudgetConfig.threshold(Long.MAX_VALUE - 1, java.math.BigDecimal.ONE));
    }
}
