package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics parsed as a Prometheus scraper reads it: every sample belongs to one family declared
 * once with HELP and TYPE before its samples, one family per meaning, and each histogram's buckets
 * are cumulative with the +Inf bucket equal to its count.
 */
@Tag("store")
class MetricsExpositionTest {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Family(String type, String help, List<Sample> samples) {}

    record Sample(String name, Map<String, String> labels, double value) {}

    @Test
    void everySampleBelongsToOneDeclaredFamilyAndHistogramsAddUp(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String token = d.token();
            for (int i = 0; i < 5; i++) {
                DaemonTest.post(d, "/hooks/pre_tool_call", TestSupport.hermesJson("pre_tool_call.json").toString(), token);
            }
            DaemonTest.post(d, "/hooks/post_api_request", TestSupport.hermesJson("post_api_request-anthropic-cache.json").toString(), token);
            HttpResponse<String> m = d.send("GET", "/metrics", null, d.readToken());
            assertEquals(200, m.statusCode());
            Map<String, Family> families = parse(m.body());

            assertTrue(families.containsKey("plutus_hook_latency_seconds"), families.keySet().toString());
            assertEquals("histogram", families.get("plutus_hook_latency_seconds").type());
            int histograms = 0;
            for (Map.Entry<String, Family> e : families.entrySet()) {
                Family f = e.getValue();
                assertFalse(f.help().isBlank(), e.getKey() + " has no help text");
                if (f.type().equals("histogram")) {
                    histograms++;
                    assertHistogramAddsUp(e.getKey(), f);
                }
                if (f.type().equals("counter")) {
                    assertTrue(e.getKey().endsWith("_total"), "a counter's name ends in _total: " + e.getKey());
                    f.samples().forEach(s -> assertTrue(s.value() >= 0, "a counter is never negative: " + s));
                }
            }
            assertTrue(histograms > 0, "the exposition has a histogram to check");
            Family latency = families.get("plutus_hook_latency_seconds");
            assertEquals(6.0, sample(latency, "plutus_hook_latency_seconds_count").value(), "six hooks were answered");
        }
    }

    @Test
    void theParserRefusesWhatAScraperWould() {
        // A sample before its TYPE, a family declared twice, and a +Inf bucket that disagrees with _count.
        assertFailsWith("x_total 1\n", "no TYPE");
        assertFailsWith("# HELP a_total a\n# TYPE a_total counter\na_total 1\n# HELP a_total a\n# TYPE a_total counter\n", "declared twice");
        Family h = parse("# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 4\n").get("h");
        assertFailsWith(() -> assertHistogramAddsUp("h", h), "+Inf");
    }

    static Map<String, Family> parse(String text) {
        Map<String, Family> out = new LinkedHashMap<>();
        Map<String, String> help = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                if (help.put(p[0], p.length > 1 ? p[1] : "") != null) {
                    throw new AssertionError("family " + p[0] + " declared twice (HELP)");
                }
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                if (out.containsKey(p[0])) {
                    throw new AssertionError("family " + p[0] + " declared twice (TYPE)");
                }
                out.put(p[0], new Family(p[1], help.getOrDefault(p[0], ""), new ArrayList<>()));
            } else if (!line.isBlank()) {
                Matcher m = SAMPLE.matcher(line);
                if (!m.matches()) {
                    throw new AssertionError("not exposition format: " + line);
                }
                Family f = familyOf(out, m.group(1));
                if (f == null) {
                    throw new AssertionError("sample with no TYPE before it: " + line);
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(3) != null) {
                    Matcher l = LABEL.matcher(m.group(3));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                f.samples().add(new Sample(m.group(1), labels, value(m.group(4))));
            }
        }
        return out;
    }

    private static Family familyOf(Map<String, Family> families, String sample) {
        Family f = families.get(sample);
        if (f != null) {
            return f;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                Family h = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (h != null && h.type().equals("histogram")) {
                    return h;
                }
            }
        }
        return null;
    }

    private static double value(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    static void assertHistogramAddsUp(String name, Family f) {
        double previous = 0;
        Double inf = null;
        for (Sample s : f.samples()) {
            if (s.name().equals(name + "_bucket")) {
                assertTrue(s.value() >= previous, name + ": buckets are cumulative, " + s + " after " + previous);
                previous = s.value();
                if ("+Inf".equals(s.labels().get("le"))) {
                    inf = s.value();
                }
            }
        }
        assertNotNull(inf, name + " has a +Inf bucket");
        assertEquals(sample(f, name + "_count").value(), inf, name + ": the +Inf bucket equals _count");
        assertNotNull(sample(f, name + "_sum"), name + " has a _sum");
    }

    private static Sample sample(Family f, String name) {
        return f.samples().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name));
    }

    private static void assertFailsWith(String exposition, String words) {
        assertFailsWith(() -> parse(exposition), words);
    }

    private static void assertFailsWith(Runnable check, String words) {
        try {
            check.run();
        } catch (AssertionError e) {
            assertTrue(e.getMessage().contains(words), "failed, but not for '" + words + "': " + e.getMessage());
            return;
        }
        throw new AssertionError("the check passed; expected it to fail with '" + words + "'");
    }
}
