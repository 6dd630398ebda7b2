package dev.plutus.store;

import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The calls table as the call journal uses it, on two connections of its own that keep their
 * prepared statements: a reader for "is this event stored?" (one indexed lookup), and the drainer's
 * writer, which stores journaled calls in multi-row INSERTs and commits, in the same transaction,
 * how far into the journal the table now holds ({@code call_journal_position}). SQLite only.
 */
public final class JournalStore implements AutoCloseable {
    /** Rows per INSERT: 64 × 23 parameters, far inside SQLite's limit; one statement step per 64 rows. */
    private static final int ROWS_PER_STATEMENT = 64;

    /** What a sighting adds to a session already stored: the same merge as {@code SessionStore.upsert}. */
    private static final String SESSION_MERGE = """
             ON CONFLICT(session_id) DO UPDATE SET
                platform        = COALESCE(excluded.platform, sessions.platform),
                model           = COALESCE(excluded.model, sessions.model),
                provider        = COALESCE(excluded.provider, sessions.provider),
                cron_job_id     = COALESCE(sessions.cron_job_id, excluded.cron_job_id),
                sender_id       = COALESCE(sessions.sender_id, excluded.sender_id),
                root_session_id = COALESCE(sessions.root_session_id, excluded.root_session_id),
                started_at      = CASE WHEN excluded.started_at < sessions.started_at THEN excluded.started_at
                                       ELSE sessions.started_at END""";

    private final Database db;
    private final Connection reader;
    private final Connection writer;
    private final PreparedStatement lookup;
    private final PreparedStatement savePosition;
    private final java.sql.Statement control;
    private final CallStore.Statements sessions;
    private final CallStore.Statements ensureSessions;
    private final PreparedStatement insertCall;
    private final PreparedStatement lastId;
    private final PreparedStatement newRows;
    private final PreparedStatement readIds;
    private final CallStore.Statements origins;

    private JournalStore(Database db, Connection reader, Connection writer) throws SQLException {
        this.db = db;
        this.reader = reader;
        this.writer = writer;
        this.lookup = reader.prepareStatement("SELECT 1 FROM llm_calls WHERE event_id = ?");
        // Autocommit stays on: the driver would begin the next IMMEDIATE transaction as soon as one commits and hold the write lock.
        this.control = writer.createStatement();
        // A multi-row INSERT keeps a statement journal (the first image of every page it changes, to undo it alone): past
        // 64 KiB SQLite spills it to a temp file, a 4-byte and a 4 KiB write per page, several times the WAL's own writes.
        // In memory it is a few hundred KiB per statement at most, and no system call.
        control.execute("PRAGMA temp_store = MEMORY");
        this.savePosition = writer.prepareStatement("UPDATE call_journal_position SET file_seq = ?, file_offset = ? WHERE id = 1");
        // A session's sighting rides the journal with its calls: stored here as SessionStore.upsert would have stored it.
        this.sessions = new CallStore.Statements(writer, n -> "INSERT INTO sessions(session_id, platform, model, provider,"
                + " cron_job_id, sender_id, root_session_id, started_at) VALUES " + CallStore.rows(n, 8) + SESSION_MERGE);
        // A session whose row is stored already and unchanged by the calls: only made sure of, a lookup that writes no page.
        this.ensureSessions = new CallStore.Statements(writer, n -> "INSERT INTO sessions(session_id, platform, started_at) VALUES "
                + CallStore.rows(n, 3) + " ON CONFLICT(session_id) DO NOTHING");
        this.insertCall = writer.prepareStatement("INSERT INTO llm_calls(" + CallStore.CALL_COLUMNS + ") VALUES "
                + CallStore.rows(1, CallStore.CALL_PARAMS) + " ON CONFLICT(event_id) DO NOTHING");
        this.lastId = writer.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM llm_calls");
        this.newRows = writer.prepareStatement("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM llm_calls WHERE id > ?");
        this.readIds = writer.prepareStatement("SELECT id FROM llm_calls WHERE id > ? ORDER BY id");
        this.origins = new CallStore.Statements(writer, n -> "INSERT INTO ingested_calls(call_id, key_id, workspace, task_type,"
                + " source, tracked_tokens, over_free_limit) VALUES " + CallStore.rows(n, CallStore.ORIGIN_PARAMS));
    }

    public static JournalStore open(Database db) {
        Connection r = db.dedicatedConnection();
        Connection w = null;
        try {
            w = db.dedicatedConnection();
            return new JournalStore(db, r, w);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(r);
            closeQuietly(w);
            throw e instanceof StoreException se ? se : new StoreException("cannot prepare the call journal's statements",
                    e instanceof SQLException ? e : new SQLException(e));
        }
    }

    /** Whether a call with this event id is in the table. */
    public boolean stored(String eventId) {
        synchronized (reader) {
            try {
                lookup.setString(1, eventId);
                try (ResultSet rs = lookup.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw new StoreException("cannot look up call " + eventId, e);
            }
        }
    }

    /** How far into the journal the table holds. */
    public CallJournal.Position position() {
        synchronized (reader) {
            try (PreparedStatement ps = reader.prepareStatement("SELECT file_seq, file_offset FROM call_journal_position WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new CallJournal.Position(rs.getLong(1), rs.getLong(2)) : CallJournal.Position.START;
            } catch (SQLException e) {
                throw new StoreException("cannot read the call journal's position", e);
            }
        }
    }

    /**
     * Stores the calls (a call whose event id is stored already is skipped) and records that the table
     * holds the journal up to {@code to}, in one transaction; for each call its row id, or empty. Each
     * call's session is stored as the calls saw it (a replay, where nothing else is known).
     */
    public List<OptionalLong> store(List<LlmCall> batch, CallJournal.Position to) {
        return store(batch, to, null);
    }

    /**
     * As {@link #store(List, CallJournal.Position)}, with {@code sightings} the session rows the batch's
     * calls changed that are not stored yet ({@link SessionDirectory#pendingSightings}), each merged in as
     * {@code SessionStore.upsert} would. Every other session of the batch is stored already and unchanged
     * by its calls: it is only made sure of (created, as a direct insert would, should its row have gone),
     * so storing a call no longer rewrites its session's row and index pages. Null: as the calls saw it.
     */
    public List<OptionalLong> store(List<LlmCall> batch, CallJournal.Position to, java.util.Map<String, SessionRecord> sightings) {
        synchronized (writer) {
            try {
                control.execute("BEGIN IMMEDIATE");
                if (sightings == null) {
                    storeSightings(batch);
                } else {
                    storeSightings(batch, sightings);
                }
                List<OptionalLong> ids = insertCalls(batch);
                CallStore.insertOrigins(origins, batch, ids, ROWS_PER_STATEMENT);
                savePosition.setLong(1, to.seq());
                savePosition.setLong(2, to.offset());
                if (savePosition.executeUpdate() != 1) {
                    throw new SQLException("call_journal_position has no row");
                }
                control.execute("COMMIT");
                return ids;
            } catch (SQLException | RuntimeException e) {
                try {
                    control.execute("ROLLBACK");
                } catch (SQLException ignored) {
                    // No transaction was left open (the failure ended it), or the connection is broken: the next attempt says so.
                }
                throw e instanceof RuntimeException r ? r : new StoreException("cannot store journaled calls", e);
            }
        }
    }

    /**
     * The sessions of the batch as its calls saw them, one row per session (a statement may not update
     * a row twice): the latest platform, model and provider named, the first cron job, sender and root,
     * the earliest time; then merged into what is stored.
     */
    private void storeSightings(List<LlmCall> batch) throws SQLException {
        java.util.Map<String, Object[]> bySession = new java.util.LinkedHashMap<>();
        for (LlmCall c : batch) {
            if (c.sessionId() == null) {
                continue;
            }
            String root = c.sessionId().equals(c.rootSessionId()) ? null : c.rootSessionId();
            long at = c.timestamp().toEpochMilli();
            Object[] row = bySession.get(c.sessionId());
            if (row == null) {
                bySession.put(c.sessionId(), new Object[] {c.sessionId(), c.platform(), c.model(), c.provider(), c.cronJobId(),
                        c.senderId(), root, at});
                continue;
            }
            row[1] = c.platform() != null ? c.platform() : row[1];
            row[2] = c.model() != null ? c.model() : row[2];
            row[3] = c.provider() != null ? c.provider() : row[3];
            row[4] = row[4] != null ? row[4] : c.cronJobId();
            row[5] = row[5] != null ? row[5] : c.senderId();
            row[6] = row[6] != null ? row[6] : root;
            row[7] = Math.min((Long) row[7], at);
        }
        List<Object[]> rows = new ArrayList<>(bySession.values());
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            Object[] params = new Object[chunk.size() * 8];
            int i = 0;
            for (Object[] row : chunk) {
                System.arraycopy(row, 0, params, i, 8);
                i += 8;
            }
            sessions.bound(chunk.size(), params).executeUpdate();
        }
    }

    /**
     * One single-row INSERT per call, without RETURNING: a statement that writes one row and has no trigger
     * keeps no statement journal (a multi-row VALUES or a RETURNING clause makes SQLite copy every page the
     * statement changes first), and SQLite says through the change count whether the row went in. This
     * transaction holds the write lock, so the rows past the largest id before it are exactly the ones it
     * inserted, in order: when their count and largest id say they are consecutive, the k-th call that went in
     * took the k-th id after it, with nothing read back; otherwise their ids are read, in order, as numbers.
     */
    private List<OptionalLong> insertCalls(List<LlmCall> batch) throws SQLException {
        long before;
        try (ResultSet rs = lastId.executeQuery()) {
            before = rs.next() ? rs.getLong(1) : 0;
        }
        boolean[] in = new boolean[batch.size()];
        int inserted = 0;
        for (int i = 0; i < batch.size(); i++) {
            bindCall(insertCall, batch.get(i));
            in[i] = insertCall.executeUpdate() == 1;
            inserted += in[i] ? 1 : 0;
        }
        long[] rowIds = new long[inserted];
        newRows.setLong(1, before);
        long count;
        long max;
        try (ResultSet rs = newRows.executeQuery()) {
            rs.next();
            count = rs.getLong(1);
            max = rs.getLong(2);
        }
        if (count == inserted && max == before + inserted) {
            for (int k = 0; k < inserted; k++) {
                rowIds[k] = before + 1 + k;
            }
        } else {
            readIds.setLong(1, before);
            int k = 0;
            try (ResultSet rs = readIds.executeQuery()) {
                while (rs.next()) {
                    if (k == inserted) {
                        throw new SQLException("more rows than the " + inserted + " calls stored appeared past id " + before);
                    }
                    rowIds[k++] = rs.getLong(1);
                }
            }
            if (k != inserted) {
                throw new SQLException("stored " + inserted + " calls but found " + k + " new rows past id " + before);
            }
        }
        List<OptionalLong> ids = new ArrayList<>(batch.size());
        int k = 0;
        for (boolean stored : in) {
            ids.add(stored ? OptionalLong.of(rowIds[k++]) : OptionalLong.empty());
        }
        return ids;
    }

    /** Binds one call in {@link CallStore#CALL_COLUMNS} order, each value by its own type (no boxing, no type lookup). */
    private static void bindCall(PreparedStatement ps, LlmCall call) throws SQLException {
        TokenUsage u = call.usage();
        text(ps, 1, call.eventId());
        ps.setLong(2, call.timestamp().toEpochMilli());
        text(ps, 3, call.sessionId());
        text(ps, 4, call.rootSessionId());
        text(ps, 5, call.platform());
        text(ps, 6, call.cronJobId());
        text(ps, 7, call.senderId());
        text(ps, 8, call.provider());
        text(ps, 9, call.model());
        text(ps, 10, call.responseModel());
        ps.setLong(11, u.input());
        ps.setLong(12, u.output());
        ps.setLong(13, u.cacheRead());
        ps.setLong(14, u.cacheWrite());
        ps.setLong(15, u.cacheWrite1h());
        ps.setLong(16, u.reasoning());
        ps.setLong(17, call.costMicros());
        ps.setInt(18, call.priced() ? 1 : 0);
        text(ps, 19, call.priceEntry());
        ps.setInt(20, call.estimated() ? 1 : 0);
        ps.setLong(21, call.latencyMillis());
        if (call.reportedAt() == null) {
            ps.setNull(22, java.sql.Types.NULL);
        } else {
            ps.setLong(22, call.reportedAt().toEpochMilli());
        }
        ps.setInt(23, call.provisional() ? 1 : 0);
    }

    private static void text(PreparedStatement ps, int i, String s) throws SQLException {
        if (s == null) {
            ps.setNull(i, java.sql.Types.NULL);
        } else {
            ps.setString(i, s);
        }
    }

    private void storeSightings(List<LlmCall> batch, java.util.Map<String, SessionRecord> sightings) throws SQLException {
        java.util.Map<String, LlmCall> first = new java.util.LinkedHashMap<>();
        for (LlmCall c : batch) {
            if (c.sessionId() != null) {
                first.putIfAbsent(c.sessionId(), c);
            }
        }
        List<Object[]> changed = new ArrayList<>(sightings.size());
        List<Object[]> unchanged = new ArrayList<>(first.size());
        for (LlmCall c : first.values()) {
            SessionRecord s = sightings.get(c.sessionId());
            if (s == null) {
                unchanged.add(new Object[] {c.sessionId(), c.platform(), c.timestamp().toEpochMilli()});
            } else {
                String root = s.sessionId().equals(s.rootSessionId()) ? null : s.rootSessionId();
                changed.add(new Object[] {s.sessionId(), s.platform(), s.model(), s.provider(), s.cronJobId(), s.senderId(), root,
                        s.startedAt().toEpochMilli()});
            }
        }
        insertRows(sessions, changed, 8);
        insertRows(ensureSessions, unchanged, 3);
    }

    private static void insertRows(CallStore.Statements insert, List<Object[]> rows, int width) throws SQLException {
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            Object[] params = new Object[chunk.size() * width];
            int i = 0;
            for (Object[] row : chunk) {
                System.arraycopy(row, 0, params, i, width);
                i += width;
            }
            insert.bound(chunk.size(), params).executeUpdate();
        }
    }

    /** Hands every event id the calls table holds to {@code sink}, read on a connection of its own (this can take seconds). */
    public void forEachEventId(java.util.function.Consumer<String> sink) {
        try (Connection c = db.dedicatedConnection();
             PreparedStatement ps = c.prepareStatement("SELECT event_id FROM llm_calls WHERE event_id IS NOT NULL")) {
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the stored event ids", e);
        }
    }

    /** Calls stored (a size for the event id filter). */
    public long countCalls() {
        synchronized (reader) {
            try (PreparedStatement ps = reader.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM llm_calls");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            } catch (SQLException e) {
                throw new StoreException("cannot count the stored calls", e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (reader) {
            closeQuietly(reader);
        }
        synchronized (writer) {
            try {
                sessions.close();
                ensureSessions.close();
                insertCall.close();
                lastId.close();
                newRows.close();
                readIds.close();
                origins.close();
            } catch (SQLException ignored) {
                // Closing the connection closes them too.
            }
            closeQuietly(writer);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Nothing left to do with it.
            }
        }
    }
}
