package dev.plutus.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.report.ExploreReport;
import dev.plutus.store.ExploreQueries;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The dashboard's filtered view and session drill-down: {@code GET /api/explore?range=today|24h|7d|30d}
 * or {@code ?from=&to=} (dates or date-times in the budget zone), with {@code provider}, {@code model},
 * {@code platform}, {@code workspace}, {@code task_type} filters and cron jobs named from the host's list; and {@code GET /api/session?id=} (a session's calls and
 * tools). Read-only; {@link DashboardApi} checks the token before either is asked.
 */
final class DashboardExplore {
    static final int SESSION_ROWS = 50;
    static final int SESSION_DETAIL_ROWS = 1000;

    private final ExploreQueries queries;
    private final Supplier<ZoneId> zone;
    private final Clock clock;
    private final Supplier<Map<String, String>> cronJobNames;

    /** {@code cronJobNames}: the host's names for its cron jobs by id (Hermes's cron/jobs.json). */
    DashboardExplore(ExploreQueries queries, Supplier<ZoneId> zone, Clock clock, Supplier<Map<String, String>> cronJobNames) {
        this.queries = queries;
        this.zone = zone;
        this.clock = clock;
        this.cronJobNames = cronJobNames;
    }

    JsonNode explore(Context ctx) {
        ZoneId z = zone.get();
        ExploreReport.Range range;
        try {
            range = ExploreReport.Range.parse(ctx.queryParam("range"), blankToNull(ctx.queryParam("from")), blankToNull(ctx.queryParam("to")),
                    clock.instant(), z);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        ExploreQueries.Filter filter = new ExploreQueries.Filter(blankToNull(ctx.queryParam("provider")), blankToNull(ctx.queryParam("model")),
                blankToNull(ctx.queryParam("platform")), blankToNull(ctx.queryParam("workspace")), blankToNull(ctx.queryParam("task_type")));
        return ExploreReport.render(range, z, filter, queries.slices(range.from(), range.to()),
                queries.sessions(range.from(), range.to(), filter), queries.tools(range.from(), range.to(), filter, 12), SESSION_ROWS,
                cronJobNames.get());
    }

    JsonNode session(Context ctx) {
        String id = blankToNull(ctx.queryParam("id"));
        if (id == null) {
            throw HttpError.badRequest("/api/session needs ?id=<session id>");
        }
        ExploreQueries.SessionInfo info = queries.session(id).orElseThrow(() -> new HttpError(404, "no session '" + id + "'"));
        return ExploreReport.session(info, queries.sessionCalls(id, SESSION_DETAIL_ROWS), queries.sessionTools(id, SESSION_DETAIL_ROWS),
                zone.get(), SESSION_DETAIL_ROWS, cronJobNames.get());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
