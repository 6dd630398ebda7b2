package dev.plutus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlEditorTest {
    private static final YamlEditor.Placement END = YamlEditor.Placement.END;

    private static String set(String text, String value, String... path) {
        return YamlEditor.of(text, "f.yaml").setScalar(YamlPath.of(path), value).text();
    }

    private static String hermesExample() throws Exception {
        return Files.readString(TestSupport.hermesFixture("config.example.yaml"), StandardCharsets.UTF_8);
    }

    @Test
    void aKeyIsRemovedWithItsValueAndOnlyThat() {
        String before = """
                # top
                hooks:
                  pre_tool_call:
                    - command: "mine"   # keep
                  post_tool_call:
                    - command: "plutus"
                      # a note under it goes with it
                  on_session_end: x
                quick_commands:
                  stats:
                    type: exec
                model: m
                """;
        String noPost = YamlEditor.of(before, "f.yaml").removeKey(YamlPath.of("hooks", "post_tool_call")).text();
        assertEquals(before.replace("""
                  post_tool_call:
                    - command: "plutus"
                      # a note under it goes with it
                """, ""), noPost);
        String noStats = YamlEditor.of(before, "f.yaml").removeKey(YamlPath.of("quick_commands", "stats")).text();
        assertEquals(before.replace("quick_commands:\n  stats:\n    type: exec\n", "quick_commands: {}\n"), noStats,
                "an emptied mapping stays a mapping");
        String noTop = YamlEditor.of(before, "f.yaml").removeKey(YamlPath.of("quick_commands")).text();
        assertEquals(before.replace("quick_commands:\n  stats:\n    type: exec\n", ""), noTop);
        YamlEditor same = YamlEditor.of(before, "f.yaml");
        assertSame(same, same.removeKey(YamlPath.of("hooks", "absent")));
        assertThrows(ConfigException.class, () -> YamlEditor.of("a: {b: 1, c: 2}\n", "f.yaml").removeKey(YamlPath.of("a", "b")),
                "a flow mapping is not edited");
    }

    @Test
    void onlyTheValueChangesAndATrailingCommentKeepsItsColumn() {
        String before = """
                # my budget
                budgets:
                  global:
                    daily_usd: 2.00   # raised in May
                    'monthly_usd': "50.00"

                # cron jobs
                  per_cron_job: {}
                """;
        assertEquals(before.replace("2.00   # raised", "12.5   # raised"), set(before, "12.5", "budgets", "global", "daily_usd"));
        // A longer value pushes the comment out, but never onto the value.
        assertEquals(before.replace("2.00   # raised", "123456.75 # raised"), set(before, "123456.75", "budgets", "global", "daily_usd"));
        // The quoted key is found by its value; only the quoted value is replaced, and written plain since 7 needs no quotes.
        assertEquals(before.replace("\"50.00\"", "7"), set(before, "7", "budgets", "global", "monthly_usd"));
        // Setting the value it already has changes nothing at all.
        assertEquals(before, set(before, "2.00", "budgets", "global", "daily_usd"));
    }

    @Test
    void newValuesAreQuotedOnlyWhenYamlNeedsIt() {
        String before = "a: x\n";
        assertEquals("a: 5.00\n", set(before, "5.00", "a"));
        assertEquals("a: ${GEMINI_API_KEY}\n", set(before, "${GEMINI_API_KEY}", "a"));
        assertEquals("a: anthropic/claude-sonnet-4.6\n", set(before, "anthropic/claude-sonnet-4.6", "a"));
        assertEquals("a: two words\n", set(before, "two words", "a"));
        assertEquals("a: \"true\"\n", set(before, "true", "a"));
        assertEquals("a: \"null\"\n", set(before, "null", "a"));
        assertEquals("a: \"\"\n", set(before, "", "a"));
        assertEquals("a: \"x # not a comment\"\n", set(before, "x # not a comment", "a"));
        assertEquals("a: \"k: v\"\n", set(before, "k: v", "a"));
        assertEquals("a: \"2026-12-01\"\n", set(before, "2026-12-01", "a"), "a date would load as a date");
        assertEquals("a: \"two\\nlines \\\"q\\\" \\\\\"\n", set(before, "two\nlines \"q\" \\", "a"));
        assertEquals("a: \" padded \"\n", set(before, " padded ", "a"));
        assertEquals("a: caf\u00e9 \ud83d\ude00\n", set(before, "caf\u00e9 \ud83d\ude00", "a"));
        assertEquals(List.of("two\nlines \"q\" \\"), List.of(YamlDoc.parse(set(before, "two\nlines \"q\" \\", "a"), "f").get("a").text().orElseThrow()));
        // In a flow collection the rules are stricter: a comma would split the value.
        assertEquals("a: {b: \"x, y\", c: 2}\n", set("a: {b: 1, c: 2}\n", "x, y", "a", "b"));
    }

    @Test
    void crlfLineEndingsAndAMissingFinalNewlineAreKept() {
        String before = "# top\r\na:\r\n  b: 1   # one\r\n\r\nz: 2";
        String after = YamlEditor.of(before, "f.yaml")
                .setScalar(YamlPath.of("a", "b"), "10")
                .setScalar(YamlPath.of("a", "c", "d"), "3")
                .setScalar(YamlPath.of("y"), "4")
                .text();
        assertEquals("# top\r\na:\r\n  b: 10  # one\r\n  c:\r\n    d: 3\r\n\r\nz: 2\r\ny: 4", after);
        assertFalse(after.replace("\r\n", "").contains("\n"), "no bare LF was written");
    }

    @Test
    void missingParentsAreCreatedAtTheEndOfTheParentsBlockWithItsIndentation() {
        String before = """
                budgets:
                    global:
                        daily_usd: 1.00
                    per_model:
                        default:
                            daily_usd: 2.00
                        # overrides go below

                thresholds:
                    soft_pct: 0.8
                """;
        String after = set(before, "3.50", "budgets", "per_model", "overrides", "gpt-4o mini", "weekly_usd");
        assertEquals(before.replace("""
                            daily_usd: 2.00
                """, """
                            daily_usd: 2.00
                        overrides:
                            gpt-4o mini:
                                weekly_usd: 3.50
                """), after);
        // Keys YAML would read as something else are quoted.
        assertEquals("a: 1\n\"true\":\n  \"k: v\": x\n", set("a: 1\n", "x", "true", "k: v"));
        // An empty file, one with only comments, and a null parent all take new keys.
        assertEquals("a:\n  b: 1\n", set("", "1", "a", "b"));
        assertEquals("# nothing yet\na:\n  b: 1\n", set("# nothing yet\n", "1", "a", "b"));
        assertEquals("a:  # later\n  b: 1\nc: 2\n", set("a: ~  # later\nc: 2\n", "1", "a", "b"));
        assertEquals("a:\n  b: 1\nc: 2\n", set("a:\nc: 2\n", "1", "a", "b"));
    }

    @Test
    void listsGainAndLoseItemsInBlockAndFlowStyle() {
        YamlPath p = YamlPath.of("p", "list");
        String block = "p:\n  list:\n    - a   # first\n    - b\n  # after the list\n  other: 1\n";
        YamlEditor doc = YamlEditor.of(block, "f.yaml");
        assertEquals("p:\n  list:\n    - a   # first\n    - b\n    - \"yes\"\n  # after the list\n  other: 1\n",
                doc.appendItem(p, "yes", END).text());
        assertEquals("p:\n  list:\n    - b\n  # after the list\n  other: 1\n", doc.removeItem(p, "a").text());
        assertEquals("p:\n  list: []\n  # after the list\n  other: 1\n", doc.removeItem(p, "a").removeItem(p, "b").text(),
                "a list left empty stays a list");
        assertSame(doc, doc.removeItem(p, "absent"));
        assertEquals("p:\n  list: [a, \"b, c\"]  # mine\n", YamlEditor.of("p:\n  list: [a]  # mine\n", "f").appendItem(p, "b, c", END).text());
        assertEquals("p:\n  list: [x]\n", YamlEditor.of("p:\n  list: []\n", "f").appendItem(p, "x", END).text());
        assertEquals("p:\n  list: [b]\n", YamlEditor.of("p:\n  list: [a, b]\n", "f").removeItem(p, "a").text());
        assertEquals("p:\n  list: [a]\n", YamlEditor.of("p:\n  list: [a, b]\n", "f").removeItem(p, "b").text());
        assertEquals("p:\n  list: []\n", YamlEditor.of("p:\n  list: [a, a]\n", "f").removeItem(p, "a").text(), "every copy goes");
        assertEquals("p:\n  x: 1\n  list:\n    - a\n", YamlEditor.of("p:\n  x: 1\n", "f").appendItem(p, "a", END).text());
        assertEquals("p:\n  list:\n    - a\n  x: 1\n", YamlEditor.of("p:\n  x: 1\n", "f").appendItem(p, "a", YamlEditor.Placement.FIRST).text());
        assertEquals("top: 1\n\n# Added by a test.\np:\n  list:\n    - a\n",
                YamlEditor.of("top: 1\n", "f").appendItem(p, "a", YamlEditor.Placement.endWithNote("Added by a test.")).text());
    }

    @Test
    void listsAreRewrittenWithEachEntrysOwnLinesAndComments() {
        String before = """
                list:
                  # in order
                  - name: a   # first
                    n: 1
                  - name: b
                    # b's own note
                after: 1
                """;
        YamlPath p = YamlPath.of("list");
        LinkedHashMap<String, String> c = new LinkedHashMap<>(Map.of("name", "c"));
        String after = YamlEditor.of(before, "f.yaml")
                .rewriteList(p, List.of(new YamlEditor.Kept(1), new YamlEditor.NewMapping(c), new YamlEditor.Kept(0)), END).text();
        assertEquals("""
                list:
                  # in order
                  - name: b
                    # b's own note
                  - name: c
                  - name: a   # first
                    n: 1
                after: 1
                """, after);
        assertEquals("list: []\n  # in order\nafter: 1\n", YamlEditor.of(before, "f").rewriteList(p, List.of(), END).text());
        assertEquals("x: 1\nlist:\n  - name: c\n", YamlEditor.of("x: 1\n", "f").rewriteList(p, List.of(new YamlEditor.NewMapping(c)), END).text());
        assertEquals("x: 1\nlist:\n  - name: c\n", YamlEditor.of("x: 1\nlist: []\n", "f").rewriteList(p, List.of(new YamlEditor.NewMapping(c)), END).text());
    }

    @Test
    void aShortValueBecomesAMappingBelowItsKey() {
        LinkedHashMap<String, String> fields = new LinkedHashMap<>();
        fields.put("default", "m1");
        fields.put("provider", "p1");
        assertEquals("model: # short\n  default: m1\n  provider: p1\nx: 1\n",
                YamlEditor.of("model: old-id   # short\nx: 1\n", "f").replaceWithMapping(YamlPath.of("model"), fields).text());
        assertEquals("model:\n  default: m1\n  provider: p1\n",
                YamlEditor.of("model: old-id\n", "f").replaceWithMapping(YamlPath.of("model"), fields).text());
    }

    @Test
    void positionsCountCharactersAfterCharactersOutsideTheBasicPlane() {
        String before = "a: \"\ud83d\ude00\ud83d\ude00\"  # smile\nb:\n  c: old\n";
        assertEquals(before.replace("old", "new"), set(before, "new", "b", "c"));
        assertEquals(before + "  d: x\n", set(before, "x", "b", "d"));
    }

    private static String refusal(String text, String value, String... path) {
        return assertThrows(ConfigException.class, () -> set(text, value, path)).getMessage();
    }

    @Test
    void whatCannotBeEditedSafelyIsRefusedNamingFileLineAndKey() {
        assertEquals("f.yaml:2: a is written in flow style ({...}); edit it by hand or rewrite it as an indented block",
                refusal("x: 1\na: {b: 1}\n", "2", "a", "c"));
        assertEquals("f.yaml:2: a carries the anchor &base or is an alias to it; an edit would change every place that uses it, "
                + "so edit it by hand", refusal("x: 1\na: &base\n  b: 1\nc: *base\n", "2", "a", "b"));
        assertTrue(refusal("a: &base\n  b: 1\nc: *base\n", "2", "c", "b").startsWith("f.yaml:1: c carries the anchor &base"),
                "an alias is refused where its anchor is");
        assertEquals("f.yaml:4: c uses a merge key (<<); edit it by hand",
                refusal("a: &base\n  b: 1\nc:\n  <<: *base\n  b: 2\n", "3", "c", "b"));
        assertEquals("f.yaml:3: the file holds 2 YAML documents; only single-document files are edited, so edit it by hand",
                refusal("a: 1\n---\nb: 2\n", "2", "a"));
        assertEquals("f.yaml:2: a.b has an explicit tag (tag:yaml.org,2002:str); edit it by hand",
                refusal("a:\n  b: !!str 5\n", "6", "a", "b"));
        assertEquals("f.yaml:1: a is a block scalar (| or >); edit it by hand", refusal("a: |\n  text\n", "x", "a"));
        assertEquals("f.yaml:3: a is there twice (lines 1 and 3); remove one by hand", refusal("a:\n  b: 1\na:\n  b: 2\n", "x", "a", "b"));
        assertEquals("f.yaml:1: a holds a value, not a mapping", refusal("a: 5\n", "x", "a", "b"));
        assertEquals("f.yaml:2: a.b is a mapping, not a single value", refusal("a:\n  b:\n    c: 1\n", "x", "a", "b"));
        assertEquals("f.yaml:1: a is written in flow style ([...]); rewrite it as an indented list, then try again",
                assertThrows(ConfigException.class, () -> YamlEditor.of("a: [1, 2]\n", "f.yaml")
                        .rewriteList(YamlPath.of("a"), List.of(new YamlEditor.Kept(1)), END)).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> YamlEditor.of("a: [1\n", "f.yaml")).getMessage().startsWith("f.yaml:2: invalid YAML"));
    }

    @Test
    void anEditWhoseResultReadsDifferentlyThanIntendedIsRefused() {
        // Text after a block scalar that ends the file without a newline would give that scalar a final newline.
        String before = "a: 1\nnote: |\n  text";
        String message = assertThrows(ConfigException.class, () -> set(before, "2", "b")).getMessage();
        assertEquals("f.yaml: editing b would change more than b; nothing was changed, edit it by hand", message);
        assertEquals("a: 1\nnote: |\n  text\nb: 2\n", set(before + "\n", "2", "b"));
    }

    @Test
    void hermesExampleConfigIsEditedByteForByte() throws Exception {
        String before = hermesExample();
        YamlEditor doc = YamlEditor.of(before, "config.yaml");

        assertEquals(before.replace("    - disk-cleanup\n", "    - disk-cleanup\n    - plutus\n"),
                doc.appendItem(YamlPath.of("plugins", "enabled"), "plutus", END).text());
        assertEquals(before.replace("  enabled:\n    - disk-cleanup\n", "  enabled: []\n"),
                doc.removeItem(YamlPath.of("plugins", "enabled"), "disk-cleanup").text());
        assertEquals(before.replace("  default: claude-sonnet-4-6          #", "  default: gemini-3.1-pro-preview     #"),
                doc.setScalar(YamlPath.of("model", "default"), "gemini-3.1-pro-preview").text());
        assertEquals(before.replace("timezone: \"Europe/Berlin\"             #", "timezone: UTC                         #"),
                doc.setScalar(YamlPath.of("timezone"), "UTC").text());
        assertEquals(before.replace("  max_parallel_jobs: null\n", "  max_parallel_jobs: 4\n"),
                doc.setScalar(YamlPath.of("cron", "max_parallel_jobs"), "4").text());
        assertEquals(before.replace("    command: df -h /\n", "    command: df -h /\n    timeout: 10\n"),
                doc.setScalar(YamlPath.of("quick_commands", "disk", "timeout"), "10").text());
        assertEquals(before.replace("      command: ~/.hermes/agent-hooks/auto-format.sh\n", "      command: fmt.sh\n"),
                doc.setScalar(YamlPath.of("hooks", "post_tool_call").index(0).key("command"), "fmt.sh").text());
        String fallbacks = """
                  - provider: openrouter
                    model: anthropic/claude-sonnet-4.6
                  - provider: deepseek
                    model: deepseek-v4-flash
                    # base_url / api_key / key_env are also accepted per entry
                """;
        assertTrue(before.contains(fallbacks));
        assertEquals(before.replace(fallbacks, """
                  - provider: deepseek
                    model: deepseek-v4-flash
                    # base_url / api_key / key_env are also accepted per entry
                  - provider: openrouter
                    model: anthropic/claude-sonnet-4.6
                """), doc.rewriteList(YamlPath.of("fallback_providers"), List.of(new YamlEditor.Kept(1), new YamlEditor.Kept(0)), END).text());
        assertEquals(before, doc.text(), "an editor never changes in place");
    }
}
