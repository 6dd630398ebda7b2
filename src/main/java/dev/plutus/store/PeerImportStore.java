package dev.plutus.store;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an import from another tool (hermes-telemetry) needs from the store: which of its rows are
 * already here, and the cost that tool recorded for each call ({@code llm_calls.peer_cost_micros}),
 * kept beside Plutus's own price. The peer cost is written after the call and only where still empty,
 * so an import interrupted between the two fills it in on its next run.
 */
public final class PeerImportStore {
    private final Jdbc jdbc;

    public PeerImportStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** One model's imported calls: Plutus's price for them beside what the peer said they cost. */
    public record ModelCosts(String provider, String model, long calls, long plutusMicros, long peerMicros,
                             long withoutPeerCost, long provisional) {}

    /** Event ids of model calls already stored that start with {@code prefix}. */
    public Set<String> callIds(String prefix) {
        jdbc.awaitPendingWrites();
        return new HashSet<>(jdbc.query("SELECT event_id FROM llm_calls WHERE event_id LIKE ? ESCAPE '!'",
                rs -> rs.getString(1), like(prefix)));
    }

    /** Event ids of tool calls already stored that start with {@code prefix}. */
    public Set<String> toolIds(String prefix) {
        jdbc.awaitPendingWrites();
        return new HashSet<>(jdbc.query("SELECT event_id FROM tool_calls WHERE event_id LIKE ? ESCAPE '!'",
                rs -> rs.getString(1), like(prefix)));
    }

    /** Sets each call's peer cost (by event id) where none is set yet; returns how many rows took one. */
    public int keepPeerCosts(Map<String, Long> microsByEventId) {
        jdbc.awaitPendingWrites();
        if (microsByEventId.isEmpty()) {
            return 0;
        }
        return jdbc.inTransaction(c -> {
            int n = 0;
            for (Map.Entry<String, Long> e : microsByEventId.entrySet()) {
                n += Jdbc.update(c, "UPDATE llm_calls SET peer_cost_micros = ? WHERE event_id = ? AND peer_cost_micros IS NULL",
                        e.getValue(), e.getKey());
            }
            return n;
        });
    }

    /** The peer cost stored for a call, or null when none is (or the call is not stored). */
    public Long peerCost(String eventId) {
        jdbc.awaitPendingWrites();
        List<Long> v = jdbc.query("SELECT peer_cost_micros FROM llm_calls WHERE event_id = ?", rs -> {
            long m = rs.getLong(1);
            return rs.wasNull() ? null : m;
        }, eventId);
        return v.isEmpty() ? null : v.get(0);
    }

    /** Every stored call whose event id starts with {@code prefix}, per provider and model, dearest first. */
    public List<ModelCosts> costsByModel(String prefix) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT provider, model, COUNT(*) AS calls, SUM(cost_micros) AS plutus, COALESCE(SUM(peer_cost_micros), 0) AS peer,
                       SUM(CASE WHEN peer_cost_micros IS NULL THEN 1 ELSE 0 END) AS unknown, SUM(provisional) AS provisional
                FROM llm_calls WHERE event_id LIKE ? ESCAPE '!'
                GROUP BY provider, model ORDER BY plutus DESC, provider, model""",
                rs -> new ModelCosts(rs.getString("provider"), rs.getString("model"), rs.getLong("calls"), rs.getLong("plutus"),
                        rs.getLong("peer"), rs.getLong("unknown"), rs.getLong("provisional")), like(prefix));
    }

    private static String like(String prefix) {
        return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }
}
