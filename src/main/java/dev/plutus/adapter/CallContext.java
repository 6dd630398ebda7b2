package dev.plutus.adapter;

import java.util.Objects;

/**
 * The ids of the calls a thread makes, set around a piece of work:
 * {@code try (var scope = guard.context().open(new CallIds("s-42", "alice", "support-bot"))) { model.chat(...); }}.
 * Scopes nest; closing one restores the ids before it. Ids given with the request itself (LangChain4j
 * listener attributes, Spring AI advisor parameters) win over these.
 */
public final class CallContext {
    private final ThreadLocal<CallIds> current = ThreadLocal.withInitial(() -> CallIds.NONE);

    /** An open scope; {@link #close} puts back the ids that were current when it was opened. */
    public final class Scope implements AutoCloseable {
        private final CallIds previous;
        private boolean closed;

        private Scope(CallIds previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                current.set(previous);
            }
        }
    }

    /** Makes {@code ids} current on this thread (a missing id is inherited from the enclosing scope). */
    public Scope open(CallIds ids) {
        CallIds previous = current.get();
        current.set(Objects.requireNonNull(ids, "ids").orElse(previous));
        return new Scope(previous);
    }

    public CallIds current() {
        return current.get();
    }
}
