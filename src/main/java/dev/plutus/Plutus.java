package dev.plutus;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.ReservationBook;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.ToolCall;
import dev.plutus.engine.Engine;
import java.time.Clock;
import java.util.List;

/**
 * Plutus inside a JVM application: record every model call, hold its expected cost before it
 * goes out, and ask whether a session may go on. Open one per {@link PlutusHome} and process; it is
 * thread-safe. The daemon, the CLI and the Hermes bridge share the same home and the same data.
 */
public final class Plutus implements AutoCloseable {
    private final Engine engine;

    private Plutus(Engine engine) {
        this.engine = engine;
    }

    /** Opens the database (creating and migrating it if needed), loads prices and budgets, and starts upkeep. */
    public static Plutus open(PlutusConfig config) {
        Engine engine = Engine.open(config.engine());
        return new Plutus(config.upkeep() ? engine.startUpkeep() : engine);
    }

    /** Prices and stores one call and counts it toward every budget it falls under; returns once it is committed. */
    public RecordedCall record(CallEvent call) {
        return engine.recorder().record(call);
    }

    /** Records the calls in as few transactions as possible; results in the same order. */
    public List<RecordedCall> recordAll(List<CallEvent> calls) {
        return engine.recorder().recordAll(calls);
    }

    /** Stores a tool run; false when the same tool call id was stored already. */
    public boolean recordTool(ToolCall tool) {
        return engine.recorder().recordTool(tool);
    }

    /**
     * Before a model call: holds its expected cost against every scope it falls under and answers
     * the verdict with everything held counted; refused (nothing held) when that is hard, or unknown
     * ({@code Verdict.Unknown}: budget.yaml is refused and no good budget was ever in force). Recording
     * the call under {@code intent.id()} ends the hold; {@link #release} ends it for a call that failed.
     */
    public ReservationBook.Outcome reserve(CallIntent intent) {
        return engine.reservations().reserve(intent);
    }

    /** Ends the hold of a call that failed or was abandoned; false when nothing was held under that id. */
    public boolean release(String intentId) {
        return engine.reservations().release(intentId);
    }

    /**
     * Names who a session works for: {@code platform} (the agent or app making its calls) and
     * {@code senderId} (the user it answers), so its holds and calls count toward that sender's
     * budget ({@code per_sender}) from now on. Either may be null to leave it as it is; repeating the
     * same facts costs a cache look-up.
     */
    public void identifySession(String sessionId, String platform, String senderId) {
        if (sessionId == null || sessionId.isBlank()) {
            throw new IllegalArgumentException("a session id is required to name its platform or sender");
        }
        engine.sessions().observe(sessionId, platform, null, null, engine.clock().instant());
        if (senderId != null && !senderId.isBlank()) {
            engine.sessions().setSender(sessionId, senderId);
        }
    }

    /** The clock this Plutus dates calls and budget periods by ({@link PlutusConfig.Builder#clock}). */
    public Clock clock() {
        return engine.clock();
    }

    /** Every limited scope the session spends into, and the verdict ({@code Verdict.Unknown}, never ok, when none can be computed). */
    public BudgetCheck checkSession(String sessionId) {
        return engine.gate().checkSession(sessionId);
    }

    @Override
    public void close() {
        engine.close();
    }
}
