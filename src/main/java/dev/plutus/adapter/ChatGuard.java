package dev.plutus.adapter;

import dev.plutus.Plutus;
import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.Verdict;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every framework adapter does around one model call, on the embedding API alone: hold the
 * call's expected cost against every budget scope before it goes out (refusing it with
 * {@link BudgetExceededException} when a hard budget is full), then record its real usage, or give
 * the hold back when it fails or is cancelled. Thread-safe; one per {@link Plutus}.
 */
public final class ChatGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ChatGuard.class);

    /** The platform calls are stored under when no agent id is given. */
    public static final String DEFAULT_PLATFORM = "jvm";

    private final Plutus plutus;
    private final CallContext context = new CallContext();
    private final SoftVerdictListener onSoft;
    private final List<CallObserver> observers;

    private ChatGuard(Builder b) {
        this.plutus = b.plutus;
        this.onSoft = b.onSoft;
        this.observers = List.copyOf(b.observers);
    }

    public static Builder builder(Plutus plutus) {
        return new Builder(Objects.requireNonNull(plutus, "plutus"));
    }

    /** The ids of the calls the current thread makes, when the request itself names none. */
    public CallContext context() {
        return context;
    }

    /** One model call about to go out: who for, to which provider and model, the prompt's estimated tokens and the output cap. */
    public record CallRequest(CallIds ids, String provider, String model, long promptTokens, Integer maxOutputTokens) {
        public CallRequest {
            Objects.requireNonNull(ids, "ids");
            if (provider == null || provider.isBlank()) {
                throw new IllegalArgumentException("the provider of a guarded call is required (e.g. openai)");
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("the model of a guarded call is required: set it on the request or the model's defaults");
            }
        }
    }

    /**
     * Holds the call's expected cost against every scope it falls under; the answer is the call's
     * {@link Admission}, to be ended by {@link Admission#record} or {@link Admission#release}.
     *
     * @throws BudgetExceededException when a hard budget is full or no verdict can be computed: the call must not be sent
     */
    public Admission admit(CallRequest request) {
        CallIds ids = request.ids();
        String session = ids.effectiveSessionId();
        if (session != null && (ids.userId() != null || ids.agentId() != null)) {
            plutus.identifySession(session, ids.agentId(), ids.userId());
        }
        String platform = ids.agentId() != null ? ids.agentId() : DEFAULT_PLATFORM;
        String intentId = "jvm:" + UUID.randomUUID();
        Instant startedAt = plutus.clock().instant();
        Long maxOut = request.maxOutputTokens() == null ? null : request.maxOutputTokens().longValue();
        // The request's own output cap is what it may cost: hold all of it (the default expectation when none is set).
        ReservationBook.Outcome outcome = plutus.reserve(new CallIntent(intentId, session, platform, request.provider(),
                request.model(), request.promptTokens(), maxOut), maxOut);
        if (outcome instanceof ReservationBook.Outcome.Refused refused) {
            CallOutcome.Attempt attempt = new CallOutcome.Attempt(intentId, ids, request.provider(), request.model(), startedAt, 0);
            tell(new CallOutcome.Refused(attempt, refused.check()));
            throw new BudgetExceededException(refused.check(), refused.centralMessage());
        }
        ReservationBook.Outcome.Admitted admitted = (ReservationBook.Outcome.Admitted) outcome;
        CallOutcome.Attempt attempt = new CallOutcome.Attempt(intentId, ids, request.provider(), request.model(), startedAt,
                admitted.micros());
        Admission admission = new Admission(attempt, session, platform, request.promptTokens(), admitted.check(), System.nanoTime());
        if (admitted.check().verdict() instanceof Verdict.Soft soft) {
            try {
                onSoft.onSoft(ids, soft, admitted.check());
            } catch (RuntimeException e) {
                LOG.warn("the soft-verdict listener failed; the call goes on", e);
            }
        }
        return admission;
    }

    /** A call let through: ends exactly once, by its record or its release (later calls of either do nothing). */
    public final class Admission {
        private final CallOutcome.Attempt attempt;
        private final String sessionId;
        private final String platform;
        private final long promptTokens;
        private final BudgetCheck check;
        private final long startNanos;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Admission(CallOutcome.Attempt attempt, String sessionId, String platform, long promptTokens, BudgetCheck check,
                long startNanos) {
            this.attempt = attempt;
            this.sessionId = sessionId;
            this.platform = platform;
            this.promptTokens = promptTokens;
            this.check = check;
            this.startNanos = startNanos;
        }

        public CallOutcome.Attempt attempt() {
            return attempt;
        }

        /** The verdict the call was let through on (ok or soft). */
        public BudgetCheck check() {
            return check;
        }

        /**
         * Records the call with the usage the provider reported, which ends its hold; null when it
         * had already ended, or when the store refused it (logged: the hold then lapses with its time).
         */
        public LlmCall record(TokenUsage usage, String responseModel) {
            return store(usage, responseModel, false);
        }

        /** Records a call whose provider reported no usage: the prompt as estimated, {@code outputTokens} as counted from the reply; flagged estimated. */
        public LlmCall recordEstimated(long outputTokens, String responseModel) {
            return store(TokenUsage.of(promptTokens, Math.max(0, outputTokens)), responseModel, true);
        }

        /** Gives the hold back: the call failed or was cancelled before it could be recorded. */
        public void release(String reason) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                plutus.release(attempt.intentId());
            } catch (RuntimeException e) {
                LOG.warn("could not release the hold of {}; it lapses with its time", attempt.intentId(), e);
            }
            tell(new CallOutcome.Released(attempt, check, reason));
        }

        private LlmCall store(TokenUsage usage, String responseModel, boolean estimated) {
            if (!ended.compareAndSet(false, true)) {
                return null;
            }
            long latencyMillis = (System.nanoTime() - startNanos) / 1_000_000;
            LlmCall call;
            try {
                call = plutus.record(new CallEvent(attempt.intentId(), attempt.startedAt(), sessionId, platform, attempt.provider(),
                        attempt.model(), responseModel, usage, estimated, latencyMillis, null)).call();
            } catch (RuntimeException e) {
                LOG.error("could not record the model call {} ({} {}, usage {}); its hold lapses with its time", attempt.intentId(),
                        attempt.provider(), attempt.model(), usage, e);
                return null;
            }
            tell(new CallOutcome.Recorded(attempt, check, call));
            return call;
        }
    }

    private void tell(CallOutcome outcome) {
        for (CallObserver o : observers) {
            try {
                o.observe(outcome);
            } catch (RuntimeException e) {
                LOG.warn("a call observer failed", e);
            }
        }
    }

    public static final class Builder {
        private final Plutus plutus;
        private SoftVerdictListener onSoft = SoftVerdictListener.NONE;
        private final List<CallObserver> observers = new ArrayList<>();

        private Builder(Plutus plutus) {
            this.plutus = plutus;
        }

        /** Where soft verdicts go (default: nowhere; {@code /budget} and the dashboard still show them). */
        public Builder onSoftVerdict(SoftVerdictListener listener) {
            this.onSoft = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Adds an observer of every call's outcome (OpenTelemetry export, tests, logs). */
        public Builder observer(CallObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        public ChatGuard build() {
            return new ChatGuard(this);
        }
    }
}
