package dev.plutus.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Sessions: created on first sight, enriched as hooks reveal platform, sender, parent and end. */
public final class SessionStore {
    private final Jdbc jdbc;

    public SessionStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the session or fills in what an earlier, thinner sighting did not know. */
    public void upsert(SessionRecord s) {
        jdbc.update("""
                INSERT INTO sessions(session_id, platform, model, provider, cron_job_id, sender_id,
                                     parent_session_id, root_session_id, started_at, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')
                ON CONFLICT(session_id) DO UPDATE SET
                    platform          = COALESCE(excluded.platform, sessions.platform),
                    model             = COALESCE(excluded.model, sessions.model),
                    provider          = COALESCE(excluded.provider, sessions.provider),
                    cron_job_id       = COALESCE(sessions.cron_job_id, excluded.cron_job_id),
                    sender_id         = COALESCE(sessions.sender_id, excluded.sender_id),
                    parent_session_id = COALESCE(sessions.parent_session_id, excluded.parent_session_id),
                    root_session_id   = COALESCE(sessions.root_session_id, excluded.root_session_id),
                    started_at        = CASE WHEN excluded.started_at < sessions.started_at
                                             THEN excluded.started_at ELSE sessions.started_at END
                """,
                s.sessionId(), s.platform(), s.model(), s.provider(), s.cronJobId(), s.senderId(),
                s.parentSessionId(), s.rootSessionId(), s.startedAt().toEpochMilli());
    }

    public Optional<SessionRecord> find(String sessionId) {
        List<SessionRecord> rows = jdbc.query("SELECT * FROM sessions WHERE session_id = ?", SessionStore::map, sessionId);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public void setSender(String sessionId, String senderId) {
        jdbc.update("UPDATE sessions SET sender_id = ? WHERE session_id = ?", senderId, sessionId);
    }

    public void setModel(String sessionId, String model, String provider) {
        jdbc.update("UPDATE sessions SET model = COALESCE(?, model), provider = COALESCE(?, provider) WHERE session_id = ?",
                model, provider, sessionId);
    }

    /** Records the end of a turn or of the conversation; the latest end wins. */
    public void end(String sessionId, String status, Instant endedAt, String reason) {
        jdbc.update("""
                UPDATE sessions SET status = ?, ended_at = CASE WHEN ended_at > ? THEN ended_at ELSE ? END,
                    end_reason = COALESCE(?, end_reason)
                WHERE session_id = ?""", status, endedAt.toEpochMilli(), endedAt.toEpochMilli(), reason, sessionId);
    }

    /** Closes a session still marked running (on_session_finalize is a safety net, not a verdict). */
    public void finalizeIfRunning(String sessionId, Instant endedAt, String reason) {
        jdbc.update("""
                UPDATE sessions SET status = CASE WHEN status = 'running' THEN 'ok' ELSE status END,
                                    ended_at = COALESCE(ended_at, ?), end_reason = COALESCE(end_reason, ?)
                WHERE session_id = ?""", endedAt.toEpochMilli(), reason, sessionId);
    }

    /** Sets the parent's subagent count from its linked children, so a replayed event cannot count one twice. */
    public void countSubagent(String parentSessionId) {
        jdbc.update("UPDATE sessions SET subagents = (SELECT COUNT(*) FROM sessions c WHERE c.parent_session_id = ?) "
                + "WHERE session_id = ?", parentSessionId, parentSessionId);
    }

    static SessionRecord map(ResultSet rs) throws SQLException {
        long ended = rs.getLong("ended_at");
        boolean endedNull = rs.wasNull();
        return new SessionRecord(
                rs.getString("session_id"), rs.getString("platform"), rs.getString("model"), rs.getString("provider"),
                rs.getString("cron_job_id"), rs.getString("sender_id"), rs.getString("parent_session_id"),
                rs.getString("root_session_id"), Instant.ofEpochMilli(rs.getLong("started_at")),
                endedNull ? null : Instant.ofEpochMilli(ended), rs.getString("status"));
    }
}
