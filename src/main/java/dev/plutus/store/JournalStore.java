package dev.plutus.store;

import dev.plutus.core.LlmCall;
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

    private final Connection reader;
    private final Connection writer;
    private final PreparedStatement lookup;
    private final PreparedStatement savePosition;
    private final java.sql.Statement control;
    private final CallStore.Statements sessions;
    private final CallStore.Statements calls;
    private final CallStore.Statements origins;

    private JournalStore(Connection reader, Connection writer) throws SQLException {
        this.reader = reader;
        this.writer = writer;
        this.lookup = reader.prepareStatement("SELECT 1 FROM llm_calls WHERE event_id = ?");
        // Autocommit stays on: the driver would begin the next IMMEDIATE transaction as soon as one commits and hold the write lock.
        this.control = writer.createStatement();
        this.savePosition = writer.prepareStatement("UPDATE call_journal_position SET file_seq = ?, file_offset = ? WHERE id = 1");
        this.sessions = new CallStore.Statements(writer, n -> "INSERT INTO sessions(session_id, platform, started_at) VALUES "
                + CallStore.rows(n, 3) + " ON CONFLICT(session_id) DO NOTHING");
        this.calls = new CallStore.Statements(writer, n -> "INSERT INTO llm_calls(" + CallStore.CALL_COLUMNS + ") VALUES "
                + CallStore.rows(n, CallStore.CALL_PARAMS) + " ON CONFLICT(event_id) DO NOTHING RETURNING id, event_id");
        this.origins = new CallStore.Statements(writer, n -> "INSERT INTO ingested_calls(call_id, key_id, workspace, task_type,"
                + " source, tracked_tokens, over_free_limit) VALUES " + CallStore.rows(n, CallStore.ORIGIN_PARAMS));
    }

    public static JournalStore open(Database db) {
        Connection r = db.dedicatedConnection();
        Connection w = null;
        try {
            w = db.dedicatedConnection();
            return new JournalStore(r, w);
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
     * holds the journal up to {@code to}, in one transaction; for each call its row id, or empty.
     */
    public List<OptionalLong> store(List<LlmCall> batch, CallJournal.Position to) {
        synchronized (writer) {
            try {
                control.execute("BEGIN IMMEDIATE");
                CallStore.ensureSessions(sessions, batch, ROWS_PER_STATEMENT);
                List<OptionalLong> ids = new ArrayList<>(batch.size());
                for (int from = 0; from < batch.size(); from += ROWS_PER_STATEMENT) {
                    ids.addAll(CallStore.insertChunk(calls, batch.subList(from, Math.min(batch.size(), from + ROWS_PER_STATEMENT))));
                }
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

    @Override
    public void close() {
        synchronized (reader) {
            closeQuietly(reader);
        }
        synchronized (writer) {
            try {
                sessions.close();
                calls.close();
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
