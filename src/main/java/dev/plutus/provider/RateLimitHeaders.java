package dev.plutus.provider;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Anthropic's and OpenAI's rate-limit response headers into a {@link RateLimitStatus}. */
public final class RateLimitHeaders {
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final List<String> ANTHROPIC_COUNTED = List.of("requests", "tokens", "input-tokens", "output-tokens");
    private static final List<String> OPENAI_COUNTED = List.of("requests", "tokens");

    private RateLimitHeaders() {}

    /** Header names lower-cased, first value of each. */
    public static Map<String, String> normalize(Map<String, List<String>> headers) {
        Map<String, String> out = new TreeMap<>();
        headers.forEach((k, v) -> {
            if (k != null && !v.isEmpty()) {
                out.putIfAbsent(k.toLowerCase(), v.get(0).trim());
            }
        });
        return out;
    }

    /** Null when the headers carry no rate-limit information at all. */
    public static RateLimitStatus anthropic(Map<String, String> h, int httpStatus) {
        List<RateLimitStatus.Window> windows = new ArrayList<>();
        String unified = h.get("anthropic-ratelimit-unified-status");
        for (String w : List.of("5h", "7d")) {
            String p = "anthropic-ratelimit-unified-" + w + "-";
            if (h.containsKey(p + "utilization") || h.containsKey(p + "status")) {
                windows.add(new RateLimitStatus.Window(w, null, null, decimal(h.get(p + "utilization")),
                        epochSeconds(h.get(p + "reset")), h.get(p + "status")));
            }
        }
        for (String name : ANTHROPIC_COUNTED) {
            String p = "anthropic-ratelimit-" + name + "-";
            if (h.containsKey(p + "limit") || h.containsKey(p + "remaining")) {
                windows.add(new RateLimitStatus.Window(name, whole(h.get(p + "limit")), whole(h.get(p + "remaining")), null,
                        rfc3339(h.get(p + "reset")), null));
            }
        }
        if (windows.isEmpty() && unified == null) {
            return null;
        }
        String status = unified != null ? unified : countedStatus(windows, httpStatus);
        return new RateLimitStatus(status, windows, whole(h.get("retry-after")));
    }

    /** Null when the headers carry no rate-limit information at all; resets are relative to {@code now}. */
    public static RateLimitStatus openAi(Map<String, String> h, int httpStatus, Instant now) {
        List<RateLimitStatus.Window> windows = new ArrayList<>();
        for (String name : OPENAI_COUNTED) {
            if (h.containsKey("x-ratelimit-limit-" + name) || h.containsKey("x-ratelimit-remaining-" + name)) {
                Instant reset = goDuration(h.get("x-ratelimit-reset-" + name)).map(now::plus).orElse(null);
                windows.add(new RateLimitStatus.Window(name, whole(h.get("x-ratelimit-limit-" + name)),
                        whole(h.get("x-ratelimit-remaining-" + name)), null, reset, null));
            }
        }
        if (windows.isEmpty()) {
            return null;
        }
        return new RateLimitStatus(countedStatus(windows, httpStatus), windows, whole(h.get("retry-after")));
    }

    private static String countedStatus(List<RateLimitStatus.Window> windows, int httpStatus) {
        if (httpStatus == 429) {
            return "limited";
        }
        for (RateLimitStatus.Window w : windows) {
            if (w.remaining() != null && w.remaining() == 0) {
                return "limited";
            }
        }
        return "ok";
    }

    /** Go-style durations as OpenAI sends them: {@code 6m0s}, {@code 12ms}, {@code 19.664s}, {@code 1h2m3s}. */
    static Optional<Duration> goDuration(String s) {
        if (s == null || s.isBlank()) {
            return Optional.empty();
        }
        Matcher m = GO_DURATION_PART.matcher(s.trim());
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            BigDecimal n = new BigDecimal(m.group(1));
            BigDecimal unit = switch (m.group(2)) {
                case "ns" -> BigDecimal.ONE;
                case "us", "µs" -> BigDecimal.valueOf(1_000);
                case "ms" -> BigDecimal.valueOf(1_000_000);
                case "s" -> BigDecimal.valueOf(1_000_000_000L);
                case "m" -> BigDecimal.valueOf(60_000_000_000L);
                default -> BigDecimal.valueOf(3_600_000_000_000L);
            };
            nanos += n.multiply(unit).longValue();
            end = m.end();
        }
        return end == s.trim().length() && end > 0 ? Optional.of(Duration.ofNanos(nanos)) : Optional.empty();
    }

    private static Long whole(String s) {
        if (s == null) {
            return null;
        }
        try {
            return new BigDecimal(s).longValue();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BigDecimal decimal(String s) {
        if (s == null) {
            return null;
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant epochSeconds(String s) {
        Long v = whole(s);
        return v == null ? null : Instant.ofEpochSecond(v);
    }

    private static Instant rfc3339(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
