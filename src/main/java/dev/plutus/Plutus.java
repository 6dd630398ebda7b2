package dev.plutus;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.Level;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Verdict;
import dev.plutus.budget.Window;
import dev.plutus.budget.WindowSpend;
import dev.plutus.budget.ReservationBook;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.ToolCall;
import dev.plutus.engine.Enforcer;
import dev.plutus.engine.Engine;
import dev.plutus.engine.VerdictUnknown;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

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
        return reserve(intent, null);
    }

    /**
     * As {@link #reserve(CallIntent)}, holding {@code expectedOutputTokens} of output (when not null)
     * instead of {@code reservations.expected_output_tokens}: a caller that knows the request's output
     * cap holds that, so concurrent calls that use it all cannot together pass a hard cap.
     */
    public ReservationBook.Outcome reserve(CallIntent intent, Long expectedOutputTokens) {
        if (expectedOutputTokens != null && expectedOutputTokens < 0) {
            throw new IllegalArgumentException("expected output tokens must not be negative, got " + expectedOutputTokens);
        }
        if (engine.remote().isPresent()) {
            Optional<ReservationBook.Outcome.Refused> central = centralRefusal(intent);
            if (central.isPresent()) {
                return central.get();
            }
        }
        return engine.reservations().reserve(intent, expectedOutputTokens);
    }

    /**
     * Remote mode: the central Plutus decides, as it does for the Hermes hooks. Its hard verdict refuses
     * the call; no fresh verdict (central unreachable, verdict too old) refuses it as unknown, never ok.
     */
    private Optional<ReservationBook.Outcome.Refused> centralRefusal(CallIntent intent) {
        Optional<Enforcer.Block> block;
        try {
            block = engine.enforcer().admit(intent);
        } catch (VerdictUnknown e) {
            return Optional.of(new ReservationBook.Outcome.Refused(new BudgetCheck(List.of(), new Verdict.Unknown(e.getMessage()))));
        } catch (RuntimeException e) {
            return Optional.of(new ReservationBook.Outcome.Refused(new BudgetCheck(List.of(),
                    new Verdict.Unknown(VerdictUnknown.reasonOf(e)))));
        }
        return block.map(b -> new ReservationBook.Outcome.Refused(new BudgetCheck(List.of(), new Verdict.Hard(centralScope())),
                b.message()));
    }

    /** The central instance names no scope to this host: its refusal is shown as the global scope's, at its limit. */
    private static ScopeStatus centralScope() {
        return new ScopeStatus(ScopeRef.GLOBAL, Window.DAILY, WindowSpend.ZERO, 0, Level.HARD, false, false, "central", null, 0);
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
