package dev.plutus.hermes;

import dev.plutus.core.CallEvent;
import dev.plutus.core.InputRanges;
import dev.plutus.core.Money;
import dev.plutus.engine.CallRecorder;
import dev.plutus.store.CallStore;
import dev.plutus.store.MetaStore;
import java.time.Clock;
import java.util.Optional;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * Imports the spend Hermes itself recorded before Plutus was installed: one call per session of
 * {@code state.db}'s {@code sessions} table (billing provider, actual cost, else Hermes's estimate,
 * else Plutus's price for the tokens). Sessions Plutus already saw through hooks are skipped, and
 * every imported row carries the id {@code hermes-state:<session id>}, so running it again imports
 * only sessions that are new — and the growth of sessions imported while they were still running:
 * what Hermes counts now minus what earlier imports stored, as one more call whose id carries the
 * totals it tops up to (two runs at once store it once). A call is dated at the session's last
 * activity as Hermes's rows tell it: its end, else its newest message, else (first import) its start
 * or (growth) the time of this run.
 */
public final class HermesStateBackfill {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HermesStateBackfill.class);
    /** The event id of an imported session's call is this and the session id: a second run finds it already stored. */
    static final String ID_PREFIX = "hermes-state:";

    private static final List<String> COLUMNS = List.of("id", "source", "model", "started_at", "ended_at", "input_tokens",
            "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "billing_provider",
            "estimated_cost_usd", "actual_cost_usd");

    private static final BigDecimal ONE_MICRO = new BigDecimal("0.000001");

    private HermesStateBackfill() {}

    /** {@code outOfRange}: sessions set aside because a time, cost or token count lies outside {@link InputRanges}. */
    /** {@code grown}: sessions imported before that Hermes has counted more for since (their growth is imported, in {@code imported}). */
    public record Result(int seen, int imported, int alreadyKnown, int skippedEmpty, long importedMicros, int outOfRange, int grown) {}

    /** Imports from {@code stateDb} and notes when, for {@code /setup} and {@code plutus runway}. */
    public static Result runAndMark(CallRecorder recorder, CallStore calls, MetaStore meta, Clock clock, Path stateDb) {
        Result r = run(recorder, calls, clock, stateDb);
        meta.put("hermes_backfill", clock.instant() + " " + r.imported());
        return r;
    }

    /** When the last backfill ran, if ever. */
    public static Optional<Instant> last(MetaStore meta) {
        return meta.get("hermes_backfill").map(s -> Instant.parse(s.split(" ")[0]));
    }

    public static Result run(CallRecorder recorder, CallStore calls, Clock clock, Path stateDb) {
        if (!Files.isRegularFile(stateDb)) {
            throw new IllegalArgumentException("no Hermes state database at " + stateDb);
        }
        SQLiteConfig ro = new SQLiteConfig();
        ro.setReadOnly(true);
        ro.setBusyTimeout(5000);
        List<CallEvent> events = new ArrayList<>();
        int seen = 0;
        int known = 0;
        int empty = 0;
        int outOfRange = 0;
        Instant now = clock.instant();
        Set<String> plutusSessions = new HashSet<>(calls.sessionsWithCallsNotFrom(ID_PREFIX));
        Map<String, CallStore.ImportedTotals> before = calls.importedTotals(ID_PREFIX);
        int grown = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stateDb.toAbsolutePath(), ro.toProperties());
             Statement st = c.createStatement()) {
            Set<String> present = new HashSet<>();
            try (ResultSet rs = st.executeQuery("PRAGMA table_info(sessions)")) {
                while (rs.next()) {
                    present.add(rs.getString("name"));
                }
            }
            if (!present.contains("id")) {
                throw new IllegalArgumentException(stateDb + " has no sessions table with an id column (is it Hermes's state.db?)");
            }
            Map<String, Instant> lastMessage = lastMessageTimes(st);
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < COLUMNS.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(present.contains(COLUMNS.get(i)) ? COLUMNS.get(i) : "NULL");
            }
            sql.append(" FROM sessions ORDER BY started_at");
            try (ResultSet rs = st.executeQuery(sql.toString())) {
                while (rs.next()) {
                    seen++;
                    String id = rs.getString(1);
                    if (plutusSessions.contains(id)) {
                        known++;
                        continue;
                    }
                    TokenUsage total = new TokenUsage(count(rs, 6), count(rs, 7), count(rs, 8), count(rs, 9), 0,
                            Math.min(count(rs, 10), count(rs, 7)));
                    BigDecimal actual = amount(rs, 13);
                    BigDecimal estimate = amount(rs, 12);
                    BigDecimal totalCost = actual != null ? actual : estimate;
                    CallStore.ImportedTotals prior = before.get(id);
                    TokenUsage usage = prior == null ? total : minus(total, prior);
                    BigDecimal cost = totalCost == null || prior == null ? totalCost
                            : totalCost.subtract(BigDecimal.valueOf(prior.costMicros(), 6)).max(BigDecimal.ZERO);
                    if (cost != null && prior != null && cost.compareTo(ONE_MICRO) < 0) {
                        cost = BigDecimal.ZERO; // what rounding to micro-dollars left over, not growth
                    }
                    if ((cost == null || cost.signum() == 0) && usage.equals(TokenUsage.ZERO)) {
                        if (prior != null) {
                            known++;
                        } else {
                            empty++;
                        }
                        continue;
                    }
                    Instant ended = epoch(rs, 5);
                    Instant at = ended != null ? ended : lastMessage.get(id);
                    if (at == null) {
                        at = prior == null ? epoch(rs, 4) : now;
                    }
                    if (prior != null && at.isBefore(prior.lastAt())) {
                        at = prior.lastAt();
                    }
                    if (at == null) {
                        empty++;
                        continue;
                    }
                    Optional<String> problem = outOfRange(at, now, cost, usage);
                    if (problem.isPresent()) {
                        outOfRange++;
                        LOG.warn("state.db session {} not imported: {}", id, problem.get());
                        continue;
                    }
                    if (prior != null) {
                        grown++;
                    }
                    String provider = rs.getString(11);
                    String eventId = prior == null ? ID_PREFIX + id : ID_PREFIX + id + "@" + total.input() + "." + total.output() + "."
                            + total.cacheRead() + "." + total.cacheWrite() + "." + (totalCost == null ? "-" : totalCost.toPlainString());
                    events.add(new CallEvent(eventId, at, id, rs.getString(2),
                            provider == null || provider.isBlank() ? "unknown" : provider, rs.getString(3), null, usage,
                            actual == null, 0, cost));
                }
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot read " + stateDb + ": " + e.getMessage(), e);
        }
        int imported = 0;
        long micros = 0;
        for (RecordedCall r : recorder.recordAll(events)) {
            if (!r.duplicate()) {
                imported++;
                micros = Money.plus(micros, r.call().costMicros());
            }
        }
        return new Result(seen, imported, known + (events.size() - imported), empty, micros, outOfRange, grown);
    }

    /** What Hermes counts now beyond what was imported (never below zero: a count that shrank adds nothing). */
    private static TokenUsage minus(TokenUsage now, CallStore.ImportedTotals prior) {
        return new TokenUsage(Math.max(0, now.input() - prior.input()), Math.max(0, now.output() - prior.output()),
                Math.max(0, now.cacheRead() - prior.cacheRead()), Math.max(0, now.cacheWrite() - prior.cacheWrite()), 0,
                Math.min(Math.max(0, now.reasoning() - prior.reasoning()), Math.max(0, now.output() - prior.output())));
    }

    /** The newest message time of each session, when state.db has Hermes's {@code messages} table (empty otherwise). */
    private static Map<String, Instant> lastMessageTimes(Statement st) throws SQLException {
        Set<String> cols = new HashSet<>();
        try (ResultSet rs = st.executeQuery("PRAGMA table_info(messages)")) {
            while (rs.next()) {
                cols.add(rs.getString("name"));
            }
        }
        Map<String, Instant> out = new HashMap<>();
        if (!cols.contains("session_id") || !cols.contains("timestamp")) {
            return out;
        }
        try (ResultSet rs = st.executeQuery("SELECT session_id, MAX(timestamp) FROM messages GROUP BY session_id")) {
            while (rs.next()) {
                Instant at = epoch(rs, 2);
                if (rs.getString(1) != null && at != null) {
                    out.put(rs.getString(1), at);
                }
            }
        }
        return out;
    }

    /** What puts a session outside the ranges every call must fall in (the same door as hooks and /v1/usage). */
    private static Optional<String> outOfRange(Instant at, Instant now, BigDecimal cost, TokenUsage usage) {
        Optional<String> time = InputRanges.timeProblem(at, now);
        if (time.isPresent()) {
            return Optional.of("its time " + time.get());
        }
        if (cost != null && cost.compareTo(InputRanges.MAX_COST_USD) > 0) {
            return Optional.of("its cost $" + cost.toPlainString() + " is over $" + InputRanges.MAX_COST_USD.toPlainString());
        }
        if (Math.max(Math.max(usage.input(), usage.output()), Math.max(usage.cacheRead(), usage.cacheWrite())) > InputRanges.MAX_TOKENS) {
            return Optional.of("a token count is over " + InputRanges.MAX_TOKENS);
        }
        return Optional.empty();
    }

    private static long count(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() || v < 0 ? 0 : v;
    }

    private static BigDecimal amount(ResultSet rs, int col) throws SQLException {
        String v = rs.getString(col);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(v.trim());
            return d.signum() < 0 ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Unix seconds; a value no instant can hold reads as the earliest one, so the range check sets the session aside. */
    private static Instant epoch(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        if (rs.wasNull() || v <= 0) {
            return null;
        }
        return InputRanges.fromEpochSeconds(v).orElse(Instant.EPOCH);
    }
}
