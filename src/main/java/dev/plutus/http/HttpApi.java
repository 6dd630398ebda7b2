package dev.plutus.http;

import dev.plutus.core.Json;
import dev.plutus.hermes.HookDispatcher;
import dev.plutus.remote.RemoteLink;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.hermes.HookReply;
import dev.plutus.report.Rendered;
import dev.plutus.command.SlashCommands;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP interface on loopback: {@code POST /hooks/{event}} (the hook's keyword
 * arguments in, what the hook returns to Hermes out), {@code POST /commands/{name}} (raw argument
 * string in, the command's text out), {@code GET /status}, the unauthenticated {@code GET /healthz},
 * {@code POST /v1/usage} (authenticated by API key, see {@link UsageApi}) and {@code GET /metrics}
 * (open on loopback). Everything else requires the local access token.
 */
final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    static final int MAX_BODY_BYTES = 1 << 20;
    private static final long DRAIN_LIMIT_BYTES = 16L << 20;
    private static final Set<String> COMMANDS = Set.of("stats", "budget", "setup", "runway");

    private final HookDispatcher hooks;
    private final SlashCommands commands;
    private final Optional<RemoteLink> remote;
    private final AccessToken token;
    private final DaemonStatus status;
    private final HttpServer server;

    HttpApi(HookDispatcher hooks, SlashCommands commands, Optional<RemoteLink> remote, AccessToken token, DaemonStatus status, InetSocketAddress bind, ExecutorService executor,
            UsageApi usage, ReservationApi reservations, MetricsText metrics, DashboardApi dashboard, boolean loopback) throws IOException {
        this.hooks = hooks;
        this.commands = commands;
        this.remote = remote;
        this.token = token;
        this.status = status;
        // Without TCP_NODELAY every answer waits out the client's delayed ACK (~40 ms on Linux): the JDK
        // server writes headers and body separately. The property is read when the server is created.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(bind, 128);
        server.setExecutor(executor);
        server.createContext("/healthz", this::health);
        server.createContext("/status", ex -> guarded(ex, "GET", () -> sendJson(ex, 200, statusJson())));
        server.createContext("/hooks/", ex -> guarded(ex, "POST", () -> hook(ex)));
        server.createContext("/commands/", ex -> guarded(ex, "POST", () -> command(ex)));
        server.createContext("/v1/usage", usage::handle);
        server.createContext("/v1/budget", usage::budget);
        server.createContext("/v1/reservations", reservations::handle);
        // Scrapers on the same host need no secret; anywhere else /metrics needs the token like the rest.
        server.createContext("/metrics", loopback
                ? ex -> open(ex, () -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(StandardCharsets.UTF_8)))
                : ex -> guarded(ex, "GET", () -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(StandardCharsets.UTF_8))));
        dashboard.register(server);
        server.createContext("/", ex -> {
            if (dashboard.handlesRoot(ex)) {
                dashboard.root(ex);
                return;
            }
            try (ex) {
                sendError(ex, 404, "no such endpoint: " + ex.getRequestURI().getPath());
            }
        });
    }

    private ObjectNode statusJson() {
        ObjectNode o = status.toJson();
        remote.ifPresent(r -> {
            var c = r.counts();
            ObjectNode n = o.putObject("remote").put("url", r.settings().url().toString()).put("workspace", r.settings().workspace())
                    .put("pending", c.pending()).put("rejected", c.rejected())
                    .put("oldest_pending", c.oldest() == null ? null : c.oldest().toString()).put("last_error", c.lastError())
                    .put("verdict", r.verdict().level().label())
                    .put("verdict_at", r.verdict().at() == null ? null : r.verdict().at().toString());
            r.nextTry().ifPresent(t -> n.put("next_try", t.toString()));
        });
        return o;
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting, lets requests in flight finish for up to {@code graceSeconds}. */
    void stop(int graceSeconds) {
        server.stop(graceSeconds);
    }

    @FunctionalInterface
    interface Handler {
        void handle() throws IOException;
    }

    private void guarded(HttpExchange ex, String method, Handler h) {
        // Not try-with-resources: its catch blocks would run after the exchange is closed, too late to answer.
        try {
            if (!token.matchesBearer(ex.getRequestHeaders().getFirst("Authorization"))) {
                status.rejected();
                sendError(ex, 401, "missing or wrong access token (see daemon.token in PLUTUS_HOME)");
                return;
            }
            if (!method.equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", method);
                sendError(ex, 405, ex.getRequestURI().getPath() + " takes " + method);
                return;
            }
            h.handle();
        } catch (BodyTooLarge e) {
            quietly(() -> sendError(ex, 413, "request body over " + MAX_BODY_BYTES + " bytes"));
        } catch (IOException | RuntimeException e) {
            LOG.warn("request {} failed: {}", ex.getRequestURI(), e, e);
            quietly(() -> sendError(ex, 500, "internal error: " + e.getMessage()));
        } finally {
            ex.close();
        }
    }

    private void open(HttpExchange ex, Handler h) {
        try {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET");
                sendError(ex, 405, ex.getRequestURI().getPath() + " takes GET");
                return;
            }
            h.handle();
        } catch (IOException | RuntimeException e) {
            LOG.warn("request {} failed: {}", ex.getRequestURI(), e, e);
            quietly(() -> sendError(ex, 500, "internal error: " + e.getMessage()));
        } finally {
            ex.close();
        }
    }

    private void health(HttpExchange ex) throws IOException {
        try (ex) {
            ObjectNode o = JSON.createObjectNode().put("status", "ok").put("pid", ProcessHandle.current().pid())
                    .put("started_at", status.startedAt().toString()).put("version", DaemonStatus.VERSION);
            sendJson(ex, 200, o);
        }
    }

    private void hook(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        String event = ex.getRequestURI().getPath().substring("/hooks/".length());
        byte[] body = readBody(ex);
        JsonNode kwargs;
        try {
            kwargs = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Hermes must carry on: answer "no directive", and say why for the bridge's log.
            status.malformed();
            ex.getResponseHeaders().add("X-Plutus-Error", "body is not JSON");
            sendJson(ex, 400, JSON.createObjectNode().put("error", "body is not JSON: " + e.getOriginalMessage()));
            return;
        }
        HookReply reply;
        try {
            reply = hooks.dispatch(event, kwargs);
        } catch (dev.plutus.store.StoreException e) {
            // 503, not 200: the bridge keeps the event in its spool and applies fail_mode until the store is back.
            ex.getResponseHeaders().add("X-Plutus-Error", "store unavailable");
            sendJson(ex, 503, JSON.createObjectNode().put("error", "store unavailable: " + e.getMessage()));
            return;
        }
        byte[] answer = JSON.writeValueAsBytes(reply.toJson());
        // Counted before the answer goes out, so whoever reads /metrics or /status after the reply sees it.
        status.hookHandled(event, System.nanoTime() - start);
        send(ex, 200, "application/json", answer);
    }

    private void command(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring("/commands/".length());
        if (!COMMANDS.contains(name)) {
            sendError(ex, 404, "unknown command '" + name + "' (" + String.join(", ", COMMANDS.stream().sorted().toList()) + ")");
            return;
        }
        String args = new String(readBody(ex), StandardCharsets.UTF_8);
        Rendered r = commands.run(name, args);
        status.commandHandled(name);
        if ("json".equals(queryParam(ex, "format"))) {
            sendJson(ex, 200, r.json());
        } else {
            send(ex, 200, "text/plain; charset=utf-8", r.text().getBytes(StandardCharsets.UTF_8));
        }
    }

    static byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                // Read on (up to a bound) so the client, still sending, gets the 413 and not a reset.
                byte[] sink = new byte[64 * 1024];
                long drained = 0;
                for (int n; drained < DRAIN_LIMIT_BYTES && (n = in.read(sink)) > 0; ) {
                    drained += n;
                }
                throw new BodyTooLarge();
            }
            return body;
        }
    }

    private static String queryParam(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return part.substring(eq + 1);
            }
        }
        return null;
    }

    static void sendJson(HttpExchange ex, int code, JsonNode body) throws IOException {
        send(ex, code, "application/json", JSON.writeValueAsBytes(body));
    }

    static void sendError(HttpExchange ex, int code, String message) throws IOException {
        sendJson(ex, code, JSON.createObjectNode().put("error", message));
    }

    static void send(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    static void quietly(Handler h) {
        try {
            h.handle();
        } catch (IOException | RuntimeException ignored) {
            // The client went away or a response was already started; nothing more to tell it.
        }
    }

    static final class BodyTooLarge extends IOException {
        BodyTooLarge() {
            super("body too large");
        }
    }
}
