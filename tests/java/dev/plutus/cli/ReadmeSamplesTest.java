package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import dev.plutus.core.CallEvent;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's sample {@code plutus stats} and {@code plutus budget} outputs are real: the same
 * commands, run on a home seeded as the README says (twelve calls on four providers in the last three
 * hours, the default budget), print the same lines with only the figures, dates and the file's hash
 * differing. The real output is written to {@code target/readme-samples.txt}, to paste into the
 * README when a renderer changes (docs/first-run.md).
 */
@org.junit.jupiter.api.Tag("store")
class ReadmeSamplesTest {
    private static final Path README = Path.of("README.md");
    private static final Path SAMPLES = Path.of("target", "readme-samples.txt");

    @Test
    void theReadmeSamplesAreWhatTheCommandsPrint(@TempDir Path home) throws Exception {
        assertEquals(0, PlutusCliTest.run(home, "setup", "budget", "default").exit());
        seed(home);
        String stats = PlutusCliTest.run(home, "stats").out();
        String budget = PlutusCliTest.run(home, "budget").out();
        // The README's reader runs on the default home: the temp home's path reads as that.
        String real = ("$ bin/plutus stats\n" + stats + "\n$ bin/plutus budget\n" + budget).replace(" --home " + home, "")
                .replace(home.toString(), "~/.hermes/plutus"); // the README reader's home is the default one: no --home
        Files.createDirectories(SAMPLES.getParent());
        Files.writeString(SAMPLES, real, StandardCharsets.UTF_8);

        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf("```text\n$ bin/plutus stats\n");
        assertTrue(start >= 0, "the README has the sample block");
        String sample = readme.substring(start + "```text\n".length(), readme.indexOf("```", start + 8));
        assertEquals(shape(real), shape(sample), "the README's samples drifted from the renderers: paste " + SAMPLES.toAbsolutePath()
                + " into README.md (docs/first-run.md says how)");
    }

    /** Twelve calls on four providers in the last three hours (within today, so "today" holds them all), as the README says. */
    private static void seed(Path home) {
        Instant now = Instant.now();
        Instant midnight = LocalDate.now(ZoneId.systemDefault()).atStartOfDay(ZoneId.systemDefault()).toInstant();
        String[][] models = {{"anthropic", "claude-sonnet-4-6", "0.052314"}, {"openai", "gpt-5.1", "0.021877"},
                {"deepseek", "deepseek-v4-flash", "0.001946"}, {"openrouter", "moonshotai/kimi-k2", "0.009131"}};
        try (TestEngine p = TestSupport.open(home, Clock.systemUTC())) {
            for (int i = 0; i < 12; i++) {
                String[] m = models[i % 4];
                Instant at = now.minus(Duration.ofMinutes(170 - 14L * i));
                at = at.isBefore(midnight) ? midnight.plusSeconds(60 + i) : at;
                p.record(new CallEvent("readme-" + i, at, "session-" + (i % 4), "cli", m[0], m[1], null,
                        new TokenUsage(1_079 + 37L * i, 1_117 + 11L * i, 11_267, 630, 0, 639), false, 6_000 + 250 * i, new BigDecimal(m[2])));
            }
        }
    }

    /**
     * A sample's lines with the figures taken out: digits, the budget file's hash, the lengths of
     * rules and padding, and a budget row's forecast (it depends on the hour: just after midnight
     * today's pace is steep).
     */
    static List<String> shape(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.strip().split("\n")) {
            out.add(line.strip().replaceAll("\\b[0-9a-f]{12}\\b", "<hash>").replaceAll("[0-9]+", "9").replaceAll("9(\\.9|,9)+", "9")
                    .replaceAll("[-=]{5,}", "----").replaceAll("\\s+", " ")
                    .replaceAll("^(\\S+ (daily|weekly|monthly|rolling_\\w+) .* 9-9-9 9:9 \\S+) .*$", "$1 <forecast>"));
        }
        return out;
    }
}
