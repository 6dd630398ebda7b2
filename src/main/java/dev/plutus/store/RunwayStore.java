package dev.plutus.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the runway monitor keeps: calibrations (a console balance the user read off, with the spend
 * Plutus had counted at that moment), burn-rate snapshots, low-runway alert crossings and routing
 * decisions.
 */
public final class RunwayStore {
    private final Jdbc jdbc;

    public RunwayStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** A balance read off a provider's console at {@code at}, when Plutus had counted {@code spentMicros} all time. */
    public record Calibration(String provider, Instant at, long balanceMicros, long spentMicros) {}

    public void addCalibration(Calibration c) {
        jdbc.update("INSERT INTO runway_calibrations(provider, calibrated_at, balance_micros, spent_micros) VALUES (?, ?, ?, ?)",
                c.provider(), c.at().toEpochMilli(), c.balanceMicros(), c.spentMicros());
    }

    /** All or none: one transaction. */
    public void addCalibrations(List<Calibration> rows) {
        jdbc.inTransaction(c -> {
            for (Calibration r : rows) {
                Jdbc.update(c, "INSERT INTO runway_calibrations(provider, calibrated_at, balance_micros, spent_micros) VALUES (?, ?, ?, ?)",
                        r.provider(), r.at().toEpochMilli(), r.balanceMicros(), r.spentMicros());
            }
            return null;
        });
    }

    /** The newest calibration of each provider. */
    public Map<String, Calibration> latestCalibrations() {
        Map<String, Calibration> out = new LinkedHashMap<>();
        jdbc.query("""
                SELECT provider, calibrated_at, balance_micros, spent_micros FROM runway_calibrations c
                WHERE id = (SELECT MAX(id) FROM runway_calibrations d WHERE d.provider = c.provider)
                ORDER BY provider""",
                rs -> new Calibration(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getLong(3), rs.getLong(4)))
                .forEach(c -> out.put(c.provider(), c));
        return out;
    }

    /** One provider's runway at one moment; {@code remainingMicros} and {@code daysLeft} are null when unknown. */
    public record Snapshot(Instant at, String provider, String source, Long remainingMicros, long burnMicrosPerDay,
                           BigDecimal daysLeft) {}

    public void addSnapshots(List<Snapshot> snapshots) {
        jdbc.inTransaction(c -> {
            for (Snapshot s : snapshots) {
                Jdbc.update(c, """
                        INSERT INTO runway_snapshots(taken_at, provider, source, remaining_micros, burn_micros_day, days_left)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                        s.at().toEpochMilli(), s.provider(), s.source(), s.remainingMicros(), s.burnMicrosPerDay(),
                        s.daysLeft() == null ? null : s.daysLeft().toPlainString());
            }
            return null;
        });
    }

    /** The newest {@code perProvider} snapshots of each provider, oldest first. */
    public Map<String, List<Snapshot>> recentSnapshots(int perProvider) {
        Map<String, List<Snapshot>> out = new LinkedHashMap<>();
        jdbc.query("""
                SELECT taken_at, provider, source, remaining_micros, burn_micros_day, days_left FROM (
                    SELECT s.*, ROW_NUMBER() OVER (PARTITION BY provider ORDER BY taken_at DESC) AS n FROM runway_snapshots s) latest
                WHERE n <= ? ORDER BY provider, taken_at""",
                rs -> {
                    long remaining = rs.getLong(4);
                    Long rem = rs.wasNull() ? null : remaining;
                    String days = rs.getString(6);
                    return new Snapshot(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3), rem,
                            rs.getLong(5), days == null ? null : new BigDecimal(days));
                }, perProvider)
                .forEach(s -> out.computeIfAbsent(s.provider(), k -> new ArrayList<>()).add(s));
        return out;
    }

    /** A low-runway condition of one provider: {@code kind} is {@code balance} or {@code days_left}. */
    public record AlertRow(String provider, String kind, boolean active, Instant firedAt, String message) {}

    /**
     * Marks the condition active. True only when it was not active before, i.e. this is a new
     * crossing and the caller is the one to send it (the primary key makes that hold across processes).
     */
    public boolean raiseAlert(String provider, String kind, Instant at, String message) {
        return jdbc.inTransaction(c -> {
            int inserted = Jdbc.update(c, """
                    INSERT INTO runway_alerts(provider, kind, active, fired_at, announced, message) VALUES (?, ?, 1, ?, 0, ?)
                    ON CONFLICT DO NOTHING""", provider, kind, at.toEpochMilli(), message);
            if (inserted == 1) {
                return true;
            }
            return Jdbc.update(c, """
                    UPDATE runway_alerts SET active = 1, fired_at = ?, cleared_at = NULL, announced = 0, message = ?
                    WHERE provider = ? AND kind = ? AND active = 0""", at.toEpochMilli(), message, provider, kind) == 1;
        });
    }

    /** Ends the condition so that the next crossing alerts again; true when it was active. */
    public boolean clearAlert(String provider, String kind, Instant at) {
        return jdbc.update("UPDATE runway_alerts SET active = 0, cleared_at = ? WHERE provider = ? AND kind = ? AND active = 1",
                at.toEpochMilli(), provider, kind) == 1;
    }

    public List<AlertRow> activeAlerts() {
        return jdbc.query("SELECT provider, kind, active, fired_at, message FROM runway_alerts WHERE active = 1 ORDER BY provider, kind",
                rs -> new AlertRow(rs.getString(1), rs.getString(2), rs.getInt(3) == 1, Instant.ofEpochMilli(rs.getLong(4)),
                        rs.getString(5)));
    }

    public boolean hasUnannounced() {
        return jdbc.queryLong("SELECT COUNT(*) FROM runway_alerts WHERE active = 1 AND announced = 0") > 0;
    }

    /** Active alerts not yet shown in a conversation, claimed so that exactly one turn shows each. */
    public List<String> claimUnannounced() {
        return jdbc.inTransaction(c -> {
            List<AlertRow> rows = Jdbc.query(c, """
                    SELECT provider, kind, active, fired_at, message FROM runway_alerts WHERE active = 1 AND announced = 0
                    ORDER BY provider, kind""",
                    rs -> new AlertRow(rs.getString(1), rs.getString(2), true, Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5)));
            List<String> out = new ArrayList<>();
            for (AlertRow r : rows) {
                if (Jdbc.update(c, "UPDATE runway_alerts SET announced = 1 WHERE provider = ? AND kind = ? AND announced = 0",
                        r.provider(), r.kind()) == 1) {
                    out.add(r.message());
                }
            }
            return out;
        });
    }

    /** One run of the router: the plan it made, why, and what it did ({@code written}, {@code unchanged}, {@code refused: …}). */
    public record Decision(long id, Instant at, String config, String plan, String reasons, String outcome, String backup) {}

    public void addDecision(Instant at, String config, String plan, String reasons, String outcome, String backup) {
        jdbc.update("INSERT INTO route_decisions(decided_at, config, plan, reasons, outcome, backup) VALUES (?, ?, ?, ?, ?, ?)",
                at.toEpochMilli(), config, plan, reasons, outcome, backup);
    }

    /** The newest decision that wrote the given config file (and so left a backup to roll back to). */
    public Optional<Decision> lastWrite(String config) {
        List<Decision> d = jdbc.query("""
                SELECT id, decided_at, config, plan, reasons, outcome, backup FROM route_decisions
                WHERE config = ? AND outcome = 'written' AND backup IS NOT NULL ORDER BY id DESC LIMIT 1""",
                RunwayStore::decision, config);
        return d.isEmpty() ? Optional.empty() : Optional.of(d.get(0));
    }

    /**
     * The newest decision for the config file whose outcome starts with one of the prefixes and, when
     * {@code planMentions} is not null, whose plan text contains it.
     */
    public Optional<Decision> lastDecision(String config, List<String> outcomePrefixes, String planMentions) {
        if (outcomePrefixes.isEmpty()) {
            return Optional.empty();
        }
        String like = String.join(" OR ", java.util.Collections.nCopies(outcomePrefixes.size(), "outcome LIKE ?"));
        List<Object> args = new ArrayList<>();
        args.add(config);
        outcomePrefixes.forEach(p -> args.add(p.replace("%", "") + "%"));
        args.add(planMentions == null ? "%" : "%" + planMentions.replace("%", "") + "%");
        List<Decision> d = jdbc.query("SELECT id, decided_at, config, plan, reasons, outcome, backup FROM route_decisions WHERE config = ? AND ("
                + like + ") AND plan LIKE ? ORDER BY id DESC LIMIT 1", RunwayStore::decision, args.toArray());
        return d.isEmpty() ? Optional.empty() : Optional.of(d.get(0));
    }

    public List<Decision> recentDecisions(int n) {
        return jdbc.query("SELECT id, decided_at, config, plan, reasons, outcome, backup FROM route_decisions ORDER BY id DESC LIMIT ?",
                RunwayStore::decision, n);
    }

    public void markRolledBack(long id) {
        jdbc.update("UPDATE route_decisions SET outcome = 'rolled back' WHERE id = ?", id);
    }

    private static Decision decision(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Decision(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7));
    }

    /** A provider's last answer, as the runway monitor serialised it. */
    public record StoredReading(Instant at, String answer) {}

    public Optional<StoredReading> reading(String cacheKey) {
        List<StoredReading> r = jdbc.query("SELECT fetched_at, answer FROM runway_readings WHERE cache_key = ?",
                rs -> new StoredReading(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2)), cacheKey);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    /** Keeps the newer of the stored and the given answer (two processes may read at once). */
    public void putReading(String cacheKey, Instant at, String answer) {
        jdbc.update("""
                INSERT INTO runway_readings(cache_key, fetched_at, answer) VALUES (?, ?, ?)
                ON CONFLICT (cache_key) DO UPDATE SET fetched_at = excluded.fetched_at, answer = excluded.answer
                WHERE runway_readings.fetched_at <= excluded.fetched_at""", cacheKey, at.toEpochMilli(), answer);
    }

    /** An alert the webhook has not taken yet. */
    public record PendingAlert(long id, Instant createdAt, String body, int attempts, Instant nextAt, String lastError) {}

    public void enqueueAlert(Instant at, String body) {
        jdbc.update("INSERT INTO runway_alert_outbox(created_at, body, attempts, next_at) VALUES (?, ?, 0, ?)",
                at.toEpochMilli(), body, at.toEpochMilli());
    }

    /** Undelivered alerts whose next try is due at {@code now}, oldest first. */
    public List<PendingAlert> dueAlerts(Instant now) {
        return jdbc.query("""
                SELECT id, created_at, body, attempts, next_at, last_error FROM runway_alert_outbox
                WHERE delivered_at IS NULL AND next_at <= ? ORDER BY id""", RunwayStore::pending, now.toEpochMilli());
    }

    public List<PendingAlert> undeliveredAlerts() {
        return jdbc.query("""
                SELECT id, created_at, body, attempts, next_at, last_error FROM runway_alert_outbox
                WHERE delivered_at IS NULL ORDER BY id""", RunwayStore::pending);
    }

    /**
     * Takes a due alert for one sender: true for exactly one of several processes that read the same
     * row, because the update matches only while next_at is still the value they read. The claim
     * counts the try and holds the row until {@code leaseUntil}, after which a sender that died
     * mid-try leaves it to be tried again.
     */
    public boolean claimAlert(PendingAlert seen, Instant leaseUntil) {
        return jdbc.update("""
                UPDATE runway_alert_outbox SET next_at = ?, attempts = attempts + 1
                WHERE id = ? AND next_at = ? AND delivered_at IS NULL""",
                leaseUntil.toEpochMilli(), seen.id(), seen.nextAt().toEpochMilli()) == 1;
    }

    /** A claimed alert the webhook took (the try was counted by the claim). */
    public void alertDelivered(long id, Instant at) {
        jdbc.update("UPDATE runway_alert_outbox SET delivered_at = ? WHERE id = ?", at.toEpochMilli(), id);
    }

    /** A claimed alert the webhook did not take: tried again at {@code nextAt}. */
    public void alertFailed(long id, Instant nextAt, String error) {
        jdbc.update("UPDATE runway_alert_outbox SET next_at = ?, last_error = ? WHERE id = ?",
                nextAt.toEpochMilli(), error, id);
    }

    private static PendingAlert pending(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new PendingAlert(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getInt(4),
                Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6));
    }
}
