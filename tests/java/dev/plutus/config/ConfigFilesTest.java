package dev.plutus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file plumbing: atomic writes, backups, plutus.yaml's sections, and YAML errors that say where. */
class ConfigFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    // --- AtomicFiles -----------------------------------------------------------------------

    @Test
    void aReplacedFileIsSwappedWholeAndAReaderOfTheOldOneKeepsTheOldContent() throws IOException {
        Path f = dir.resolve("budget.yaml");
        AtomicFiles.write(f, "old ✓\n");
        try (InputStream reader = Files.newInputStream(f)) {
            AtomicFiles.write(f, "new content, longer than the old\n");
            // An in-place rewrite would show the reader the new bytes; a rename leaves it the old file whole.
            assertEquals("old ✓\n", new String(reader.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals("new content, longer than the old\n", Files.readString(f));
        assertEquals(List.of("budget.yaml"), names(), "no temp file left beside it");
    }

    @Test
    void missingDirectoriesAreCreated() throws IOException {
        Path f = dir.resolve("a/b/daemon.json");
        AtomicFiles.write(f, "{}\n");
        assertEquals("{}\n", Files.readString(f));
    }

    @Test
    void aFailedReplaceLeavesNoTempFileAndTheTargetAsItWas() throws IOException {
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("inside"));
        assertThrows(IOException.class, () -> AtomicFiles.write(target, "x"));
        assertEquals(List.of("occupied"), names());
        assertTrue(Files.isDirectory(target.resolve("inside")));
    }

    @Test
    void anExistingFileKeepsItsPermissionsAndGivenOnesAreApplied() throws IOException {
        Path shared = dir.resolve("runway.yaml");
        Files.writeString(shared, "a: 1\n");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.write(shared, "a: 2\n");
        assertEquals("rw-r-----", perms(shared));

        Path token = dir.resolve("daemon.token");
        Files.writeString(token, "old\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        AtomicFiles.write(token, "secret\n", PosixFilePermissions.fromString("rw-------"));
        assertEquals("rw-------", perms(token), "given permissions win over the old file's");
        assertEquals("secret\n", Files.readString(token));
    }

    // --- Backups ---------------------------------------------------------------------------

    @Test
    void aBackupIsAStampedCopyAndNeverOverwritesAnOlderOne() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T09:05:07.900Z"), ZoneId.of("Europe/Berlin"));
        Path config = dir.resolve("config.yaml");
        assertNull(Backups.backUp(config, clock), "nothing to back up");
        assertEquals(List.of(), names());

        Files.writeString(config, "model: a\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(config, FileTime.from(Instant.parse("2026-01-02T03:04:05Z")));
        Path first = Backups.backUp(config, clock);
        assertEquals(dir.resolve("config.yaml.plutus-bak-20261124T090507Z"), first, "UTC, whatever the clock's zone");
        assertEquals("model: a\n", Files.readString(first));
        assertEquals("rw-------", perms(first));
        assertEquals(FileTime.from(Instant.parse("2026-01-02T03:04:05Z")), Files.getLastModifiedTime(first));

        Files.writeString(config, "model: b\n");
        Path second = Backups.backUp(config, clock);
        Files.writeString(config, "model: c\n");
        Path third = Backups.backUp(config, clock);
        assertEquals(dir.resolve("config.yaml.plutus-bak-20261124T090507Z-2"), second);
        assertEquals(dir.resolve("config.yaml.plutus-bak-20261124T090507Z-3"), third);
        assertEquals(List.of("model: a\n", "model: b\n", "model: c\n"),
                List.of(Files.readString(first), Files.readString(second), Files.readString(third)));
        assertEquals("model: c\n", Files.readString(config), "the original is left as it is");
    }

    // --- SettingsFile ----------------------------------------------------------------------

    @Test
    void plutusYamlAcceptsItsSectionsAndNamesAnUnknownOneWithItsLine() {
        YamlNode root = SettingsFile.root("store:\n  url: jdbc:postgresql://db/plutus\ningest:\n  enabled: true\n", "plutus.yaml");
        assertEquals(Optional.of("jdbc:postgresql://db/plutus"), root.get("store").get("url").text());
        assertTrue(SettingsFile.root("", "plutus.yaml").entries().isEmpty());
        assertTrue(SettingsFile.root("# all defaults\n", "plutus.yaml").entries().isEmpty());

        ConfigException e = assertThrows(ConfigException.class,
                () -> SettingsFile.root("store:\n  url: x\n\nstroe:\n  url: y\n", "/home/u/plutus.yaml"));
        assertEquals("/home/u/plutus.yaml:4: stroe: unknown field (expected one of store, ingest, http)", e.getMessage());
        assertEquals("plutus.yaml:1: expected a mapping of keys to values",
                assertThrows(ConfigException.class, () -> SettingsFile.root("- store\n", "plutus.yaml")).getMessage());
    }

    // --- YamlDoc and YamlNode ---------------------------------------------------------------

    private static String error(String yaml, Function<YamlNode, Object> read) {
        return assertThrows(ConfigException.class, () -> read.apply(YamlDoc.parse(yaml, "budget.yaml"))).getMessage();
    }

    @Test
    void brokenYamlIsReportedAtItsFileAndLine() {
        assertTrue(error("budgets:\n  global: [1, 2\n", n -> n).startsWith("budget.yaml:3: invalid YAML: expected ','"),
                error("budgets:\n  global: [1, 2\n", n -> n));
        assertTrue(error("a: 1\nb: c: d\n", n -> n).startsWith("budget.yaml:2: invalid YAML: mapping values are not allowed"),
                error("a: 1\nb: c: d\n", n -> n));
        assertTrue(YamlDoc.parse("", "budget.yaml").isMissing(), "an empty document reads as nothing set");
    }

    @Test
    void aDuplicateKeyIsAnErrorAtItsSecondLineNamingTheFirst() {
        assertEquals("budget.yaml:4: budgets.global.daily_usd: duplicate key (first on line 3)",
                error("budgets:\n  global:\n    daily_usd: 5\n    daily_usd: 50\n", n -> n.get("budgets").get("global").get("daily_usd")));
        assertEquals("budget.yaml:3: budgets: duplicate key (first on line 1)",
                error("budgets: {}\nalerts: {}\nbudgets:\n  global: {}\n", YamlNode::entries));
    }

    @Test
    void typedValuesReadAndTheirErrorsNameFileLineAndField() {
        String yaml = """
                budgets:
                  global:
                    daily_usd: 5.25
                    monthly_usd: -1
                    weekly_usd: five
                    ttl: 90s
                    off: 0s
                    hold: 2 weeks
                    reservations: on
                    shared: maybe
                    count: 3
                    half: 2.5
                    mode: Enforce
                    list: [a, b]
                """;
        YamlNode g = YamlDoc.parse(yaml, "budget.yaml").get("budgets").get("global");
        assertEquals(Optional.of(new BigDecimal("5.25")), g.get("daily_usd").nonNegativeDecimal());
        assertEquals(Optional.of(Duration.ofSeconds(90)), g.get("ttl").duration());
        assertEquals(Optional.of(Duration.ZERO), g.get("off").durationOrZero());
        assertEquals(Optional.of(true), g.get("reservations").bool());
        assertEquals(Optional.of(3L), g.get("count").wholeNumber());
        assertEquals(Optional.of("enforce"), g.get("mode").oneOf(List.of("enforce", "warn_only")));
        assertEquals(List.of("budgets.global.list[0]", "budgets.global.list[1]"), g.get("list").items().stream().map(YamlNode::path).toList());
        assertEquals(Optional.of("b"), g.get("list").items().get(1).text());

        YamlNode absent = g.get("yearly_usd").get("cap");
        assertTrue(absent.isMissing());
        assertEquals("budgets.global.yearly_usd.cap", absent.path());
        assertEquals(Optional.empty(), absent.decimal());
        assertEquals("x", absent.textOr("x"));

        record Case(String expected, Function<YamlNode, Object> read) {}
        for (Case c : List.of(
                new Case("budget.yaml:4: budgets.global.monthly_usd: must not be negative, got -1",
                        n -> n.get("monthly_usd").nonNegativeDecimal()),
                new Case("budget.yaml:5: budgets.global.weekly_usd: expected a number, got 'five'", n -> n.get("weekly_usd").decimal()),
                new Case("budget.yaml:7: budgets.global.off: must be longer than 0", n -> n.get("off").duration()),
                new Case("budget.yaml:8: budgets.global.hold: expected a duration such as 30s, 5m or 1h, got '2 weeks'",
                        n -> n.get("hold").duration()),
                new Case("budget.yaml:10: budgets.global.shared: expected true or false, got 'maybe'", n -> n.get("shared").bool()),
                new Case("budget.yaml:12: budgets.global.half: expected a whole number, got '2.5'", n -> n.get("half").wholeNumber()),
                new Case("budget.yaml:13: budgets.global.mode: expected one of block, warn, got 'enforce'",
                        n -> n.get("mode").oneOf(List.of("block", "warn"))),
                new Case("budget.yaml:14: budgets.global.list: expected a single value", n -> n.get("list").text()),
                new Case("budget.yaml:3: budgets.global.daily_usd: expected a list", n -> n.get("daily_usd").items()),
                new Case("budget.yaml:3: budgets.global.daily_usd: expected a mapping of keys to values", n -> n.get("daily_usd").get("x")))) {
            assertEquals(c.expected(), assertThrows(ConfigException.class, () -> c.read().apply(g)).getMessage());
        }
    }

    @Test
    void anUnknownFieldIsReportedAtItsKeyEvenWhenItsValueStartsLater() {
        String yaml = "budgets:\n  global:\n    daily_usd: 5\n  sesion:\n    per_session_usd: 1\n";
        YamlNode budgets = YamlDoc.parse(yaml, "budget.yaml").get("budgets");
        assertEquals("budget.yaml:4: budgets.sesion: unknown field (expected one of global, session)",
                assertThrows(ConfigException.class, () -> budgets.requireOnlyKeys(List.of("global", "session"))).getMessage());
        budgets.get("global").requireOnlyKeys(List.of("daily_usd"));
        assertFalse(budgets.get("global").isNull());
    }
}
