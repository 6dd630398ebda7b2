package dev.plutus.hermes;

import dev.plutus.core.CallEvent;
import dev.plutus.core.InputRanges;
import dev.plutus.core.Money;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.ToolCall;
import dev.plutus.engine.Engine;
import dev.plutus.store.PeerImportStore;
import dev.plutus.store.SessionDirectory;
import dev.plutus.store.SessionRecord;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports what hermes-telemetry recorded ({@code telemetry.db}, schema 16): sessions with their cron
 * job, sender and delegating session, model calls re-priced by Plutus's price table through the same
 * {@link dev.plutus.engine.CallRecorder} as every other call (so budgets, ledger and de-duplication
 * behave as for a hook), with the peer's own cost kept beside each, and tool calls.
 *
 * <p>Safe to run again: every row's event id is derived from the peer's row id and what the row says
 * (so a database the peer started afresh, whose ids begin at 1 again, is not mistaken for the old
 * one), and rows already stored are not recorded again. Values no call can have (a time before 2000 or
 * in the future, negative or astronomic token counts or costs) set the row aside, named in the
 * result, never counted. Rows older than the store's retention are left out: Plutus would purge them
 * and a later run would import them again.
 */
public final class TelemetryImport {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryImport.class);
    /** Every event id this import writes starts with this. */
    public static final String ID_PREFIX = "hermes-telemetry:";
    private static final String CALL_PREFIX = ID_PREFIX + "llm:";
    private static final String TOOL_PREFIX = ID_PREFIX + "tool:";
    private static final int BATCH = 2_000;
    private static final int MAX_PARENT_HOPS = 64;

    private TelemetryImport() {}

    /**
     * Where hermes-telemetry keeps telemetry.db and budget.yaml: {@code telemetry/} under
     * {@code $HERMES_TELEMETRY_HOME}, else {@code $HERMES_HOME}, else {@code ~/.hermes}.
     */
    public static Path defaultDirectory(Map<String, String> env) {
        for (String var : List.of("HERMES_TELEMETRY_HOME", "HERMES_HOME")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                return Path.of(v).resolve("telemetry");
            }
        }
        return dev.plutus.core.HomeLayout.userHome(System.getenv()).resolve(".hermes").resolve("telemetry");
    }

    /** A row left out because a value in it is outside {@link InputRanges} or unreadable. */
    public record SetAside(String table, String row, String problem) {
        @Override
        public String toString() {
            return table + " " + row + ": " + problem;
        }
    }

    /**
     * {@code callsInPlutusSessions}: rows of sessions Plutus recorded itself (its hooks, the state.db
     * backfill), whose spend it already counts. {@code byModel}: every call imported so far.
     */
    public record Result(Path database, int schemaVersion, int callsSeen, int callsImported, long importedMicros,
                         int callsAlreadyImported, int callsInPlutusSessions, int toolsImported, int toolsAlreadyImported,
                         int sessions, int newSessions, int olderThanRetention, int retentionDays, List<SetAside> setAside,
                         List<PeerImportStore.ModelCosts> byModel) {}

    private record Accepted(CallEvent event, Long peerMicros) {}

    /** Reads {@code database} and records what is new in {@code engine}'s store. */
    public static Result run(Engine engine, Path database) {
        List<TelemetryDb.Run> runs;
        Map<String, String> delegations;
        List<TelemetryDb.CallRow> callRows;
        List<TelemetryDb.ToolRow> toolRows;
        int version;
        try (TelemetryDb db = TelemetryDb.open(database)) {
            version = db.version();
            runs = db.runs();
            delegations = db.delegations();
            callRows = db.calls();
            toolRows = db.tools();
        }
        Instant now = engine.clock().instant();
        Instant retained = now.minus(Duration.ofDays(engine.config().retentionDays()));
        PeerImportStore store = new PeerImportStore(engine.jdbc());
        Set<String> plutusSessions = new HashSet<>(engine.calls().sessionsWithCallsNotFrom(ID_PREFIX));
        Set<String> storedCalls = store.callIds(CALL_PREFIX);
        List<SetAside> setAside = new ArrayList<>();
        int older = 0;
        int inPlutusSessions = 0;
        int alreadyCalls = 0;

        Map<String, TelemetryDb.Run> runById = new LinkedHashMap<>();
        for (TelemetryDb.Run r : runs) {
            if (r.sessionId() != null && !r.sessionId().isBlank()) {
                runById.put(r.sessionId(), r);
            }
        }
        List<Accepted> accepted = new ArrayList<>();
        Map<String, Instant> firstCall = new HashMap<>();
        for (TelemetryDb.CallRow row : callRows) {
            if (row.sessionId() != null && plutusSessions.contains(row.sessionId())) {
                inPlutusSessions++;
                continue;
            }
            try {
                Instant at = time(row.ts(), now);
                if (at.isBefore(retained)) {
                    older++;
                    continue;
                }
                String id = CALL_PREFIX + row.id() + "-" + fingerprint(row.sessionId(), row.ts());
                firstCall.merge(row.sessionId() == null ? "" : row.sessionId(), at, (a, b) -> a.isBefore(b) ? a : b);
                if (storedCalls.contains(id)) {
                    alreadyCalls++;
                    continue;
                }
                TokenUsage usage = new TokenUsage(count(row.tokensIn(), "tokens_in"), count(row.tokensOut(), "tokens_out"),
                        count(row.cacheRead(), "cache_read_tokens"), count(row.cacheWrite(), "cache_write_tokens"), 0,
                        count(row.reasoning(), "reasoning_tokens"));
                BigDecimal peerCost = cost(row.costUsd());
                TelemetryDb.Run run = runById.get(row.sessionId());
                String provider = blankToNull(row.provider()) != null ? row.provider().trim() : "unknown";
                accepted.add(new Accepted(new CallEvent(id, at, row.sessionId(), run == null ? null : run.platform(), provider,
                        row.model(), null, usage, truthy(row.estimated()), latency(row.latencyMs()), null),
                        peerCost == null ? null : Money.usdToMicros(peerCost.setScale(6, RoundingMode.HALF_UP))));
            } catch (Absurd e) {
                setAside.add(new SetAside("llm_calls", "id " + row.id(), e.getMessage()));
            }
        }

        SessionDirectory sessions = engine.sessions();
        int newSessions = 0;
        int sessionCount = 0;
        for (TelemetryDb.Run r : runById.values()) {
            if (plutusSessions.contains(r.sessionId())) {
                continue;
            }
            Instant started;
            try {
                started = time(r.startedAt(), now);
            } catch (Absurd e) {
                started = firstCall.get(r.sessionId());
                if (started == null) {
                    setAside.add(new SetAside("runs", "session " + r.sessionId(), "started_at " + e.getMessage()));
                    continue;
                }
                setAside.add(new SetAside("runs", "session " + r.sessionId(), "started_at " + e.getMessage()
                        + "; imported as starting at its first call, " + started));
            }
            String parent = blankToNull(r.parentSessionId()) != null ? r.parentSessionId() : delegations.get(r.sessionId());
            TelemetryDb.Run root = root(r, runById, delegations);
            // Delegated work counts toward the cron job and sender of the session that delegated it, as in Plutus.
            String cron = blankToNull(r.cronJobId()) != null ? r.cronJobId() : blankToNull(root.cronJobId());
            String sender = blankToNull(r.senderId()) != null ? r.senderId() : blankToNull(root.senderId());
            if (sessions.find(r.sessionId()).isEmpty()) {
                newSessions++;
            }
            sessionCount++;
            sessions.imported(new SessionRecord(r.sessionId(), blankToNull(r.platform()), blankToNull(r.model()),
                    blankToNull(r.provider()), cron, sender, blankToNull(parent),
                    root.sessionId().equals(r.sessionId()) ? null : root.sessionId(), started, null, "running"));
            endIfEnded(sessions, r, now, setAside);
        }

        int imported = 0;
        long micros = 0;
        Map<String, Long> peerCosts = new LinkedHashMap<>();
        for (int from = 0; from < accepted.size(); from += BATCH) {
            List<Accepted> batch = accepted.subList(from, Math.min(accepted.size(), from + BATCH));
            List<RecordedCall> recorded = engine.recorder().recordAll(batch.stream().map(Accepted::event).toList());
            for (int i = 0; i < recorded.size(); i++) {
                if (!recorded.get(i).duplicate()) {
                    imported++;
                    micros = Money.plus(micros, recorded.get(i).call().costMicros());
                } else {
                    alreadyCalls++;
                }
                if (batch.get(i).peerMicros() != null) {
                    peerCosts.put(batch.get(i).event().eventId(), batch.get(i).peerMicros());
                }
            }
            store.keepPeerCosts(peerCosts);
            peerCosts.clear();
        }

        Set<String> storedTools = store.toolIds(TOOL_PREFIX);
        int toolsImported = 0;
        int toolsAlready = 0;
        for (TelemetryDb.ToolRow t : toolRows) {
            if (t.sessionId() != null && plutusSessions.contains(t.sessionId())) {
                continue;
            }
            try {
                Instant at = time(t.ts(), now);
                if (at.isBefore(retained)) {
                    older++;
                    continue;
                }
                String id = TOOL_PREFIX + t.id() + "-" + fingerprint(t.sessionId(), t.ts());
                if (storedTools.contains(id)) {
                    toolsAlready++;
                    continue;
                }
                String name = blankToNull(t.toolName()) != null ? t.toolName() : "unknown";
                boolean ok = t.ok() == null || truthy(t.ok());
                if (engine.recorder().recordTool(new ToolCall(id, at, t.sessionId(), name, ok ? "ok" : "error", null,
                        latency(t.latencyMs())))) {
                    toolsImported++;
                } else {
                    toolsAlready++;
                }
            } catch (Absurd e) {
                setAside.add(new SetAside("tool_calls", "id " + t.id(), e.getMessage()));
            }
        }
        for (SetAside s : setAside) {
            LOG.warn("hermes-telemetry import, {} set aside: {}", database, s);
        }
        return new Result(database, version, callRows.size(), imported, micros, alreadyCalls, inPlutusSessions, toolsImported,
                toolsAlready, sessionCount, newSessions, older, engine.config().retentionDays(), List.copyOf(setAside),
                store.costsByModel(CALL_PREFIX));
    }

    /** The session at the top of {@code r}'s delegation chain (itself when it delegates from nobody). */
    private static TelemetryDb.Run root(TelemetryDb.Run r, Map<String, TelemetryDb.Run> runs, Map<String, String> delegations) {
        TelemetryDb.Run at = r;
        Set<String> seen = new HashSet<>();
        for (int hops = 0; hops < MAX_PARENT_HOPS && seen.add(at.sessionId()); hops++) {
            String parent = blankToNull(at.parentSessionId()) != null ? at.parentSessionId() : delegations.get(at.sessionId());
            TelemetryDb.Run up = parent == null ? null : runs.get(parent);
            if (up == null) {
                return at;
            }
            at = up;
        }
        return at;
    }

    private static void endIfEnded(SessionDirectory sessions, TelemetryDb.Run r, Instant now, List<SetAside> setAside) {
        String status = r.status() == null ? "" : r.status().trim();
        if (r.endedAt() == null || !(status.equals("ok") || status.equals("error") || status.equals("interrupted"))) {
            return;
        }
        try {
            sessions.end(r.sessionId(), status, time(r.endedAt(), now), "imported from hermes-telemetry");
        } catch (Absurd e) {
            setAside.add(new SetAside("runs", "session " + r.sessionId(), "ended_at " + e.getMessage() + "; left open"));
        }
    }

    /** A value that cannot be what the peer's column means. */
    private static final class Absurd extends Exception {
        Absurd(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * hermes-telemetry writes times as Python's {@code isoformat()} in UTC ({@code 2026-05-01T12:00:00.123456+00:00});
     * a time without an offset is read as UTC, a number as Unix seconds.
     */
    static Instant time(Object v, Instant now) throws Absurd {
        Instant t;
        if (v == null) {
            throw new Absurd("time is missing");
        } else if (v instanceof Number n) {
            t = InputRanges.fromEpochSeconds(n.doubleValue()).orElseThrow(() -> new Absurd("time " + n + " is no time"));
        } else {
            String s = v.toString().trim().replace(' ', 'T');
            try {
                t = OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    t = LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e2) {
                    throw new Absurd("time '" + v + "' is not an ISO-8601 time");
                }
            }
        }
        var problem = InputRanges.timeProblem(t, now);
        if (problem.isPresent()) {
            throw new Absurd("time " + problem.get());
        }
        return t;
    }

    /** A token count: a whole number from 0 to {@link InputRanges#MAX_TOKENS}; a missing one is 0. */
    static long count(Object v, String field) throws Absurd {
        if (v == null) {
            return 0;
        }
        long n;
        if (v instanceof Integer || v instanceof Long) {
            n = ((Number) v).longValue();
        } else if (v instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9e18) {
            n = d.longValue();
        } else if (v instanceof String s && s.trim().matches("-?[0-9]{1,18}")) {
            n = Long.parseLong(s.trim());
        } else {
            throw new Absurd(field + " is not a whole number: " + v);
        }
        if (n < 0) {
            throw new Absurd(field + " is negative: " + n);
        }
        if (n > InputRanges.MAX_TOKENS) {
            throw new Absurd(field + " of " + n + " is over " + InputRanges.MAX_TOKENS);
        }
        return n;
    }

    /** The peer's cost in USD: null when it recorded none; 0 to {@link InputRanges#MAX_COST_USD}. */
    static BigDecimal cost(Object v) throws Absurd {
        if (v == null) {
            return null;
        }
        BigDecimal d;
        try {
            if (v instanceof Double x) {
                if (!Double.isFinite(x)) {
                    throw new Absurd("cost_usd is not a number: " + x);
                }
                d = BigDecimal.valueOf(x);
            } else {
                d = new BigDecimal(v.toString().trim());
            }
        } catch (NumberFormatException e) {
            throw new Absurd("cost_usd is not a number: " + v);
        }
        if (d.signum() < 0) {
            throw new Absurd("cost_usd is negative: " + d.toPlainString());
        }
        if (d.compareTo(InputRanges.MAX_COST_USD) > 0) {
            throw new Absurd("cost_usd of $" + d.toPlainString() + " is over $" + InputRanges.MAX_COST_USD.toPlainString());
        }
        return d;
    }

    /** Milliseconds held to the duration range: a latency is not money, so an odd one is clamped, not a reason to drop the call. */
    private static long latency(Object v) {
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return InputRanges.clampDuration((long) Math.min(Long.MAX_VALUE / 2, Math.max(Long.MIN_VALUE / 2, n.doubleValue())));
        }
        return 0;
    }

    private static boolean truthy(Object v) {
        return v instanceof Number n ? n.doubleValue() != 0 : v != null && List.of("1", "true").contains(v.toString().trim());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** 12 hex digits of SHA-256 over the row's session and time: with the row id, the row's identity across runs. */
    private static String fingerprint(String sessionId, Object ts) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((sessionId + "\u0000" + ts).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The result as lines for a person: what was imported, what was set aside, and where the peer's costs differ. */
    public static List<String> describe(Result r) {
        List<String> out = new ArrayList<>();
        out.add("Read " + r.database() + " (hermes-telemetry schema " + r.schemaVersion() + ").");
        out.add("  model calls: " + r.callsImported() + " imported (" + Money.display(r.importedMicros()) + " at Plutus prices), "
                + r.callsAlreadyImported() + " already imported"
                + (r.callsInPlutusSessions() > 0 ? ", " + r.callsInPlutusSessions() + " in sessions Plutus recorded itself (not counted twice)" : ""));
        out.add("  tool calls: " + r.toolsImported() + " imported, " + r.toolsAlreadyImported() + " already imported");
        out.add("  sessions: " + r.sessions() + " (" + r.newSessions() + " new), with their cron job and sender ids");
        if (r.olderThanRetention() > 0) {
            out.add("  " + r.olderThanRetention() + " rows older than the " + r.retentionDays() + "-day retention left out");
        }
        if (!r.setAside().isEmpty()) {
            out.add("  set aside (not imported, not counted): " + r.setAside().size());
            r.setAside().stream().limit(20).forEach(s -> out.add("    " + s));
            if (r.setAside().size() > 20) {
                out.add("    … and " + (r.setAside().size() - 20) + " more in plutus.log");
            }
        }
        List<PeerImportStore.ModelCosts> differ = r.byModel().stream()
                .filter(m -> m.plutusMicros() != m.peerMicros() || m.withoutPeerCost() > 0).toList();
        if (r.byModel().isEmpty()) {
            return out;
        }
        if (differ.isEmpty()) {
            out.add("hermes-telemetry's costs equal Plutus's prices for every imported call.");
            return out;
        }
        out.add("Where hermes-telemetry's cost differs from Plutus's price (every call imported so far):");
        for (PeerImportStore.ModelCosts m : differ) {
            out.add("  " + m.provider() + " " + m.model() + ": " + m.calls() + " calls, hermes-telemetry said "
                    + Money.display(m.peerMicros()) + (m.withoutPeerCost() > 0 ? " (" + m.withoutPeerCost() + " without a cost)" : "")
                    + ", Plutus prices " + Money.display(m.plutusMicros())
                    + (m.provisional() > 0 ? " (" + m.provisional() + " at a provisional price: no known price)" : ""));
        }
        return out;
    }
}
