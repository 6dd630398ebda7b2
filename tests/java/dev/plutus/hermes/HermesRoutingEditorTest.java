package dev.plutus.hermes;

import dev.plutus.config.LineDiff;
import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-level checks of the config.yaml edit on Hermes's commented example config. */
class HermesRoutingEditorTest {
    static final Set<String> MANAGED = Set.of("anthropic", "deepseek", "gemini");
    static final Function<String, String> KEY_ENVS = name -> switch (name) {
        case "anthropic" -> "ANTHROPIC_API_KEY";
        case "deepseek" -> "DEEPSEEK_API_KEY";
        case "gemini" -> "GEMINI_API_KEY";
        default -> null;
    };

    static RoutingPlan.Route r(String provider, String model) {
        return new RoutingPlan.Route(provider, provider, model);
    }

    /** The seed's own decision: Google primary, Anthropic delegation, the rest as fallbacks. */
    static final RoutingPlan SEED_PLAN = new RoutingPlan(r("gemini", "gemini-3.1-pro-preview"), r("anthropic", "claude-sonnet-4-6"),
            List.of(r("anthropic", "claude-opus-4-7"), r("deepseek", "deepseek-v4-pro"), r("anthropic", "claude-sonnet-4-6"),
                    r("deepseek", "deepseek-v4-flash")), List.of());

    static String example() throws Exception {
        return Files.readString(TestSupport.hermesFixture("config.example.yaml"), StandardCharsets.UTF_8);
    }

    @Test
    void onlyRoutingLinesChangeAndEveryOtherByteStays() throws Exception {
        String before = example();
        String after = HermesRoutingEditor.apply(before, SEED_PLAN, MANAGED, KEY_ENVS, "config.yaml");
        RoutingSafety.verify(before, after, SEED_PLAN, "config.yaml");
        List<String> removed = new ArrayList<>(Arrays.asList(before.split("\n", -1)));
        for (String l : after.split("\n", -1)) {
            removed.remove(l);
        }
        assertEquals(List.of(
                "  default: claude-sonnet-4-6          # \"model:\" is accepted as an alias of \"default:\"",
                "  provider: anthropic                 # auto | anthropic | openrouter | openai-api | deepseek | gemini | nous | custom | <providers key> ...",
                "  api_key: ${ANTHROPIC_API_KEY}       # optional; otherwise read from the provider's env var",
                "  provider: deepseek                  # empty = inherit the parent's provider and credentials",
                "  model: deepseek-v4-flash            # empty = inherit the parent's model"), removed,
                "the only old lines gone are the routing values");
        assertTrue(after.contains("""
                model:
                  default: gemini-3.1-pro-preview     # "model:" is accepted as an alias of "default:"
                  provider: gemini                    # auto | anthropic"""), after);
        assertTrue(after.contains("  api_key: ${GEMINI_API_KEY}          # optional; otherwise read from the provider's env var\n"), after);
        assertTrue(after.contains("""
                delegation:
                  provider: anthropic                 # empty = inherit the parent's provider and credentials
                  model: claude-sonnet-4-6            # empty = inherit the parent's model
                """), after);
        // The user's openrouter fallback is not Plutus's to manage: it stays first, where the user put it.
        assertTrue(after.contains("""
                fallback_providers:
                  - provider: openrouter
                    model: anthropic/claude-sonnet-4.6
                  - provider: anthropic
                    model: claude-opus-4-7
                  - provider: deepseek
                    model: deepseek-v4-pro
                  - provider: anthropic
                    model: claude-sonnet-4-6
                  - provider: deepseek
                    model: deepseek-v4-flash
                    # base_url / api_key / key_env are also accepted per entry

                # Legacy single fallback"""), after);
        assertEquals(before.lines().count() + 6, after.lines().count(), "three fallback entries added, nothing else");
        assertEquals(after, HermesRoutingEditor.apply(after, SEED_PLAN, MANAGED, KEY_ENVS, "config.yaml"), "idempotent");
    }

    @Test
    void writerBacksUpWritesAtomicallyAndSkipsAnUnchangedDecision(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.yaml");
        String before = example();
        Files.writeString(config, before);
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
        String after = HermesRoutingEditor.apply(before, SEED_PLAN, MANAGED, KEY_ENVS, "config.yaml");
        RouteWriter.Outcome dry = RouteWriter.write(config, before, after, SEED_PLAN, clock, true);
        assertEquals("dry-run", dry.status());
        assertEquals(before, Files.readString(config), "a dry run writes nothing");
        assertTrue(dry.diff().contains("-  provider: deepseek") && dry.diff().contains("+  provider: anthropic                 # empty"), dry.diff());
        RouteWriter.Outcome w = RouteWriter.write(config, before, after, SEED_PLAN, clock, false);
        assertEquals("written", w.status());
        assertEquals(dir.resolve("config.yaml.plutus-bak-20261201T100000Z"), w.backup());
        assertEquals(before, Files.readString(w.backup()));
        assertEquals(after, Files.readString(config));
        RouteWriter.Outcome again = RouteWriter.write(config, after, HermesRoutingEditor.apply(after, SEED_PLAN, MANAGED, KEY_ENVS, "c"),
                SEED_PLAN, clock, false);
        assertEquals("unchanged", again.status());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no second backup for a decision that did not change");
        }
        assertThrows(RoutingRefused.class, () -> RouteWriter.write(config, before, after, SEED_PLAN, clock, false),
                "the file changed since it was read: refused");
    }

    @Test
    void refusesToSendAnInlineKeyOrEndpointToAnotherProvider() {
        String inline = "model:\n  default: claude-sonnet-4-6\n  provider: anthropic\n  api_key: sk-ant-live-123\n";
        RoutingRefused e = assertThrows(RoutingRefused.class,
                () -> HermesRoutingEditor.apply(inline, SEED_PLAN, MANAGED, KEY_ENVS, "config.yaml"));
        assertTrue(e.getMessage().contains("model.api_key holds a key"), e.getMessage());
        String endpoint = "model:\n  default: x\n  provider: anthropic\n  base_url: https://proxy.example.com\n";
        assertTrue(assertThrows(RoutingRefused.class, () -> HermesRoutingEditor.apply(endpoint, SEED_PLAN, MANAGED, KEY_ENVS, "c"))
                .getMessage().contains("base_url"));
        String noKey = "model:\n  default: x\n  provider: anthropic\n  api_key: ${ANTHROPIC_API_KEY}\n";
        assertTrue(assertThrows(RoutingRefused.class, () -> HermesRoutingEditor.apply(noKey, SEED_PLAN, MANAGED, n -> null, "c"))
                .getMessage().contains("no key for 'gemini'"));
        String flow = "fallback_providers: [{provider: deepseek, model: a}]\n";
        assertTrue(assertThrows(RoutingRefused.class, () -> HermesRoutingEditor.apply(flow, SEED_PLAN, MANAGED, KEY_ENVS, "c"))
                .getMessage().contains("flow style"));
    }

    @Test
    void fallbackEntriesWithTheirOwnKeysAreNeverDroppedAndShortFormsAreExpanded() {
        String text = """
                model: claude-sonnet-4-6   # short form
                fallback_providers:
                - provider: deepseek
                  model: deepseek-chat
                  key_env: DEEPSEEK_ALT_KEY
                - provider: gemini
                  model: gemini-old
                """;
        RoutingPlan plan = new RoutingPlan(r("anthropic", "claude-opus-4-7"), r("gemini", "gemini-3.5-flash"),
                List.of(r("gemini", "gemini-3.1-pro-preview")), List.of());
        String out = HermesRoutingEditor.apply(text, plan, MANAGED, KEY_ENVS, "config.yaml");
        RoutingSafety.verify(text, out, plan, "config.yaml");
        assertEquals("""
                model: # short form
                  default: claude-opus-4-7
                  provider: anthropic
                fallback_providers:
                - provider: deepseek
                  model: deepseek-chat
                  key_env: DEEPSEEK_ALT_KEY
                - provider: gemini
                  model: gemini-3.1-pro-preview
                delegation:
                  provider: gemini
                  model: gemini-3.5-flash
                """, out);
    }

    @Test
    void pinnedFallbacksKeepTheirPlacesAndTheLegacyFallbackModelLeavesADrainedProvider() {
        String text = """
                model: {default: claude-sonnet-4-6, provider: anthropic}
                fallback_providers:
                - provider: deepseek
                  model: deepseek-v4-flash
                - provider: my-proxy
                  model: qwen3
                - provider: gemini
                  model: gemini-old
                - provider: anthropic
                  model: claude-haiku
                  base_url: https://proxy.example.com
                fallback_model:
                  provider: deepseek   # the drained one
                  model: deepseek-v4-flash
                """;
        // deepseek is drained: the plan leaves it out.
        RoutingPlan plan = new RoutingPlan(r("gemini", "gemini-3.1-pro-preview"), r("anthropic", "claude-sonnet-4-6"),
                List.of(r("anthropic", "claude-opus-4-7"), r("anthropic", "claude-sonnet-4-6")), List.of());
        String out = HermesRoutingEditor.apply(text, plan, MANAGED, KEY_ENVS, "config.yaml");
        RoutingSafety.verify(text, out, plan, "config.yaml");
        assertEquals("""
                model: {default: gemini-3.1-pro-preview, provider: gemini}
                fallback_providers:
                - provider: anthropic
                  model: claude-opus-4-7
                - provider: my-proxy
                  model: qwen3
                - provider: anthropic
                  model: claude-sonnet-4-6
                - provider: anthropic
                  model: claude-haiku
                  base_url: https://proxy.example.com
                fallback_model:
                  provider: anthropic  # the drained one
                  model: claude-sonnet-4-6
                delegation:
                  provider: anthropic
                  model: claude-sonnet-4-6
                """, out, "my-proxy stays second and the proxied entry fourth; deepseek is gone from both fallback keys");
        assertEquals(out, HermesRoutingEditor.apply(out, plan, MANAGED, KEY_ENVS, "config.yaml"), "idempotent");
        String own = text.replace("  model: deepseek-v4-flash\n\n", "").replace("fallback_model:\n  provider: deepseek   # the drained one\n"
                + "  model: deepseek-v4-flash\n", "fallback_model:\n  provider: deepseek\n  model: deepseek-v4-flash\n  key_env: DS_ALT\n");
        assertTrue(HermesRoutingEditor.apply(own, plan, MANAGED, KEY_ENVS, "config.yaml")
                .contains("fallback_model:\n  provider: deepseek\n  model: deepseek-v4-flash\n  key_env: DS_ALT\n"), "the user's own entry stays");
    }

    @Test
    void aConfigWithoutRoutingKeysGetsThemAppended() {
        String text = "# mine\ntimezone: UTC\n";
        String out = HermesRoutingEditor.apply(text, SEED_PLAN, MANAGED, KEY_ENVS, "config.yaml");
        RoutingSafety.verify(text, out, SEED_PLAN, "config.yaml");
        assertTrue(out.startsWith("# mine\ntimezone: UTC\n"), out);
        assertEquals(out, HermesRoutingEditor.apply(out, SEED_PLAN, MANAGED, KEY_ENVS, "config.yaml"));
    }

    @Test
    void safetyCatchesALostProviderBlockOrKey() {
        String before = "providers:\n  gw:\n    api_key: sk-1\nmodel:\n  default: a\n  provider: anthropic\n";
        String lost = "model:\n  default: gemini-3.1-pro-preview\n  provider: gemini\n";
        assertThrows(RoutingRefused.class, () -> RoutingSafety.verify(before, lost, SEED_PLAN, "c"));
        String wrong = before.replace("default: a", "default: other");
        assertThrows(RoutingRefused.class, () -> RoutingSafety.verify(before, wrong, SEED_PLAN, "c"));
    }

    @Test
    void unifiedDiffShowsHunksWithLineNumbers() {
        // What diff -U2 prints for the same inputs: changes 4 lines apart share a hunk, further apart they do not.
        assertEquals("--- x\n+++ y\n@@ -1,8 +1,8 @@\n a\n b\n-c\n+C\n d\n e\n f\n g\n-h\n+H\n",
                LineDiff.unified("a\nb\nc\nd\ne\nf\ng\nh", "a\nb\nC\nd\ne\nf\ng\nH", "x", "y"));
        assertEquals("--- x\n+++ y\n@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n@@ -8,5 +8,5 @@\n h\n i\n-j\n+J\n k\n l\n",
                LineDiff.unified("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl", "a\nb\nC\nd\ne\nf\ng\nh\ni\nJ\nk\nl", "x", "y"));
        assertEquals("", LineDiff.unified("same\n", "same\n", "x", "y"));
    }

    static Map<String, Object> parse(String s) {
        return RoutingSafety.load(s, "t");
    }
}
