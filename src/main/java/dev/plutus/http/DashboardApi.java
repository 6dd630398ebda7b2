package dev.plutus.http;

import dev.plutus.runway.RunwayMonitor;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.report.RunwayReport;
import dev.plutus.command.SlashCommands;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;

/**
 * The web dashboard and the JSON it reads: {@code GET /} (one self-contained page), and
 * {@code GET /api/summary|daily|models|providers|tools|cron|sessions?range=today|24h|7d|30d},
 * {@code /api/budget}, {@code /api/credits/status}, {@code /api/explore} and {@code /api/session} ({@link DashboardExplore}), and {@code POST /api/credits/refresh} (asks the
 * providers now: billed probes, so never on a GET, which any {@code <img>} tag can send). Every
 * {@code /api} request needs the dashboard token (read-only): as a cookie, a Bearer header or a
 * {@code ?token=} link. On loopback the page itself sets the cookie (HttpOnly, SameSite=Strict: other
 * sites' pages cannot send it, and {@link HostCheck} keeps rebound names out); elsewhere the page
 * needs the token too.
 */
final class DashboardApi {
    private static final String COOKIE = "plutus_dashboard";
    /** The ranges the page offers, as /api/explore reads them. */
    private static final List<String> RANGES = List.of("today", "24h", "7d", "30d");

    private final SlashCommands commands;
    private final RunwayMonitor runway;
    private final AccessToken token;
    private final boolean loopback;
    private final DashboardExplore explore;
    private final byte[] page;

    /** {@code loopback}: the page is served without the token and hands it to the browser as a cookie. */
    DashboardApi(SlashCommands commands, RunwayMonitor runway, AccessToken token, boolean loopback, DashboardExplore explore)
            throws IOException {
        this.commands = commands;
        this.explore = explore;
        this.runway = runway;
        this.token = token;
        this.loopback = loopback;
        try (InputStream in = DashboardApi.class.getResourceAsStream("/dev/plutus/dashboard/index.html")) {
            if (in == null) {
                throw new IOException("dashboard page missing from the jar");
            }
            this.page = in.readAllBytes();
        }
    }

    /** Every dashboard request: its token when the daemon listens beyond loopback, and no caching or sniffing of the answer. */
    private void admit(Context ctx) {
        if (!authorized(ctx)) {
            throw new HttpError(401, "the dashboard needs its token: open the dashboard and paste the contents of dashboard.token");
        }
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
    }

    private boolean authorized(Context ctx) {
        String q = ctx.queryParam("token");
        if (q != null && token.matches(q)) {
            // Once, from the link: afterwards the cookie carries it and the token leaves the address bar.
            setCookie(ctx);
            return true;
        }
        return token.matchesBearer(ctx.header("Authorization")) || token.matches(ctx.cookie(COOKIE));
    }

    /** {@code GET /}, {@code /index.html}, {@code /dashboard}: the page, or the sign-in form without the token. */
    void page(Context ctx) {
        if (loopback) {
            setCookie(ctx);
            ctx.header("Cache-Control", "no-store");
            ctx.header("X-Content-Type-Options", "nosniff");
        } else if (!authorized(ctx)) {
            signIn(ctx, 401, "");
            return;
        } else {
            admit(ctx);
        }
        ctx.header("Content-Security-Policy",
                "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:");
        HttpApi.send(ctx, 200, "text/html; charset=utf-8", page);
    }

    /** {@code GET /api/{what}}: the JSON the page reads. */
    void api(Context ctx) {
        admit(ctx);
        String what = ctx.pathParam("what");
        if (what.equals("explore") || what.equals("session")) {
            HttpApi.sendJson(ctx, 200, what.equals("explore") ? explore.explore(ctx) : explore.session(ctx));
            return;
        }
        String range = java.util.Objects.requireNonNullElse(ctx.queryParam("range"), "24h");
        if (!RANGES.contains(range)) {
            throw HttpError.badRequest("range must be today, 24h, 7d or 30d, got '" + range + "'");
        }
        // The words /stats takes: "today" is the calendar day in the budget zone there too, never the last 24 h.
        Function<String, JsonNode> stats = sub -> commands.stats(sub.isEmpty() ? List.of(range) : List.of(sub, range)).json();
        JsonNode body = switch (what) {
            case "summary" -> stats.apply("");
            case "daily" -> stats.apply("daily");
            case "models" -> stats.apply("models");
            case "providers" -> stats.apply("providers");
            case "tools" -> stats.apply("tools");
            case "cron" -> stats.apply("cron");
            case "sessions" -> stats.apply("sessions");
            case "budget" -> commands.budget(List.of()).json();
            case "credits/status" -> {
                if (ctx.queryParam("refresh") != null) {
                    throw HttpError.badRequest("a refresh asks the providers (billed probes): POST /api/credits/refresh instead");
                }
                yield RunwayReport.render(runway.view(false)).json();
            }
            default -> throw new HttpError(404, "no such endpoint: /api/" + what + " (summary, daily, models, providers, tools, "
                    + "cron, sessions, budget, credits/status, explore, session)");
        };
        HttpApi.sendJson(ctx, 200, body);
    }

    /** {@code POST /api/credits/refresh}: the providers asked now, and the fresh view. */
    void refresh(Context ctx) {
        admit(ctx);
        HttpApi.sendJson(ctx, 200, RunwayReport.render(runway.view(true)).json());
    }

    /**
     * {@code POST /signin}: the token pasted into the form becomes the cookie, so it never has to be in
     * an address (a link, a proxy's log, the browser's history). Then back to the page.
     */
    void signInPost(Context ctx) {
        String given = ctx.formParam("token");
        if (given == null || !token.matches(given.strip())) {
            signIn(ctx, 401, "That is not the token in dashboard.token.");
            return;
        }
        setCookie(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.header("Location", "/");
        ctx.status(303);
    }

    private static void signIn(Context ctx, int status, String problem) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
        String page = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>Plutus: sign in</title><style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
                input{width:100%%;font:inherit;padding:.4rem;box-sizing:border-box}button{margin-top:.6rem;font:inherit}</style></head>
                <body><h1>Plutus</h1><p>Paste the token from <code>dashboard.token</code> in PLUTUS_HOME.</p>
                <p role="alert">%s</p><form method="post" action="/signin"><input name="token" type="password"
                autocomplete="off" aria-label="dashboard token" required><button type="submit">Open the dashboard</button></form>
                </body></html>""".formatted(problem);
        HttpApi.send(ctx, status, "text/html; charset=utf-8", page.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code Secure} when the browser reached us over HTTPS (directly, or through a trusted proxy that says so). */
    private void setCookie(Context ctx) {
        boolean https = "https".equalsIgnoreCase(ctx.req().getScheme());
        ctx.header("Set-Cookie", COOKIE + "=" + token.value() + "; Path=/; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
    }
}
