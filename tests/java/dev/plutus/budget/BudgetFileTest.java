package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * budget.yaml never loosens by accident: every way a file can say "no limits" without meaning it
 * is refused with its file, line and field, the budget before it stays in force, and a process
 * started on a refused file enforces the last good copy.
 */
class BudgetFileTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final String GOOD = """
            budgets:
              global:
                daily_usd: 1.00
              per_model:
                overrides:
                  claude-opus-4-7:
                    weekly_usd: 50.00
            """;

    @TempDir Path dir;

    private Path file() {
        return dir.resolve("budget.yaml");
    }

    private BudgetFile open() {
        return new BudgetFile(file(), dir.resolve("budget.last-good.yaml"), UTC);
    }

    private static long globalDaily(BudgetFile f) {
        Long v = f.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.DAILY);
        return v == null ? -1 : v;
    }

    record Variant(String name, String text, String error) {}

    static final List<Variant> LOOSENING = List.of(
            new Variant("empty", "", "budget.yaml:1: budgets: missing: the file is empty or holds only comments."),
            new Variant("whitespace", "\n   \n\n", "budget.yaml:3: budgets: missing: the file is empty or holds only comments."),
            new Variant("comments only", "# my budget\n#budgets:\n#  global: {daily_usd: 1}\n",
                    "budget.yaml:3: budgets: missing: the file is empty or holds only comments."),
            new Variant("no budgets key", "thresholds:\n  soft_pct: 0.5\n", "budget.yaml:2: budgets: missing: the file sets no 'budgets'."),
            new Variant("budgets: alone", "budgets:\n", "budget.yaml:1: budgets: is empty: list at least one scope under it"),
            new Variant("budgets: ~", "budgets: ~\n", "budget.yaml:1: budgets: is empty"),
            new Variant("cut after a scope's key", "budgets:\n  global:\n", "budget.yaml:2: budgets.global: has no value (a file cut short"),
            new Variant("cut inside a key", "budgets:\n  global:\n    daily_u",
                    "budget.yaml:3: budgets.global: expected a mapping of keys to values"),
            new Variant("cut after a field's colon", "budgets:\n  global:\n    daily_usd:",
                    "budget.yaml:3: budgets.global.daily_usd: has no value"),
            new Variant("cut after an override's id", GOOD.substring(0, GOOD.indexOf("claude-opus-4-7:") + "claude-opus-4-7:".length()),
                    "budget.yaml:6: budgets.per_model.overrides.claude-opus-4-7: has no limits"),
            new Variant("cut after overrides", "budgets:\n  global:\n    daily_usd: 1.00\n  per_model:\n    overrides:\n",
                    "budget.yaml:5: budgets.per_model.overrides: has no value"),
            new Variant("empty scope {}", "budgets:\n  global: {}\n", "budget.yaml:2: budgets.global: has no limits"),
            new Variant("scope without default or overrides", "budgets:\n  per_sender: {}\n",
                    "budget.yaml:2: budgets.per_sender: has no limits: give it a 'default' or 'overrides'"),
            new Variant("empty default", "budgets:\n  per_cron_job:\n    default:\n", "budget.yaml:3: budgets.per_cron_job.default: has no limits"),
            new Variant("empty overrides", "budgets:\n  per_model:\n    overrides: {}\n", "budget.yaml:3: budgets.per_model.overrides: is empty"),
            new Variant("a threshold left empty", "budgets:\n  global:\n    daily_usd: 1\nthresholds:\n  hard_pct:\n",
                    "budget.yaml:5: thresholds.hard_pct: has no value"),
            new Variant("duplicate limit", "budgets:\n  global:\n    daily_usd: 1.00\n    daily_usd: 500.00\n",
                    "budget.yaml:4: budgets.global.daily_usd: duplicate key (first on line 3)"),
            new Variant("duplicate scope", "budgets:\n  global:\n    daily_usd: 1.00\n  global:\n    daily_usd: 500.00\n",
                    "budget.yaml:4: budgets.global: duplicate key (first on line 2)"),
            new Variant("duplicate budgets", "budgets:\n  global:\n    daily_usd: 1.00\nbudgets:\n  global:\n    daily_usd: 500.00\n",
                    "budget.yaml:4: budgets: duplicate key (first on line 1)"),
            new Variant("duplicate override id", "budgets:\n  per_model:\n    overrides:\n      m:\n        daily_usd: 1\n      m:\n        daily_usd: 500\n",
                    "budget.yaml:6: budgets.per_model.overrides.m: duplicate key (first on line 4)"),
            new Variant("duplicate default", "budgets:\n  per_session:\n    default:\n      daily_usd: 1\n    default:\n      daily_usd: 500\n",
                    "budget.yaml:5: budgets.per_session.default: duplicate key (first on line 3)"),
            new Variant("duplicate threshold", "budgets:\n  global:\n    daily_usd: 1\nthresholds:\n  hard_pct: 1.0\n  hard_pct: 50\n",
                    "budget.yaml:6: thresholds.hard_pct: duplicate key (first on line 5)"),
            new Variant("duplicate in flow style", "budgets:\n  global: {daily_usd: 1, daily_usd: 500}\n",
                    "budget.yaml:2: budgets.global.daily_usd: duplicate key (first on line 2)"),
            new Variant("not UTF-8", "budgets:\n  global:\n    daily_usd: 1 # caf\u00e9\n", "budget.yaml:1: the file is not UTF-8 text"));

    @Test
    void everyLooseningVariantIsRefusedAtItsFileLineAndFieldAndTheBudgetBeforeStaysInForce() throws Exception {
        for (Variant v : LOOSENING) {
            Files.writeString(file(), GOOD);
            BudgetFile f = open();
            assertEquals(1_000_000L, globalDaily(f), v.name());
            if (v.name().equals("not UTF-8")) {
                Files.write(file(), v.text().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            } else {
                Files.writeString(file(), v.text());
            }
            // The upkeep's path: the first look sees a change, the second, finding it the same, acts on it.
            assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged(), v.name());
            assertEquals(BudgetFile.Reload.REFUSED, f.reloadIfChanged(), v.name());
            String error = f.error().orElseThrow(() -> new AssertionError(v.name() + " was accepted"));
            assertTrue(error.startsWith(file() + ":"), v.name() + ": " + error);
            String relative = error.substring(dir.toString().length() + 1);
            assertTrue(relative.startsWith(v.error()), v.name() + ": expected " + v.error() + "\n  got " + relative);
            assertEquals(1_000_000L, globalDaily(f), v.name() + ": the budget before stays in force");
            assertEquals(50_000_000L, f.current().limitsFor(ScopeRef.of(ScopeKind.MODEL, "claude-opus-4-7")).perWindow().get(Window.WEEKLY),
                    v.name());
            assertEquals("refused", f.standing().fileState());
            assertEquals(BudgetFile.Reload.UNCHANGED, f.reloadIfChanged(), v.name() + ": refused once, not at every look");
        }
    }

    @Test
    void onlyAnExplicitEmptyBudgetsRemovesEveryLimitAndASetLimitCanGoUnderIt() throws Exception {
        Files.writeString(file(), GOOD);
        BudgetFile f = open();
        Files.writeString(file(), "# no budget for now\nbudgets: {}   # said on purpose\n");
        assertEquals(BudgetFile.Reload.APPLIED, f.reload());
        assertTrue(f.error().isEmpty(), f.error().toString());
        assertFalse(f.current().hasAnyLimit());

        BudgetEditor.apply(file(), BudgetEditor.parse(List.of("global", "daily", "2")), UTC);
        assertEquals("# no budget for now\nbudgets:   # said on purpose\n  global:\n    daily_usd: 2.00\n", Files.readString(file()));
        f.reload();
        assertEquals(2_000_000L, globalDaily(f));
    }

    @Test
    void aChangedFileGoesIntoForceOnlyOnceTwoLooksFindItTheSame() throws Exception {
        Files.writeString(file(), GOOD);
        BudgetFile f = open();
        assertEquals(BudgetFile.Reload.UNCHANGED, f.reloadIfChanged());
        // A prefix of the new file that happens to parse, with fewer limits than the whole.
        Files.writeString(file(), "budgets:\n  global:\n    daily_usd: 0.5\n");
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged());
        assertEquals(1_000_000L, globalDaily(f));
        assertTrue(f.standing().settling());
        assertTrue(f.standing().notice().contains("changed on disk; it goes into force once it has stopped changing"), f.standing().notice());
        // The whole new file only tightens (a lower daily, a monthly added, the model limit kept): two looks suffice.
        String tighter = GOOD.replace("daily_usd: 1.00", "daily_usd: 0.5\n    monthly_usd: 9");
        Files.writeString(file(), tighter);
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged(), "still being written: the look before differs");
        assertEquals(1_000_000L, globalDaily(f));
        assertEquals(BudgetFile.Reload.APPLIED, f.reloadIfChanged());
        assertEquals(500_000L, globalDaily(f));
        assertEquals(9_000_000L, f.current().limitsFor(ScopeRef.GLOBAL).perWindow().get(Window.MONTHLY));
        assertEquals(List.of(), f.lastLoosening());
        assertFalse(f.standing().settling());
        // Saved again with the same bytes: nothing to do.
        Files.writeString(file(), tighter);
        assertEquals(BudgetFile.Reload.UNCHANGED, f.reloadIfChanged());
    }

    @Test
    void budgetSetRefusesToEditARefusedFileAndSaysHowFarALimitMayGo() throws Exception {
        String cut = "budgets:\n  global:\n    daily_usd:";
        Files.writeString(file(), cut);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BudgetEditor.apply(file(), BudgetEditor.parse(List.of("global", "daily", "2")), UTC));
        assertTrue(e.getMessage().startsWith("Not changed: " + file() + " on disk is refused"), e.getMessage());
        assertTrue(e.getMessage().contains("budget.yaml:3: budgets.global.daily_usd: has no value"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Fix the file first, then set the limit again."), e.getMessage());
        assertEquals(cut, Files.readString(file()), "the refused file is left as it was");

        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> BudgetEditor.parse(List.of("global", "daily", "1e20")));
        assertEquals("$1e20 is over the largest limit Plutus takes ($1,000,000,000 per window); to enforce no limit"
                + " on this window, remove it with /budget unset global daily", over.getMessage());
        Files.writeString(file(), "budgets:\n  global:\n    daily_usd: 1e20\n");
        BudgetFile f = open();
        assertTrue(f.error().orElseThrow().endsWith("budget.yaml:3: budgets.global.daily_usd: is over the largest limit Plutus takes"
                + " ($1,000,000,000 per window), got 1e20; to enforce no limit on this window, remove this line (or run plutus"
                + " budget unset with its scope and window)"),
                f.error().get());
    }

    @Test
    void aMissingFileKeepsTheBudgetInForceUnlessThereWasNone() throws Exception {
        BudgetFile fresh = open();
        assertEquals(BudgetFile.Source.NONE, fresh.standing().source());
        assertTrue(fresh.error().isEmpty(), "a new home without budget.yaml is simply unbudgeted");

        Files.writeString(file(), GOOD);
        BudgetFile f = open();
        Files.delete(file());
        assertEquals(BudgetFile.Reload.SETTLING, f.reloadIfChanged());
        assertEquals(BudgetFile.Reload.REFUSED, f.reloadIfChanged());
        assertTrue(f.error().orElseThrow().contains("budget.yaml:1: the file is missing; the last good budget stays in force. "
                + "To remove every budget, write 'budgets: {}' in it"), f.error().get());
        assertEquals(1_000_000L, globalDaily(f));
    }

    @Test
    void aRestartOnARefusedOrMissingFileEnforcesTheLastGoodCopy() throws Exception {
        Files.writeString(file(), GOOD);
        String digest = open().standing().digest();
        assertEquals(GOOD, Files.readString(dir.resolve("budget.last-good.yaml")), "every budget in force is kept");

        Files.writeString(file(), "budgets:\n  global:\n    daily_usd: 1.00\n    daily_usd: 500.00\n");
        BudgetFile restarted = open();
        assertEquals(1_000_000L, globalDaily(restarted));
        assertEquals(BudgetFile.Source.LAST_GOOD, restarted.standing().source());
        assertEquals(digest, restarted.standing().digest(), "the same text as was in force");
        assertTrue(restarted.error().orElseThrow().endsWith("budget.yaml:4: budgets.global.daily_usd: duplicate key (first on line 3)"));
        assertTrue(restarted.standing().notice().contains("the last good budget, saved in budget.last-good.yaml, is in force"),
                restarted.standing().notice());
        assertEquals(GOOD, Files.readString(dir.resolve("budget.last-good.yaml")), "a refused file is never kept as good");

        Files.delete(file());
        BudgetFile missing = open();
        assertEquals(1_000_000L, globalDaily(missing));
        assertTrue(missing.error().orElseThrow().contains("the file is missing"), missing.error().get());

        // Fixed while running: the file goes into force and becomes the copy (it loosens the copy, so after the settle period).
        TestSupport.MutableClock clock = new TestSupport.MutableClock(java.time.Instant.parse("2026-03-02T10:00:00Z"), UTC);
        missing = new BudgetFile(file(), dir.resolve("budget.last-good.yaml"), clock, BudgetFile.LOOSENING_SETTLE);
        Files.writeString(file(), "budgets:\n  global:\n    daily_usd: 3\n");
        missing.reloadIfChanged();
        assertEquals(BudgetFile.Reload.SETTLING, missing.reloadIfChanged());
        assertEquals(1_000_000L, globalDaily(missing));
        clock.advance(BudgetFile.LOOSENING_SETTLE);
        assertEquals(BudgetFile.Reload.APPLIED, missing.reloadIfChanged());
        assertEquals(3_000_000L, globalDaily(missing));
        assertEquals(BudgetFile.Source.FILE, missing.standing().source());
        assertEquals("budgets:\n  global:\n    daily_usd: 3\n", Files.readString(dir.resolve("budget.last-good.yaml")));
    }

    @Test
    void aRefusedFileAtAFirstStartLeavesEveryVerdictUnknownUntilItIsFixed() throws Exception {
        Files.writeString(file(), "budgets:\n");
        BudgetFile f = open();
        assertEquals(BudgetFile.Source.NONE, f.standing().source());
        assertFalse(f.current().hasAnyLimit());
        assertTrue(f.standing().verdictUnknown());
        assertTrue(f.unenforceable().orElseThrow().startsWith("budget.yaml is refused and no earlier good budget is known: " + file()
                + ":1: budgets: is empty"), f.unenforceable().get());
        assertTrue(f.standing().notice().contains("no earlier good budget is known, so EVERY BUDGET VERDICT IS UNKNOWN until it is fixed"),
                f.standing().notice());
        assertFalse(Files.exists(dir.resolve("budget.last-good.yaml")));

        Files.writeString(file(), "budgets:\n  global:\n    daily_usd: 1\n");
        assertEquals(BudgetFile.Reload.APPLIED, f.reload());
        assertTrue(f.unenforceable().isEmpty(), "fixed: the budget is known again");

        // A home that never had budget.yaml is unbudgeted, not unknown.
        Files.delete(file());
        Files.delete(dir.resolve("budget.last-good.yaml"));
        assertTrue(open().unenforceable().isEmpty());
    }
}
