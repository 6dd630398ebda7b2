package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import dev.plutus.budget.BudgetConfig;
import dev.plutus.budget.BudgetConfigParser;
import dev.plutus.budget.EnforcementMode;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.Window;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hermes-telemetry's budget.yaml converted to Plutus's, and written without ever overwriting one silently. */
class TelemetryBudgetTest {
    static final ZoneId UTC = ZoneId.of("UTC");

    /** A budget.yaml as hermes-telemetry documents it, with what it reads and what it skips. */
    static final String PEER = """
            # ~/.hermes/telemetry/budget.yaml
            budgets:
              global:
                daily_usd:   5.00
                monthly_usd: 100.00
              per_cron_job:
                default:
                  daily_usd: 1.00
                  monthly_usd: 20
                overrides:
                  "my_nightly_report": { daily_usd: 3.00 }
                  "off": {}
              per_sender:
                default:
                  daily_usd: 0
                overrides:
                  "telegram:123456": { daily_usd: 10.00 }
              per_profile:
                default:
                  daily_usd: 2.00
            thresholds:
              soft_pct: 0.75
              hard_pct: 1.00
            on_estimated:
              mode: enforce
            dashboard: {port: 9000}
            """;

    @Test
    void whatThePeerEnforcesIsCarriedOverAndWhatPlutusCannotIsNamed() {
        TelemetryBudget.Converted c = TelemetryBudget.convert(PEER, "/peer/budget.yaml", UTC);
        BudgetConfig b = BudgetConfigParser.parse(c.yaml(), "budget.yaml", UTC);
        assertEquals(Map.of(Window.DAILY, 5_000_000L, Window.MONTHLY, 100_000_000L),
                b.scopes().get(ScopeKind.GLOBAL).defaults().perWindow());
        assertEquals(Map.of(Window.DAILY, 1_000_000L, Window.MONTHLY, 20_000_000L),
                b.scopes().get(ScopeKind.CRON_JOB).defaults().perWindow());
        assertEquals(Map.of(Window.DAILY, 3_000_000L, Window.MONTHLY, 20_000_000L),
                b.scopes().get(ScopeKind.CRON_JOB).forId("my_nightly_report").perWindow(), "its own daily, the default's monthly");
        assertEquals(10_000_000L, b.scopes().get(ScopeKind.SENDER).forId("telegram:123456").perWindow().get(Window.DAILY));
        assertTrue(b.scopes().get(ScopeKind.SENDER).defaults().isEmpty(), "a 0 limit is no limit for the peer, so none here");
        assertEquals(new BigDecimal("0.75"), b.softPct());
        assertEquals(EnforcementMode.ENFORCE, b.onEstimated());
        assertEquals(List.of(
                "dashboard: not read by hermes-telemetry, left out",
                "budgets.per_cron_job.overrides.my_nightly_report: hermes-telemetry applied no monthly_usd to it;"
                        + " Plutus applies the default's ($20)",
                "budgets.per_sender.default.daily_usd: 0 is no limit for hermes-telemetry, left out",
                "budgets.per_profile: not carried over, Plutus has no per-profile scope (limit the senders or cron jobs of"
                        + " that profile, or the global spend, instead)"), c.notes());
        assertTrue(c.yaml().startsWith("# Converted from hermes-telemetry's /peer/budget.yaml"), c.yaml());
    }

    @Test
    void aPeerFileWithoutLimitsBecomesAnExplicitNoBudget() {
        TelemetryBudget.Converted c = TelemetryBudget.convert("budgets:\n  global:\n    daily_usd: -1\n", "b.yaml", UTC);
        assertTrue(c.yaml().contains("budgets: {}\n"), c.yaml());
        assertTrue(BudgetConfigParser.parse(c.yaml(), "budget.yaml", UTC).scopes().isEmpty());
    }

    @Test
    void aPeerFilePlutusCannotTakeIsAnErrorNamingIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> TelemetryBudget.convert(
                "budgets:\n  global: {daily_usd: 1}\nthresholds:\n  soft_pct: 0.9\n  hard_pct: 0.5\n", "/peer/budget.yaml", UTC));
        assertTrue(e.getMessage().startsWith("/peer/budget.yaml: cannot be converted to a Plutus budget: budget.yaml:"), e.getMessage());
        var syntax = assertThrows(IllegalArgumentException.class, () -> TelemetryBudget.convert("budgets: [\n", "/peer/budget.yaml", UTC));
        assertTrue(syntax.getMessage().startsWith("/peer/budget.yaml:"), syntax.getMessage());
    }

    @Test
    void budgetYamlIsWrittenWhenAbsentKeptWhenDifferentAndReplacedOnlyWithForceAfterABackup(@TempDir Path home) throws Exception {
        var clock = new TestSupport.MutableClock(Instant.parse("2026-12-01T12:00:00Z"), UTC);
        Path target = home.resolve("budget.yaml");
        Path converted = home.resolve("budget.hermes-telemetry.yaml");
        TelemetryBudget.Converted c = TelemetryBudget.convert(PEER, "/peer/budget.yaml", UTC);

        TelemetryBudget.Outcome first = TelemetryBudget.write(c, target, converted, false, clock);
        assertInstanceOf(TelemetryBudget.Written.class, first);
        assertEquals(c.yaml(), Files.readString(target));
        assertInstanceOf(TelemetryBudget.Unchanged.class, TelemetryBudget.write(c, target, converted, false, clock));

        String mine = "budgets:\n  global:\n    daily_usd: 2\n";
        Files.writeString(target, mine);
        TelemetryBudget.Outcome kept = TelemetryBudget.write(c, target, converted, false, clock);
        assertInstanceOf(TelemetryBudget.KeptExisting.class, kept);
        assertEquals(mine, Files.readString(target), "never overwritten without --force");
        assertEquals(c.yaml(), Files.readString(converted));

        TelemetryBudget.Written forced = (TelemetryBudget.Written) TelemetryBudget.write(c, target, converted, true, clock);
        assertEquals(c.yaml(), Files.readString(target));
        assertEquals(home.resolve("budget.yaml.plutus-bak-20261201T120000Z"), forced.backup());
        assertEquals(mine, Files.readString(forced.backup()));
    }
}
