package dev.plutus.http;

import dev.plutus.core.Json;
import java.util.Optional;
import dev.plutus.remote.RemoteLink;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * {@link ReservationApi}), {@code GET /metrics} and the dashboard ({@link DashboardApi}). The
 * bridge's endpoints require the local access token; {@code /metrics} takes it or the read-only
 * token (dashboard.token), so a scraper never holds a secret that can write. A route answers
 * only its method (others get 405 from the router), unknown paths get 404, and every refusal has
 * the shape {@link ErrorMapper} gives it.
 */
final class HttpApi {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Set<String> COMMANDS = Set.of("stats", "budget", "setup", "runway");
    /** Set on a command's answer that did nothing but say why (bad arguments, an edit that would not load). */
    static final String REFUSED_HEADER = "X-Plutus-Refused";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final SlashCommands commands;
    private final Optional<RemoteLink> remote;
    private final AccessToken token;
    private final DaemonStatus status;
    private final Javalin app;
    private final JettyConnectors connectors;
    private final AccessToken readToken;
    private final StoreHealth storeHealth;
    private final HookRequests hookRequests;

    HttpApi(SlashCommands commands, Optional<RemoteLink> remote, AccessToken token, AccessToken readToken,
            DaemonStatus status, StoreHealth storeHealth, JettyConnectors connectors, HttpLimits limits,
            UsageApi usage, ReservationApi reservations, MetricsText metrics, DashboardApi dashboard, HookRequests hookRequests) {
        this.hookRequests = hookRequests;
        this.commands = commands;
        this.remote = remote;
        this.token = token;
        this.readToken = readToken;
        this.status = status;
        this.storeHealth = storeHealth;
        this.connectors = connectors;
        ErrorMapper errors = new ErrorMapper(limits, storeHealth);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.startupWatcherEnabled = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = limits.maxBodyBytes();
            config.jsonMapper(new JavalinJackson(JSON, false));
            connectors.configure(config, errors);
            RoutesConfig routes = config.routes;
            routes.before(HttpApi::wellFormedQuery);
            routes.get("/healthz", this::health);
            routes.get("/status", bridge(ctx -> sendJson(ctx, 200, JSON.valueToTree(statusJson()))));
            routes.post("/hooks/{event}", bridge(this::hook));
            routes.post("/commands/{name}", bridge(this::command));
            routes.post("/v1/usage", usage::usage);
            routes.after("/v1/usage", usage::count);
            routes.post("/v1/traces", usage::traces);
            routes.after("/v1/traces", usage::count);
            routes.get("/v1/budget", usage::budget);
            routes.post("/v1/reservations", reservations::hold);
            routes.delete("/v1/reservations/{id}", reservations::release);
            // Any page a browser loads could read an open /metrics on loopback: a token, the read-only one will do.
            routes.get("/metrics", reader(ctx -> send(ctx, 200, PROMETHEUS_TEXT, metrics.render().getBytes(StandardCharsets.UTF_8))));
            for (String page : new String[] {"/", "/index.html", "/dashboard"}) {
                routes.get(page, dashboard::page);
            }
            routes.post("/signin", dashboard::signInPost);
            routes.get("/api/<what>", dashboard::api);
            routes.post("/api/credits/refresh", dashboard::refresh);
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

    /** A read-only endpoint: the read-only token, or the bridge's (which may do more). */
    private Handler reader(Handler h) {
        return ctx -> {
            String presented = ctx.header("Authorization");
            if (!readToken.matchesBearer(presented) && !token.matchesBearer(presented)) {
                status.rejected();
                throw new HttpError(401, "missing or wrong token: send dashboard.token (read-only) or daemon.token from PLUTUS_HOME "
                        + "as Authorization: Bearer", java.util.Map.of("WWW-Authenticate", "Bearer realm=\"plutus\""));
            }
            h.handle(ctx);
        };
    }

    /**
     * A query string that is not valid percent-encoding ({@code ?range=%ZZ}) is refused: decoded
     * leniently it would silently become another value (or none, and the default would answer).
     */
    static void wellFormedQuery(Context ctx) {
        String q = ctx.queryString();
        if (q == null) {
            return;
        }
        for (int i = 0; i < q.length(); i++) {
            if (q.charAt(i) == '%' && (i + 2 >= q.length() || Character.digit(q.charAt(i + 1), 16) < 0
                    || Character.digit(q.charAt(i + 2), 16) < 0)) {
                throw HttpError.badRequest("query string has a '%' not followed by two hex digits, at character " + (i + 1));
            }
        }
        try {
            java.net.URLDecoder.decode(q, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("query string is not valid percent-encoding");
        }
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

    /** 200 {"status": "ok"}; 503 {"status": "unhealthy", "reason": ...} while the store refuses writes. */
    private void health(Context ctx) {
        Optional<String> problem = storeHealth.problem();
        ObjectNode o = JSON.createObjectNode().put("status", problem.isPresent() ? "unhealthy" : "ok");
        problem.ifPresent(p -> o.put("reason", "store unavailable: " + p));
        o.put("pid", ProcessHandle.current().pid()).put("started_at", status.startedAt().toString()).put("version", DaemonStatus.VERSION);
        sendJson(ctx, problem.isPresent() ? 503 : 200, o);
    }

    private void hook(Context ctx) {
        byte[] answer = hookRequests.answer(ctx.pathParam("event"), readBody(ctx));
        // Read after the answer: a verdict snapshot at least this new reflects this hook (docs/hook-snapshot.md).
        ctx.header(HookRequests.GENERATION_HEADER, Long.toString(hookRequests.generation()));
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

    /** What is wrong with a body that is not JSON, in plain words (never the parser's own text). */
    static String jsonProblem(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                ? dev.plutus.ingest.JsonProblem.describe(j, "body") : "unreadable body";
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
