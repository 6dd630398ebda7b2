package dev.plutus.http;

import dev.plutus.core.Json;
import java.util.Optional;
import dev.plutus.remote.RemoteLink;
import dev.plutus.hermes.HookDispatcher;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.hermes.HookReply;
import dev.plutus.report.Rendered;
import dev.plutus.command.SlashCommands;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The daemon's HTTP interface and its one routing table: {@code POST /hooks/{event}} (the hook's
 * keyword arguments in, what the hook returns to Hermes out), {@code POST /commands/{name}} (raw
 * argument string in, the command's text out), {@code GET /status}, the unauthenticated
 * {@code GET /healthz}, the API-key endpoints under {@code /v1} ({@link UsageApi},
 * {@link ReservationApi}), {@code GET /metrics} (open on loopback) and the dashboard
 * ({@link DashboardApi}). The bridge's endpoints require the local access token. A route answers
 * only its method (others get 405 from the router), unknown paths get 404, and every refusal has
 * the shape {@link ErrorMapper} gives it.
 */
final class HttpApi {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Set<String> COMMANDS = Set.of("stats", "budget", "setup", "runway");
    /** Set on a command's answer that did nothing but say why (bad arguments, an edit that would not load). */
    static final String REFUSED_HEADER = "X-Plutus-Refused";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HookDispatcher hooks;
    private final SlashCommands commands;
    private final Optional<RemoteLink> remote;
    private final AccessToken token;
    private final DaemonStatus status;
    private final Javalin app;
    private final JettyConnectors connectors;

    HttpApi(HookDispatcher hooks, SlashCommands commands, Optional<RemoteLink> remote, AccessToken token, DaemonStatus status, JettyConnectors connectors, HttpLimits limits,
            UsageApi usage, ReservationApi reservations, MetricsText metrics, DashboardApi dashboard, boolean loopback) {
        this.hooks = hooks;
        this.commands = commands;
        this.remote = remote;
        this.token = token;
        this.status = status;
        this.connectors = connectors;
        ErrorMapper errors = new ErrorMapper(limits);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.startupWatcherEnabled = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = limits.maxBodyBytes();
            config.jsonMapper(new JavalinJackson(JSON, false));
            connectors.configure(config, errors);
            RoutesConfig routes = config.routes;
            routes.get("/healthz", this::health);
            routes.get("/status", bridge(ctx -> sendJson(ctx, 200, JSON.valueToTree(statusJson()))));
            routes.post("/hooks/{event}", bridge(this::hook));
            routes.post("/commands/{name}", bridge(this::command));
            routes.post("/v1/usage", usage::usage);
            routes.after("/v1/usage", usage::count);
            routes.get("/v1/budget", usage::budget);
            routes.post("/v1/reservations", reservations::hold);
            routes.delete("/v1/reservations/{id}", reservations::release);
            // Scrapers on the same host need no secret; anywhere else /metrics needs the token like the rest.
            Handler scrape = ctx -> send(ctx, 200, PROMETHEUS_TEXT, metrics.render().getBytes(StandardCharsets.UTF_8));
            routes.get("/metrics", loopback ? scrape : bridge(scrape));
            for (String page : new String[] {"/", "/index.html", "/dashboard"}) {
                routes.get(page, dashboard::page);
            }
            routes.get("/api/<what>", dashboard::api);
            errors.register(routes);
        });
    }

    /** A bridge endpoint: the local access token first. */
    private Handler bridge(Handler h) {
        return ctx -> {
            if (!token.matchesBearer(ctx.header("Authorization"))) {
                status.rejected();
                throw new HttpError(401, "missing or wrong access token (see daemon.token in PLUTUS_HOME)");
            }
            h.handle(ctx);
        };
    }

    private StatusAnswer statusJson() {
        StatusAnswer a = status.answer().withBudget(StatusAnswer.Budget.of(commands.budgetStanding()));
        return remote.map(r -> a.withRemote(StatusAnswer.Remote.of(r))).orElse(a);
    }

    void start() {
        app.start();
    }

    int port() {
        return connectors.port();
    }

    /** Stops accepting and answers the requests in flight (Jetty's graceful stop), then stops the threads. */
    void stop() {
        app.stop();
    }

    private void health(Context ctx) {
        ObjectNode o = JSON.createObjectNode().put("status", "ok").put("pid", ProcessHandle.current().pid())
                .put("started_at", status.startedAt().toString()).put("version", DaemonStatus.VERSION);
        sendJson(ctx, 200, o);
    }

    private void hook(Context ctx) {
        long start = System.nanoTime();
        String event = ctx.pathParam("event");
        byte[] body = readBody(ctx);
        JsonNode kwargs;
        try {
            kwargs = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            // Hermes must carry on: answer "no directive", and say why for the bridge's log.
            status.malformed();
            throw new HttpError(400, "body is not JSON: " + originalMessage(e), java.util.Map.of("X-Plutus-Error", "body is not JSON"));
        }
        HookReply reply;
        try {
            reply = hooks.dispatch(event, kwargs);
        } catch (dev.plutus.store.StoreException e) {
            // 503, not 200: the bridge keeps the event in its spool and applies fail_mode until the store is back.
            throw new HttpError(503, "store unavailable: " + e.getMessage(), java.util.Map.of("X-Plutus-Error", "store unavailable"));
        } catch (dev.plutus.engine.VerdictUnknown e) {
            // 503 too: the bridge treats it as an unreachable daemon, so fail_mode decides (closed blocks the tool).
            throw new HttpError(503, e.getMessage(), java.util.Map.of("X-Plutus-Error", "verdict unknown"));
        }
        // The wire record straight to bytes: no tree in between on the hook path.
        byte[] answer = toBytes(reply.answer());
        // Counted before the answer goes out, so whoever reads /metrics or /status after the reply sees it.
        status.hookHandled(event, System.nanoTime() - start);
        send(ctx, 200, "application/json", answer);
    }

    private void command(Context ctx) {
        String name = ctx.pathParam("name");
        if (!COMMANDS.contains(name)) {
            throw new HttpError(404, "unknown command '" + name + "' (" + String.join(", ", COMMANDS.stream().sorted().toList()) + ")");
        }
        String args = new String(readBody(ctx), StandardCharsets.UTF_8);
        Rendered r = commands.run(name, args);
        status.commandHandled(name);
        if (r.refused()) {
            // Still 200, so the bridge shows the text in the chat; `plutus budget set` exits non-zero on it.
            ctx.header(REFUSED_HEADER, "true");
        }
        if ("json".equals(ctx.queryParam("format"))) {
            sendJson(ctx, 200, r.json());
        } else {
            send(ctx, 200, "text/plain; charset=utf-8", r.text().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The whole body; Jetty has already refused one over the limit (413) or one that stalls (timeout). */
    static byte[] readBody(Context ctx) {
        return ctx.bodyAsBytes();
    }

    static String originalMessage(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    static void sendJson(Context ctx, int code, JsonNode body) {
        send(ctx, code, "application/json", toBytes(body));
    }

    private static byte[] toBytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void send(Context ctx, int code, String contentType, byte[] body) {
        ctx.status(code).contentType(contentType).result(body);
    }
}
