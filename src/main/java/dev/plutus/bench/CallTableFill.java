package dev.plutus.bench;

import dev.plutus.core.TokenUsage;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.PricingEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a month of calls straight into a scratch store's SQLite file, the way a bulk import would:
 * one prepared multi-row INSERT re-bound per chunk, 500,000 rows per transaction, {@code synchronous=OFF}
 * (a scratch file: a crash just means filling again), the secondary indexes of {@code llm_calls}
 * (ts, session, provisional) dropped before and created again after (one sort each instead of
 * millions of random B-tree inserts); the event_id UNIQUE index stays, fed ids in ascending order.
 * The rows are what the engine would store: sessions with a platform, provider, model, cron job,
 * sender or root session, calls priced by the engine's own prices, spread over the last 30 days.
 */
final class CallTableFill {
    private static final String[][] MODELS = {
        {"anthropic", "claude-sonnet-4-5"}, {"anthropic", "claude-opus-4-1"}, {"openai", "gpt-4.1"},
        {"openai", "gpt-4.1-mini"}, {"deepseek", "deepseek-chat"}, {"google", "gemini-2.5-pro"},
        {"openrouter", "openrouter/anthropic/claude-sonnet-4.5"}};
    /** How often each model is a session's main model (sums to 100). */
    private static final int[] MODEL_WEIGHTS = {35, 5, 20, 15, 10, 10, 5};
    private static final String[] GATEWAYS = {"telegram", "discord", "slack"};
    private static final int ROWS_PER_STATEMENT = 100;
    private static final int ROWS_PER_TRANSACTION = 500_000;
    private static final int MEAN_CALLS_PER_SESSION = 40;
    private static final Duration SPAN = Duration.ofDays(30);
    private static final String CALL_COLUMNS = "event_id, ts, session_id, root_session_id, platform, cron_job_id, sender_id, provider,"
            + " model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens,"
            + " cost_micros, priced, price_entry, estimated, latency_ms, provisional";
    private static final int CALL_PARAMS = 21;
    private static final String SESSION_COLUMNS = "session_id, platform, model, provider, cron_job_id, sender_id, parent_session_id,"
            + " root_session_id, started_at, status";
    private static final int SESSION_PARAMS = 10;
    private static final List<String> SECONDARY_INDEXES = List.of(
            "CREATE INDEX llm_calls_ts ON llm_calls(ts)",
            "CREATE INDEX llm_calls_session ON llm_calls(session_id)",
            "CREATE INDEX llm_calls_provisional ON llm_calls(id) WHERE provisional = 1");

    /** What was written: the session ids (in start order), the rows and the sum of their costs, and how long each part took. */
    record Filled(List<String> sessions, long rows, long costMicros, double insertSeconds, double indexSeconds) {}

    private final PricingEngine pricing;
    private final Random random;

    CallTableFill(PricingEngine pricing, long seed) {
        this.pricing = pricing;
        this.random = new Random(seed);
    }

    /** Fills the empty, migrated store at {@code database} with {@code rows} calls ending at {@code nowMillis}. */
    Filled fill(Path database, long rows, long nowMillis) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath())) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA synchronous=OFF");
                s.execute("PRAGMA cache_size=-262144");
                s.execute("PRAGMA foreign_keys=ON");
                if (queryLong(c, "SELECT COUNT(*) FROM llm_calls") != 0) {
                    throw new BenchmarkRefused("the scratch store " + database + " is not empty");
                }
                s.execute("DROP INDEX llm_calls_ts");
                s.execute("DROP INDEX llm_calls_session");
                s.execute("DROP INDEX llm_calls_provisional");
            }
            c.setAutoCommit(false);
            long start = System.nanoTime();
            Filled f = write(c, rows, nowMillis);
            c.commit();
            double inserted = (System.nanoTime() - start) / 1e9;
            long indexing = System.nanoTime();
            try (Statement s = c.createStatement()) {
                for (String index : SECONDARY_INDEXES) {
                    s.execute(index);
                }
                s.execute("ANALYZE");
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            return new Filled(f.sessions(), f.rows(), f.costMicros(), inserted, (System.nanoTime() - indexing) / 1e9);
        }
    }

    private Filled write(Connection c, long rows, long nowMillis) throws SQLException {
        long spanStart = nowMillis - SPAN.toMillis();
        long expectedSessions = Math.max(1, rows / MEAN_CALLS_PER_SESSION);
        double sessionGap = (double) SPAN.toMillis() / expectedSessions;
        List<String> sessionIds = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, expectedSessions + expectedSessions / 4));
        Object[] callParams = new Object[ROWS_PER_STATEMENT * CALL_PARAMS];
        long written = 0;
        long cost = 0;
        int inChunk = 0;
        int inTransaction = 0;
        String lastRoot = null;
        String lastRootCron = null;
        String lastRootSender = null;
        try (PreparedStatement calls = c.prepareStatement("INSERT INTO llm_calls(" + CALL_COLUMNS + ") VALUES "
                + rows(ROWS_PER_STATEMENT, CALL_PARAMS));
             PreparedStatement session = c.prepareStatement("INSERT INTO sessions(" + SESSION_COLUMNS + ") VALUES "
                + rows(1, SESSION_PARAMS))) {
            for (int n = 0; written < rows; n++) {
                long started = Math.min(nowMillis - 1, spanStart + (long) (n * sessionGap) + random.nextInt(60_000));
                String id = "s" + n;
                int kind = random.nextInt(100);
                String platform;
                String cron = null;
                String sender = null;
                String root = null;
                if (kind < 10) {
                    int job = random.nextInt(50);
                    cron = "job" + job;
                    platform = "cron";
                    id = "cron_" + cron + "_" + n;
                } else if (kind < 15 && lastRoot != null) {
                    platform = "subagent";
                    root = lastRoot;
                    cron = lastRootCron;
                    sender = lastRootSender;
                } else if (kind < 30) {
                    platform = "cli";
                } else {
                    platform = GATEWAYS[random.nextInt(GATEWAYS.length)];
                    sender = "user-" + random.nextInt(500);
                }
                if (root == null) {
                    lastRoot = id;
                    lastRootCron = cron;
                    lastRootSender = sender;
                }
                String[] main = MODELS[weighted()];
                bindSession(session, id, platform, main, cron, sender, root, started);
                session.executeUpdate();
                sessionIds.add(id);
                long callsOfSession = Math.min(rows - written, 1 + (long) (-Math.log(1 - random.nextDouble()) * (MEAN_CALLS_PER_SESSION - 1)));
                long ts = started;
                for (long k = 0; k < callsOfSession; k++) {
                    String[] m = random.nextInt(10) == 0 ? MODELS[random.nextInt(MODELS.length)] : main;
                    TokenUsage usage = new TokenUsage(500 + random.nextInt(20_000), 50 + random.nextInt(2_000), random.nextInt(30_000),
                            random.nextInt(3) == 0 ? random.nextInt(5_000) : 0, 0, random.nextInt(4) == 0 ? random.nextInt(500) : 0);
                    CallCost price = pricing.price(m[0], m[1], null, usage);
                    if (!price.priced()) {
                        throw new BenchmarkRefused("the fill's model " + m[0] + "/" + m[1] + " has no price: " + price.unpricedReason());
                    }
                    int p = inChunk * CALL_PARAMS;
                    // Ascending ids: the UNIQUE index is appended to, as a bulk import sorted by id would.
                    callParams[p] = "fill-" + (1_000_000_000_000L + written);
                    callParams[p + 1] = ts;
                    callParams[p + 2] = id;
                    callParams[p + 3] = root;
                    callParams[p + 4] = platform;
                    callParams[p + 5] = cron;
                    callParams[p + 6] = sender;
                    callParams[p + 7] = m[0];
                    callParams[p + 8] = m[1];
                    callParams[p + 9] = usage.input();
                    callParams[p + 10] = usage.output();
                    callParams[p + 11] = usage.cacheRead();
                    callParams[p + 12] = usage.cacheWrite();
                    callParams[p + 13] = usage.cacheWrite1h();
                    callParams[p + 14] = usage.reasoning();
                    callParams[p + 15] = price.micros();
                    callParams[p + 16] = 1;
                    callParams[p + 17] = price.entryKey();
                    callParams[p + 18] = 0;
                    callParams[p + 19] = 200 + random.nextInt(5_000);
                    callParams[p + 20] = price.provisional() ? 1 : 0;
                    cost += price.micros();
                    written++;
                    inChunk++;
                    if (inChunk == ROWS_PER_STATEMENT) {
                        bind(calls, callParams, callParams.length);
                        calls.executeUpdate();
                        inChunk = 0;
                        inTransaction += ROWS_PER_STATEMENT;
                        if (inTransaction >= ROWS_PER_TRANSACTION) {
                            c.commit();
                            inTransaction = 0;
                        }
                    }
                    ts = Math.min(nowMillis - 1, ts + 2_000 + random.nextInt(60_000));
                }
            }
            if (inChunk > 0) {
                try (PreparedStatement tail = c.prepareStatement("INSERT INTO llm_calls(" + CALL_COLUMNS + ") VALUES "
                        + rows(inChunk, CALL_PARAMS))) {
                    bind(tail, callParams, inChunk * CALL_PARAMS);
                    tail.executeUpdate();
                }
            }
        }
        return new Filled(sessionIds, written, cost, 0, 0);
    }

    private int weighted() {
        int r = random.nextInt(100);
        for (int i = 0; i < MODEL_WEIGHTS.length; i++) {
            r -= MODEL_WEIGHTS[i];
            if (r < 0) {
                return i;
            }
        }
        return 0;
    }

    private static void bindSession(PreparedStatement s, String id, String platform, String[] model, String cron, String sender,
                                    String root, long started) throws SQLException {
        s.setString(1, id);
        s.setString(2, platform);
        s.setString(3, model[1]);
        s.setString(4, model[0]);
        s.setString(5, cron);
        s.setString(6, sender);
        s.setString(7, root);
        s.setString(8, root);
        s.setLong(9, started);
        s.setString(10, "running");
    }

    private static void bind(PreparedStatement ps, Object[] params, int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            Object v = params[i];
            if (v == null) {
                ps.setNull(i + 1, java.sql.Types.NULL);
            } else if (v instanceof String s) {
                ps.setString(i + 1, s);
            } else if (v instanceof Long l) {
                ps.setLong(i + 1, l);
            } else {
                ps.setInt(i + 1, (Integer) v);
            }
        }
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String rows(int n, int width) {
        String row = "(" + String.join(", ", java.util.Collections.nCopies(width, "?")) + ")";
        return String.join(", ", java.util.Collections.nCopies(n, row));
    }
}
