package dev.plutus.http;

import dev.plutus.runway.RunwayMonitor;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.report.RunwayReport;
import dev.plutus.command.SlashCommands;
import dev.plutus.report.StatsWindow;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard and the JSON it reads: {@code GET /} (one self-contained page), and
 * {@code GET /api/summary|daily|models|providers|tools|cron|sessions?range=24h|7d|30d},
 * {@code /api/budget}, {@code /api/credits/status}. Open on loopback; when the daemon listens
 * elsewhere every request needs the dashboard token (a {@code ?token=} link sets a cookie once).
 */
final class DashboardApi {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardApi.class);
    private static final String COOKIE = "plutus_dashboard";

    private final SlashCommands commands;
    private final RunwayMonitor runway;
    private final AccessToken token;
    private final byte[] page;

    /** {@code token} null: loopback, no token needed. */
    DashboardApi(SlashCommands commands, RunwayMonitor runway, AccessToken token) throws IOException {
        this.commands = commands;
        this.runway = runway;
        this.token = token;
        try (InputStream in = DashboardApi.class.getResourceAsStream("/dev/plutus/dashboard/index.html")) {
            if (in == null) {
                throw new IOException("dashboard page missing from the jar");
            }
            this.page = in.readAllBytes();
        }
    }

    void register(HttpServer server) {
        server.createContext("/api/", ex -> handle(ex, this::api));
        server.createContext("/dashboard", ex -> handle(ex, e -> page(e)));
    }

    /** The root path serves the page; anything else under it is a 404 (the fallback handler). */
    boolean handlesRoot(HttpExchange ex) {
        String p = ex.getRequestURI().getPath();
        return p.equals("/") || p.equals("/index.html");
    }

    void root(HttpExchange ex) {
        handle(ex, e -> page(e));
    }

    @FunctionalInterface
    private interface Body {
        void send(HttpExchange ex) throws IOException;
    }

    private void handle(HttpExchange ex, Body body) {
        try {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET");
                HttpApi.sendError(ex, 405, ex.getRequestURI().getPath() + " takes GET");
                return;
            }
            if (token != null && !authorized(ex)) {
                HttpApi.sendError(ex, 401, "the dashboard needs its token: open it with ?token=<contents of dashboard.token>");
                return;
            }
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            body.send(ex);
        } catch (IllegalArgumentException e) {
            HttpApi.quietly(() -> HttpApi.sendError(ex, 400, e.getMessage()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("dashboard request {} failed: {}", ex.getRequestURI(), e, e);
            HttpApi.quietly(() -> HttpApi.sendError(ex, 500, "internal error: " + e.getMessage()));
        } finally {
            ex.close();
        }
    }

    private boolean authorized(HttpExchange ex) {
        String q = query(ex).get("token");
        if (q != null && token.matches(q)) {
            // Once, from the link: afterwards the cookie carries it and the token leaves the address bar.
            ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + token.value() + "; Path=/; HttpOnly; SameSite=Strict");
            return true;
        }
        if (token.matchesBearer(ex.getRequestHeaders().getFirst("Authorization"))) {
            return true;
        }
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String c = part.strip();
                if (c.startsWith(COOKIE + "=") && token.matches(c.substring(COOKIE.length() + 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    private void page(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:");
        HttpApi.send(ex, 200, "text/html; charset=utf-8", page);
    }

    private void api(HttpExchange ex) throws IOException {
        String what = ex.getRequestURI().getPath().substring("/api/".length());
        Map<String, String> q = query(ex);
        String range = q.getOrDefault("range", "24h");
        StatsWindow w = StatsWindow.parse(range).orElseThrow(() -> new IllegalArgumentException(
                "range must be 24h, 7d or 30d, got '" + range + "'"));
        Function<String, JsonNode> stats = sub -> commands.stats(sub.isEmpty() ? List.of(range(w)) : List.of(sub, range(w))).json();
        JsonNode body = switch (what) {
            case "summary" -> stats.apply("");
            case "daily" -> stats.apply("daily");
            case "models" -> stats.apply("models");
            case "providers" -> stats.apply("providers");
            case "tools" -> stats.apply("tools");
            case "cron" -> stats.apply("cron");
            case "sessions" -> stats.apply("sessions");
            case "budget" -> commands.budget(List.of()).json();
            case "credits/status" -> RunwayReport.render(runway.view("1".equals(q.get("refresh")))).json();
            default -> null;
        };
        if (body == null) {
            HttpApi.sendError(ex, 404, "no such endpoint: /api/" + what + " (summary, daily, models, providers, tools, cron, sessions, "
                    + "budget, credits/status)");
            return;
        }
        HttpApi.sendJson(ex, 200, body);
    }

    private static String range(StatsWindow w) {
        return switch (w) {
            case LAST_24_HOURS -> "24h";
            case LAST_7_DAYS -> "7d";
            case LAST_30_DAYS -> "30d";
        };
    }

    private static Map<String, String> query(HttpExchange ex) {
        String raw = ex.getRequestURI().getRawQuery();
        Map<String, String> out = new java.util.HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
