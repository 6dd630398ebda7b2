package dev.plutus.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.core.Json;
import dev.plutus.hermes.HookDispatcher;
import dev.plutus.hermes.HookReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One hook request from the bridge, whichever way it came ({@code POST /hooks/{event}} or the hook
 * channel): the body parsed, every event its process journaled before it counted, the event
 * dispatched and counted. A refusal is an {@link HttpError} with the status HTTP answers; the hook
 * channel passes the same status on, so both ways refuse alike (503 = no verdict was computed).
 */
final class HookRequests {
    private static final ObjectMapper JSON = Json.MAPPER;

    private final HookDispatcher hooks;
    private final JournalTailer journal;
    private final DaemonStatus status;
    private final StoreHealth storeHealth;

    /** Carries the snapshot generation of an HTTP hook answer; the hook channel puts it after the answer (protocol 2). */
    static final String GENERATION_HEADER = "X-Plutus-Generation";

    private final VerdictSnapshots snapshots;

    HookRequests(HookDispatcher hooks, JournalTailer journal, DaemonStatus status, StoreHealth storeHealth) {
        this(hooks, journal, status, storeHealth, null);
    }

    /** @param snapshots the verdict snapshot kept current by these hooks; null when none is published (remote mode) */
    HookRequests(HookDispatcher hooks, JournalTailer journal, DaemonStatus status, StoreHealth storeHealth,
            VerdictSnapshots snapshots) {
        this.hooks = hooks;
        this.journal = journal;
        this.status = status;
        this.storeHealth = storeHealth;
        this.snapshots = snapshots;
    }

    /**
     * The verdict snapshot's generation, read after a hook is answered: a snapshot at least this new
     * reflects that hook. 0 when no snapshot is published (the bridge then never answers from one).
     */
    long generation() {
        return snapshots == null ? 0 : snapshots.generation();
    }

    /** The hook's answer as JSON bytes; throws {@link HttpError} when the daemon refuses it. */
    byte[] answer(String event, byte[] body) {
        long start = System.nanoTime();
        JsonNode kwargs;
        try {
            kwargs = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            // Hermes must carry on: answer "no directive", and say why for the bridge's log.
            status.malformed();
            throw new HttpError(400, "body is not JSON: " + HttpApi.jsonProblem(e), Map.of("X-Plutus-Error", "body is not JSON"));
        }
        caughtUp(event, kwargs, start);
        // A verdict means the bridge is busy: journaled events are likely to follow, so the tailer stops idling.
        journal.wake();
        if (snapshots != null && HookDispatcher.asksForVerdict(event)) {
            JsonNode session = kwargs.get("session_id");
            snapshots.touched(session == null || !session.isTextual() ? null : session.asText());
        }
        HookReply reply;
        try {
            reply = hooks.dispatch(event, kwargs);
        } catch (dev.plutus.store.StoreException e) {
            // 503, not 200: the bridge keeps the event in its spool and applies fail_mode until the store is back.
            storeHealth.failed(e);
            throw new HttpError(503, "store unavailable: " + StoreHealth.reason(e),
                    Map.of("X-Plutus-Error", "store unavailable", "Retry-After", "5"));
        } catch (dev.plutus.engine.VerdictUnknown e) {
            // 503 too: the bridge treats it as an unreachable daemon, so fail_mode decides (closed blocks the tool).
            throw new HttpError(503, e.getMessage(), Map.of("X-Plutus-Error", "verdict unknown"));
        } finally {
            // pre_tool_call changes no verdict (it reads one); every other hook may have, even one that failed midway.
            if (snapshots != null && !"pre_tool_call".equals(event)) {
                snapshots.changed();
            }
        }
        storeHealth.succeeded();
        // The wire record straight to bytes: no tree in between on the hook path.
        byte[] answer;
        try {
            answer = JSON.writeValueAsBytes(reply.answer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Counted before the answer goes out, so whoever reads /metrics or /status after the reply sees it.
        status.hookHandled(event, System.nanoTime() - start);
        return answer;
    }

    /** Wakes the journal tailer: the bridge has just journaled something. */
    void nudged() {
        journal.wake();
    }

    /**
     * A hook that names its process's journal and offset is answered only after every event that
     * process journaled before it is counted; when that cannot be done now, its verdict is unknown
     * (503, so the bridge's fail_mode decides), never "ok" on a count that misses them.
     */
    private void caughtUp(String event, JsonNode kwargs, long start) {
        JsonNode name = kwargs.get("_plutus_journal");
        if (name == null || name.isNull()) {
            return;
        }
        JsonNode offset = kwargs.get("_plutus_journal_offset");
        JsonNode timeout = kwargs.get("_plutus_timeout_ms");
        long deadline = start + JournalTailer.catchUpNanos(timeout != null && timeout.canConvertToLong() ? timeout.asLong() : -1);
        if (!name.isTextual() || offset == null || !offset.canConvertToLong()
                || !journal.catchUp(name.asText(), offset.asLong(), deadline)) {
            throw new HttpError(503, "verdict unknown: the events journaled before this " + event + " could not all be counted ("
                    + name + " to byte " + offset + ")", Map.of("X-Plutus-Error", "verdict unknown"));
        }
    }
}
