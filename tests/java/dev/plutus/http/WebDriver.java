package dev.plutus.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Drives Debian's chromium through chromedriver with the W3C WebDriver protocol (plain JSON over
 * HTTP), enough for a test: open a page, run a script, click, read the browser console, screenshot.
 */
final class WebDriver implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;
    private final String session;

    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    WebDriver(Path profileDir) throws Exception {
        this(profileDir, null);
    }

    /** {@code downloads}: where files the page downloads land (null: Chromium's default). */
    WebDriver(Path profileDir, Path downloads) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException notYet) {
                // chromedriver is still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("chromedriver did not start");
            }
            Thread.sleep(100);
        }
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode opts = always.putObject("goog:chromeOptions").put("binary", CHROMIUM.toString());
        // As root, on a machine with no network: no sandbox, and none of Chromium's background connections.
        for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1800", "--user-data-dir=" + profileDir)) {
            opts.withArray("args").add(a);
        }
        if (downloads != null) {
            opts.putObject("prefs").put("download.default_directory", downloads.toString()).put("download.prompt_for_download", false);
        }
        always.putObject("goog:loggingPrefs").put("browser", "ALL");
        session = call("POST", "/session", caps).path("value").path("sessionId").asText();
    }

    void open(String url) throws Exception {
        call("POST", "/session/" + session + "/url", JSON.createObjectNode().put("url", url));
    }

    JsonNode script(String js) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("script", js);
        body.putArray("args");
        return call("POST", "/session/" + session + "/execute/sync", body).path("value");
    }

    /** Polls {@code js} until it returns true. */
    void waitFor(String js, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!script(js).asBoolean(false)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + js);
            }
            Thread.sleep(100);
        }
    }

    void click(String css) throws Exception {
        JsonNode el = call("POST", "/session/" + session + "/element",
                JSON.createObjectNode().put("using", "css selector").put("value", css)).path("value");
        String id = el.properties().iterator().next().getValue().asText();
        call("POST", "/session/" + session + "/element/" + id + "/click", JSON.createObjectNode());
    }

    /** The browser console since the last call: level (SEVERE, WARNING, INFO) and message. */
    JsonNode consoleLog() throws Exception {
        return call("POST", "/session/" + session + "/se/log", JSON.createObjectNode().put("type", "browser")).path("value");
    }

    /** Lays the page out at {@code width} x {@code height} CSS pixels, as a device that size would (a phone when narrow). */
    void viewport(int width, int height) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("width", width).put("height", height).put("deviceScaleFactor", 1)
                .put("mobile", width < 600);
        call("POST", "/session/" + session + "/goog/cdp/execute", JSON.createObjectNode().put("cmd", "Emulation.setDeviceMetricsOverride")
                .set("params", params));
    }

    void screenshot(Path png) throws Exception {
        byte[] bytes = Base64.getDecoder().decode(call("GET", "/session/" + session + "/screenshot", null).path("value").asText());
        Files.createDirectories(png.getParent());
        Files.write(png, bytes);
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode j = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return j;
    }

    @Override
    public void close() {
        try {
            call("DELETE", "/session/" + session, null);
        } catch (Exception ignored) {
            // the browser is gone already; the driver goes next
        }
        driver.destroy();
        try {
            if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
