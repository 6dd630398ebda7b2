package dev.plutus.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat completions endpoint on a local port: answers every request with the
 * same usage (plain JSON, or server-sent events ending with a usage chunk when the request streams),
 * and counts the requests that reached it.
 */
public final class FakeOpenAi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The usage every answer reports, as OpenAI reports it: prompt tokens include the cached ones, completion tokens the reasoning. */
    public record Usage(long prompt, long completion, long cached, long reasoning) {}

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Usage usage = new Usage(120, 40, 0, 0);
    private volatile int failWith;
    private volatile long delayMillis;

    public FakeOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
    }

    /** The base URL clients take ({@code http://127.0.0.1:PORT/v1}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public int requests() {
        return requests.get();
    }

    public FakeOpenAi usage(Usage u) {
        this.usage = u;
        return this;
    }

    /** Answer every request with this HTTP status (0: answer normally). */
    public FakeOpenAi failWith(int status) {
        this.failWith = status;
        return this;
    }

    public FakeOpenAi delayMillis(long ms) {
        this.delayMillis = ms;
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            if (failWith != 0) {
                send(ex, failWith, "application/json", "{\"error\":{\"message\":\"the fake is told to fail\",\"type\":\"server_error\"}}");
                return;
            }
            String model = body.path("model").asText("gpt-4.1-mini");
            if (body.path("stream").asBoolean(false)) {
                stream(ex, model);
            } else {
                ObjectNode answer = completion(model, "chat.completion");
                answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                        .putObject("message").put("role", "assistant").put("content", "Hello from the fake.");
                answer.set("usage", usageJson());
                send(ex, 200, "application/json", answer.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(HttpExchange ex, String model) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        String[] parts = {"Hel", "lo ", "from ", "the ", "stream."};
        for (int i = 0; i < parts.length; i++) {
            ObjectNode chunk = completion(model, "chat.completion.chunk");
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            if (i == 0) {
                delta.put("role", "assistant");
            }
            delta.put("content", parts[i]);
            if (i == parts.length - 1) {
                choice.put("finish_reason", "stop");
            } else {
                choice.putNull("finish_reason");
            }
            event(out, chunk.toString());
        }
        ObjectNode last = completion(model, "chat.completion.chunk");
        last.putArray("choices");
        last.set("usage", usageJson());
        event(out, last.toString());
        event(out, "[DONE]");
        out.close();
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static ObjectNode completion(String model, String object) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", "chatcmpl-fake").put("object", object).put("created", 1_780_000_000L).put("model", model);
        return o;
    }

    private JsonNode usageJson() {
        Usage u = usage;
        ObjectNode n = JSON.createObjectNode();
        n.put("prompt_tokens", u.prompt()).put("completion_tokens", u.completion()).put("total_tokens", u.prompt() + u.completion());
        n.putObject("prompt_tokens_details").put("cached_tokens", u.cached());
        n.putObject("completion_tokens_details").put("reasoning_tokens", u.reasoning());
        return n;
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
