package dev.plutus.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The once-only ledgers: budget alerts (one per scope, window, period and level), cron pauses (one
 * per job, window and period), unpriced models (one warning each) and provisional-price notices (one
 * per session and model). A unique key makes "first"
 * hold across every process sharing the database.
 */
public final class EnforcementStore {
    private final Jdbc jdbc;

    public EnforcementStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** True when this alert is new for its period: the caller is the one to send it. */
    public boolean recordAlert(String scope, String scopeId, String window, String periodKey, String level,
                               Instant at, long spentMicros, long limitMicros) {
        return jdbc.update("""
                INSERT INTO budget_alerts(scope, scope_id, "window", period_key, level, fired_at, spent_micros, limit_micros)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                scope, scopeId, window, periodKey, level, at.toEpochMilli(), spentMicros, limitMicros) == 1;
    }

    /**
     * Whether this alert was already sent in its period, by any process: a read, for a verdict published ahead of
     * being asked (the daemon's verdict snapshot), which must not claim the alert as {@link #recordAlert} does.
     */
    public boolean alertRecorded(String scope, String scopeId, String window, String periodKey, String level) {
        return jdbc.queryLong("""
                SELECT COUNT(*) FROM budget_alerts WHERE scope = ? AND scope_id = ? AND "window" = ? AND period_key = ?
                AND level = ?""", scope, scopeId, window, periodKey, level) > 0;
    }

    /** True when this job was not yet paused in this period: the caller is the one to pause it. */
    public boolean recordCronPause(String cronJobId, String window, String periodKey, Instant at, String reason) {
        return jdbc.update("""
                INSERT INTO cron_pauses(cron_job_id, "window", period_key, paused_at, reason)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                cronJobId, window, periodKey, at.toEpochMilli(), reason) == 1;
    }

    public record CronPauseRow(String cronJobId, String window, String periodKey, Instant pausedAt, String reason) {}

    public List<CronPauseRow> cronPauses() {
        return jdbc.query("SELECT cron_job_id, \"window\", period_key, paused_at, reason FROM cron_pauses ORDER BY paused_at DESC",
                rs -> new CronPauseRow(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5)));
    }

    /** True the first time this session used this model at a provisional price: the caller tells the conversation. */
    public boolean recordProvisionalNotice(String sessionId, String provider, String model, Instant at) {
        return jdbc.update("""
                INSERT INTO provisional_notices(session_id, provider, model, noticed_at) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING""", sessionId, provider, model, at.toEpochMilli()) == 1;
    }

    /** True the first time this model is seen without a price. */
    public boolean recordUnpriced(String provider, String model, Instant at) {
        return jdbc.update("INSERT INTO unpriced_models(provider, model, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                provider, model, at.toEpochMilli()) == 1;
    }
}
