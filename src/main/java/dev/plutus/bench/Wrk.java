package dev.plutus.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs Debian's {@code wrk} load generator with a POST body and reads its summary (requests, seconds, p50, p99). */
final class Wrk {
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(ms|s|m)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+(\\S+)", Pattern.MULTILINE);

    record Result(long requests, double seconds, String p50, String p99) {}

    private Wrk() {}

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "wrk"))) {
                return true;
            }
        }
        return false;
    }

    static Result run(URI uri, String key, String body, int connections, int seconds, Path dir) throws IOException, InterruptedException {
        Path script = Files.createTempFile(dir, "wrk-", ".lua");
        // A Lua long string of level 1 cannot be closed by anything a JSON body contains.
        Files.writeString(script, "wrk.method = \"POST\"\nwrk.body = [=[" + body + "]=]\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + key + "\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n",
                StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", "-s",
                script.toString(), uri.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        if (out.contains("Non-2xx") || out.contains("Socket errors")) {
            throw new IllegalStateException("the daemon refused requests under load:\n" + out);
        }
        Matcher r = REQUESTS.matcher(out);
        if (!r.find()) {
            throw new IllegalStateException("cannot read wrk's output:\n" + out);
        }
        double secs = Double.parseDouble(r.group(2)) * switch (r.group(3)) {
            case "ms" -> 0.001;
            case "m" -> 60;
            default -> 1;
        };
        String p50 = "?";
        String p99 = "?";
        Matcher m = PERCENTILE.matcher(out);
        while (m.find()) {
            if (m.group(1).equals("50")) {
                p50 = m.group(2);
            } else {
                p99 = m.group(2);
            }
        }
        return new Result(Long.parseLong(r.group(1)), secs, p50, p99);
    }
}
