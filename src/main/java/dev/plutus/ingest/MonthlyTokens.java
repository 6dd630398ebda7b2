package dev.plutus.ingest;

import dev.plutus.core.Money;
import dev.plutus.store.IngestStore;
import java.time.Instant;
import java.time.YearMonth;

/**
 * The month's tracked tokens, kept in memory so metering a request costs no query: loaded from
 * the store for the month when first asked (and again when the month turns). The total counts
 * committed events only. A request being written holds its tokens on top of it, so two concurrent
 * requests cannot both slip under the cap, and gives them back whether its write commits or fails;
 * only a commit adds to the total.
 *
 * <p>A write that fails may still have committed some of its events (a failed batch is retried row
 * by row), so after one the total is read from the store again, as soon as no write is open: while
 * one is, a commit landing between that read and the commit's own addition would count twice.
 */
final class MonthlyTokens {
    private final IngestStore store;
    private YearMonth month;
    private long committed;
    /** Tokens of the open holds, whatever month they began in: they weigh on cap decisions until closed. */
    private long held;
    private int openHolds;
    private boolean stale;

    MonthlyTokens(IngestStore store) {
        this.store = store;
    }

    /** Opens a hold for one request's events; close it (try-with-resources) whether or not the write commits. */
    synchronized Hold hold(YearMonth current, Instant monthStart) {
        roll(current, monthStart);
        openHolds++;
        return new Hold(current);
    }

    /** The month's tracked tokens of committed events. */
    synchronized long committed(YearMonth current, Instant monthStart) {
        roll(current, monthStart);
        return committed;
    }

    private void roll(YearMonth current, Instant monthStart) {
        // A hold opened last month stays open across the turn, but what it commits is dated last month.
        if (!current.equals(month) || stale && openHolds == 0) {
            committed = store.trackedTokensSince(monthStart);
            month = current;
            stale = false;
        }
    }

    /** One request's tokens while its events are written. */
    final class Hold implements AutoCloseable {
        private final YearMonth of;
        private long mine;
        private boolean committedAll;
        private boolean closed;

        private Hold(YearMonth of) {
            this.of = of;
        }

        /** Holds {@code tokens} more (fewer when negative); returns the month's committed and held tokens, these included. */
        long add(long tokens) {
            synchronized (MonthlyTokens.this) {
                mine += tokens;
                held += tokens;
                return Money.plus(committed, held);
            }
        }

        /** The month's committed and held tokens, for an event that adds none. */
        long total() {
            synchronized (MonthlyTokens.this) {
                return Money.plus(committed, held);
            }
        }

        /** The write committed: {@code tokens} (its new events dated this month, duplicates left out) join the total. */
        void commit(long tokens) {
            synchronized (MonthlyTokens.this) {
                if (of.equals(month)) {
                    committed = Money.plus(committed, tokens);
                }
                committedAll = true;
            }
        }

        @Override
        public void close() {
            synchronized (MonthlyTokens.this) {
                if (closed) {
                    return;
                }
                closed = true;
                held -= mine;
                openHolds--;
                if (!committedAll) {
                    stale = true;
                }
            }
        }
    }
}
