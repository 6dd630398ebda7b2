package dev.plutus.runway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.provider.LiveBalance;
import dev.plutus.provider.ProviderKind;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19: a provider's next step says what that provider supports, for the homes in use. */
class SetupHintsTest {
    private static final Path HERMES = Path.of("/srv/agents/hermes-b");
    private static final Path DEFAULT_HOME = dev.plutus.core.HomeLayout.defaultDir(System.getenv());

    @Test
    void anthropicIsToldToCalibrateNotToSetAKeyForItsBalance() {
        String step = new SetupHints(DEFAULT_HOME).nextStep(runway(ProviderKind.ANTHROPIC, ProviderRunway.Source.UNKNOWN), false, HERMES);
        assertTrue(step.startsWith("no balance API: read the balance in its console and run `plutus runway calibrate anthropic=<balance>`"), step);
        assertTrue(step.endsWith("; ANTHROPIC_API_KEY in /srv/agents/hermes-b/.env (or the daemon's environment) adds its rate limits"), step);
        assertFalse(step.contains("--home"), "the default home needs no --home: " + step);
        assertEquals("no balance API: read the balance in its console and run `plutus runway calibrate anthropic=<balance>` (or set budget_usd in runway.yaml)",
                new SetupHints(DEFAULT_HOME).nextStep(runway(ProviderKind.ANTHROPIC, ProviderRunway.Source.UNKNOWN), true, HERMES),
                "with a key, the rate limits already show");
        assertNull(new SetupHints(DEFAULT_HOME).nextStep(runway(ProviderKind.ANTHROPIC, ProviderRunway.Source.ESTIMATE), false, HERMES),
                "calibrated: nothing to set up (the recalibration reminder takes over)");
        assertTrue(new SetupHints(DEFAULT_HOME).nextStep(runway(ProviderKind.GEMINI, ProviderRunway.Source.UNKNOWN), false, HERMES)
                .endsWith("(or set budget_usd in runway.yaml)"), "Gemini's key gives no rate limits to promise");
    }

    @Test
    void aBalanceApiProviderIsToldWhichKeyGoesInWhichHermesHome() {
        Path home = Path.of("/data/plutus b");
        String step = new SetupHints(home).nextStep(runway(ProviderKind.DEEPSEEK, ProviderRunway.Source.UNKNOWN), false, HERMES);
        assertEquals("set DEEPSEEK_API_KEY in /srv/agents/hermes-b/.env (or the daemon's environment): deepseek tells its balance; "
                + "or run `plutus runway calibrate deepseek=<balance> --home '/data/plutus b'`", step);
        assertNull(new SetupHints(home).nextStep(runway(ProviderKind.DEEPSEEK, ProviderRunway.Source.UNKNOWN), true, HERMES),
                "a key that is found but failed: the error says why, there is nothing to set");
        assertNull(new SetupHints(home).nextStep(runway(ProviderKind.OPENROUTER, ProviderRunway.Source.LIVE), false, HERMES));
    }

    @Test
    void commandsNameTheHomeWhenItIsNotTheDefault() {
        assertEquals("plutus runway calibrate openai=<balance> --home /tmp/p", new SetupHints(Path.of("/tmp/p")).calibrate("openai"));
        assertEquals("plutus runway calibrate openai=<balance>", new SetupHints(DEFAULT_HOME).calibrate("openai"));
        assertEquals("plutus budget --home '/tmp/it'\"'\"'s'", new SetupHints(Path.of("/tmp/it's")).command("budget"));
    }

    @Test
    void theMonitorsStepsAndRecalibrationReminderNameTheHomeInUse(@TempDir Path home) throws Exception {
        java.nio.file.Files.writeString(home.resolve("runway.yaml"), "hermes_home: " + home.resolve("hermes")
                + "\nproviders:\n  anthropic: {probe: false}\n  openai: {probe: false}\n");
        java.time.Clock clock = java.time.Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), java.time.ZoneOffset.UTC);
        try (dev.plutus.TestEngine p = dev.plutus.TestSupport.open(home, clock)) {
            p.runway().store().addCalibrations(List.of(new dev.plutus.store.RunwayStore.Calibration("anthropic",
                    Instant.parse("2026-12-01T12:00:00Z"), 5_000_000, 0)));
            RunwayView v = p.runway().view(false);
            assertNull(v.nextStep("anthropic"), "calibrated: its estimate stands");
            assertEquals("no balance API: read the balance in its console and run `plutus runway calibrate openai=<balance> --home "
                    + home.toAbsolutePath() + "` (or set budget_usd in runway.yaml); OPENAI_API_KEY in " + home.resolve("hermes").resolve(".env")
                    + " (or the daemon's environment) adds its rate limits", v.nextStep("openai"));
            String reminder = p.runway().store().activeAlerts().get(0).message();
            // The reminder is stored text: it carries the command for this home when it is raised.
            assertTrue(reminder.endsWith("run `plutus runway calibrate anthropic=<balance> --home " + home.toAbsolutePath() + "`."), reminder);
            assertTrue(dev.plutus.report.RunwayReport.render(v).json().toString().contains("\"next_step\":\"no balance API"),
                    "the JSON carries the step the dashboard shows");
        }
    }

    private static ProviderConfig config(ProviderKind kind) {
        return new ProviderConfig(kind.label(), kind, kind.defaultBaseUrl(), kind.defaultKeyEnvs(), null, kind.defaultLedgerIds(), null, null,
                kind.defaultHermesProvider(), kind.defaultProbeModel(), null, null);
    }

    private static ProviderRunway runway(ProviderKind kind, ProviderRunway.Source source) {
        LiveBalance balance = source == ProviderRunway.Source.LIVE ? new LiveBalance(1_000_000L, null, null, false, true, "credits") : null;
        return new ProviderRunway(config(kind), source, source == ProviderRunway.Source.UNKNOWN ? null : 1_000_000L, null, balance, null, null,
                SpendSummary.NONE, 0, null, null, null, null, null);
    }
}
