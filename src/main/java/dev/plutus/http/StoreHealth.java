package dev.plutus.http;

import dev.plutus.store.StoreException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the store took the daemon's last write: a full disk, a read-only database or a lost
 * PostgreSQL server shows on {@code /healthz} (503 with the reason) from the first failed write until
 * a write succeeds again, so a supervisor sees a daemon that answers but cannot record.
 */
final class StoreHealth {
    private final AtomicReference<String> problem = new AtomicReference<>();

    void failed(Throwable e) {
        problem.set(reason(e));
    }

    void succeeded() {
        if (problem.get() != null) {
            problem.set(null);
        }
    }

    Optional<String> problem() {
        return Optional.ofNullable(problem.get());
    }

    /** The store failure somewhere in {@code e}'s causes, or null when it is not one. */
    static Throwable storeCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreException || t instanceof SQLException) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** The database's own words for the failure (SQLite's "[SQLITE_FULL] ..." says what is wrong), on one line. */
    static String reason(Throwable e) {
        Throwable deepest = e;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException) {
                deepest = t;
            }
        }
        String m = deepest.getMessage() == null ? deepest.getClass().getSimpleName() : deepest.getMessage();
        m = m.replaceAll("\\s+", " ").strip();
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }
}
