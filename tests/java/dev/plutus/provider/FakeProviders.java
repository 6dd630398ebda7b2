package dev.plutus.provider;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.TestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for provider APIs on port 0: each path answers what the test set (status,
 * headers, body, delay), bodies usually the recorded fixtures in tests/fixtures/providers. It
 * records every request's path and headers so tests can check what was sent.
 */
public final class FakeProviders implements AutoCloseable {
    public record Answer(int status, Map<String, String> headers, String body, long delayMillis) {}

    public record Seen(String method, String path, Map<String, String> headers, String body) {}

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    public FakeProviders() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-provider");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public URI base(String prefix) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + prefix);
    }

    public FakeProviders answer(String path, int status, String body) {
        answers.put(path, new Answer(status, Map.of(), body, 0));
        return this;
    }

    public FakeProviders answer(String path, Answer a) {
        answers.put(path, a);
        return this;
    }

    public FakeProviders fixture(String path, String fixture) {
        return answer(path, 200, fixtureText(fixture));
    }

    public static String fixtureText(String name) {
        try {
            return Files.readString(TestSupport.fixtures().resolve("providers").resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Block {@code n} (1-based) of a recorded header file: its status and headers. */
    public static Answer headerBlock(String fixture, int n, String body) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : fixtureText(fixture).split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    blocks.add(current);
                    current = new ArrayList<>();
                }
                continue;
            }
            current.add(line);
        }
        if (!current.isEmpty()) {
            blocks.add(current);
        }
        List<String> b = blocks.get(n - 1);
        int status = Integer.parseInt(b.get(0).split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : b.subList(1, b.size())) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        headers.remove("content-type");
        headers.remove("date");
        return new Answer(status, headers, body, 0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> h = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(), v.get(0)));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(ex.getRequestMethod(), path + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()),
                    h, body));
            hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            Answer a = answers.get(path);
            if (a == null) {
                a = new Answer(404, Map.of(), "{\"error\":{\"message\":\"no such path " + path + "\"}}", 0);
            }
            if (a.delayMillis() > 0) {
                try {
                    Thread.sleep(a.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
        } catch (IOException e) {
            // the client hung up (a time-out test): nothing to answer
        }
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
