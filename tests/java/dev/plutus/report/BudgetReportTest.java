package dev.plutus.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.Level;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Window;
import dev.plutus.budget.WindowSpend;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** /budget from constructed scope statuses: cents, flags, notes, resets and the empty states. */
class BudgetReportTest {
    static final ZoneId UTC = ZoneId.of("UTC");
    static final String HEAD = "Plutus — Budgets\n" + "=".repeat(72) + "\n";
    static final String IN_FORCE = "\nIn force: budget.yaml (0123456789ab); times in UTC";
    static final String LEGEND = IN_FORCE + "\nLegend: (blank)=ok  !=soft  █=hard (tools blocked, cron paused)  ~est=rests partly on estimated tokens\n";

    private static ScopeStatus status(ScopeRef scope, Window window, WindowSpend spend, long limit, Level level, boolean degraded,
                                      String period, String resets) {
        return new ScopeStatus(scope, window, spend, limit, level, degraded, false, period, resets == null ? null : Instant.parse(resets), 0);
    }

    @Test
    void everyScopeIsOneAlignedLineWithSpendInCentsAndWhyItIsFlagged() {
        List<ScopeStatus> statuses = List.of(
                status(ScopeRef.GLOBAL, Window.DAILY, new WindowSpend(4_256_789, 0, 0), 5_000_000, Level.SOFT, false,
                        "2026-11-24", "2026-11-25T00:00:00Z"),
                status(ScopeRef.of(ScopeKind.CRON_JOB, "d200f53be09d"), Window.MONTHLY, new WindowSpend(12_345_000, 2_000_000, 0),
                        10_000_000, Level.HARD, false, "2026-11", "2026-12-01T00:00:00Z"),
                status(ScopeRef.of(ScopeKind.MODEL, "claude-sonnet-4-6"), Window.ROLLING_24H, new WindowSpend(1_000, 0, 3), 2_500,
                        Level.OK, false, "rolling", null),
                status(ScopeRef.of(ScopeKind.SENDER, "alice"), Window.WEEKLY, new WindowSpend(7_000_000, 7_000_000, 0), 5_000_000,
                        Level.SOFT, true, "2026-W48", "2026-11-30T00:00:00Z"),
                status(ScopeRef.of(ScopeKind.SESSION, "s1"), Window.DAILY, new WindowSpend(10, 0, 0), 0, Level.HARD, false,
                        "2026-11-24", "2026-11-25T00:00:00Z"));
        Rendered r = BudgetReport.render("Budgets", statuses, UTC, standing(true, Optional.empty()));
        assertEquals(HEAD + """
                   Scope                    Window           Spent    Limit       %  Resets                Notes
                ----------------------------------------------------------------------------------------------------------------------
                !  global                   daily            $4.26    $5.00     85%  2026-11-25 00:00 UTC
                █  cron_job d200f53be09d    monthly         $12.35   $10.00    123%  2026-12-01 00:00 UTC  ~est
                   model claude-sonnet-4-6  rolling_24h    $0.0010  $0.0025     40%  -                     ~unpriced:3
                !  sender alice             weekly           $7.00    $5.00    140%  2026-11-30 00:00 UTC  ~est (hard→soft: estimates)
                █  session s1               daily        $0.000010    $0.00  >9999%  2026-11-25 00:00 UTC
                """ + LEGEND, r.text());
        assertEquals("{\"scope\":\"global\",\"id\":\"\",\"window\":\"daily\",\"spent_usd\":4.256789,\"limit_usd\":5.000000,"
                + "\"level\":\"soft\",\"percent\":85,\"estimated_usd\":0.000000,\"unpriced_calls\":0,\"provisional_usd\":0.000000,\"degraded\":false,"
                + "\"period\":\"2026-11-24\",\"resets_at\":\"2026-11-25T00:00:00Z\",\"held_usd\":0.000000}", r.json().path("scopes").get(0).toString());
        assertEquals("{\"scope\":\"model\",\"id\":\"claude-sonnet-4-6\",\"window\":\"rolling_24h\",\"spent_usd\":0.001000,"
                + "\"limit_usd\":0.002500,\"level\":\"ok\",\"percent\":40,\"estimated_usd\":0.000000,\"unpriced_calls\":3,"
                + "\"provisional_usd\":0.000000,\"degraded\":false,\"period\":\"rolling\",\"resets_at\":null,\"held_usd\":0.000000}", r.json().path("scopes").get(2).toString());
        assertEquals("12.345000", r.json().path("scopes").get(1).path("spent_usd").decimalValue().toPlainString(),
                "JSON carries the exact amount the text rounds to cents");
        assertEquals(false, r.json().has("error"));
    }

    @Test
    void heldMoneyCountsTowardThePercentButNotTheSpentColumn() {
        ScopeStatus held = new ScopeStatus(ScopeRef.GLOBAL, Window.DAILY, new WindowSpend(1_000_000, 0, 0), 4_000_000, Level.OK, false,
                false, "2026-11-24", null, 1_000_000);
        assertEquals(HEAD + """
                   Scope   Window  Spent  Limit    %  Resets  Notes
                ---------------------------------------------------
                   global  daily   $1.00  $4.00  50%  -
                """ + LEGEND, BudgetReport.render("Budgets", List.of(held), UTC, standing(true, Optional.empty())).text());
    }

    private static BudgetFile.Standing standing(boolean anyLimit, Optional<String> refusal) {
        return new BudgetFile.Standing(Path.of("/home/u/plutus/budget.yaml"), Path.of("/home/u/plutus/budget.last-good.yaml"),
                BudgetFile.Source.FILE, "0123456789ab", anyLimit, refusal, false, Optional.empty());
    }

    @Test
    void withNoBudgetsItSaysHowToSetOneAndABrokenFileIsShownAboveTheTable() {
        assertEquals(HEAD + """
                No budgets are set: spend is tracked but nothing is enforced.
                Set one with /budget set global daily 5.00, or /setup budget default.
                """ + LEGEND, BudgetReport.render("Budgets", List.of(), UTC, standing(false, Optional.empty())).text());
        assertEquals("{\"scopes\":[],\"zone\":\"UTC\",\"refused_calls\":[],\"budget_file\":{\"path\":\"/home/u/plutus/budget.yaml\",\"in_force\":\"file\","
                + "\"digest\":\"0123456789ab\",\"state\":\"loaded\",\"any_limit\":false}}",
                BudgetReport.render("Budgets", List.of(), UTC, standing(false, Optional.empty())).json().toString());

        String error = "budget.yaml:3: budgets.global.daily_usd: expected a number, got 'five'";
        Rendered broken = BudgetReport.render("Budgets for cron_job d200f53be09d", List.of(), UTC, standing(true, Optional.of(error)));
        assertEquals("Plutus — Budgets for cron_job d200f53be09d\n" + "=".repeat(72) + "\n"
                + "! budget.yaml on disk is refused; the budget loaded before it stays in force (0123456789ab):\n  " + error + "\n\n"
                + "No scope in this view has a limit.\n" + LEGEND, broken.text());
        assertEquals(error, broken.json().path("error").asText());
        assertEquals("refused", broken.json().path("budget_file").path("state").asText());
        assertEquals(error, broken.json().path("budget_file").path("error").asText());
    }

    @Test
    void aRefusedFileWithNothingGoodBeforeItSaysEveryVerdictIsUnknown() {
        String error = "budget.yaml:1: budgets: is empty: list at least one scope under it, or write 'budgets: {}' to enforce no budget at all";
        BudgetFile.Standing none = new BudgetFile.Standing(Path.of("budget.yaml"), Path.of("budget.last-good.yaml"), BudgetFile.Source.NONE,
                "", false, Optional.of(error), false, Optional.empty());
        Rendered r = BudgetReport.render("Budgets", List.of(), UTC, none);
        String text = r.text();
        assertTrue(text.contains("! budget.yaml on disk is refused; no earlier good budget is known, so EVERY BUDGET VERDICT IS UNKNOWN"
                + " until it is fixed (hooks answer 503 and your fail_mode applies):\n  " + error), text);
        assertTrue(text.contains("No limit is known: spend is tracked, and every budget verdict is unknown"), text);
        assertTrue(text.contains("In force: no budget; times in UTC\n"), text);
        assertEquals("unknown", r.json().path("verdict").asText());

        // Absent (not refused) in a home that never had a budget: simply unbudgeted, no verdict is unknown.
        BudgetFile.Standing absent = new BudgetFile.Standing(Path.of("budget.yaml"), Path.of("budget.last-good.yaml"),
                BudgetFile.Source.NONE, "", false, Optional.empty(), false, Optional.empty());
        Rendered plain = BudgetReport.render("Budgets", List.of(), UTC, absent);
        assertTrue(plain.text().contains("No budgets are set"), plain.text());
        assertTrue(plain.json().path("verdict").isMissingNode());
    }
}
