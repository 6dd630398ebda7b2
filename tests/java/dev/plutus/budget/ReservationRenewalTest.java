package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * Renewing a hold (Hermes's pre_api_request after the middleware's ask, or a retry): the call is already out, so the
 * renewal can neither drop its hold nor make it smaller or shorter. A global daily cap of $1.
 */
class ReservationRenewalTest {
    private static final Instant NOW = ReservationProperties.NOW;

    private final SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
    private final BudgetEvaluator ev = new BudgetEvaluator(ledger);
    private final BudgetConfig cfg = ReservationProperties.config(1_000_000);
    private final ReservationBook book = new ReservationBook();

    /** Holds {@code micros} for call {@code id} at {@code secondsIn} after NOW, to last until {@code untilSeconds} after NOW. */
    private ReservationBook.Outcome reserve(String id, long micros, long secondsIn, long untilSeconds) {
        Instant at = NOW.plusSeconds(secondsIn);
        return book.reserve(id, ReservationProperties.GLOBAL, micros, at, NOW.plusSeconds(untilSeconds),
                held -> ev.check(cfg, ReservationProperties.GLOBAL, at, held), ReservationBook.Elsewhere.NONE);
    }

    @Test
    void aRefusedRenewalKeepsTheHoldTheCallWentOutOn() {
        assertInstanceOf(ReservationBook.Outcome.Admitted.class, reserve("api:a", 300_000, 0, 600));
        assertInstanceOf(ReservationBook.Outcome.Admitted.class, reserve("api:c", 300_000, 0, 600));
        // Spend arrives: with call c still held the cap is reached without counting call a.
        ledger.add(ReservationProperties.GLOBAL, NOW.toEpochMilli(), 700_000, false, true);

        assertInstanceOf(ReservationBook.Outcome.Refused.class, reserve("api:a", 300_000, 0, 600));

        assertEquals(600_000, book.heldMicros(ScopeRef.GLOBAL), "call a already went out: its money stays held");
        // Call c fails and gives its hold back: a new call must still not pass the cap on the money call a will spend.
        book.release("api:c");
        assertInstanceOf(ReservationBook.Outcome.Refused.class, reserve("api:b", 50_000, 0, 600));
        assertEquals(300_000, book.heldMicros(ScopeRef.GLOBAL));
        book.release("api:a");
        assertEquals(0, book.heldMicros(ScopeRef.GLOBAL));
    }

    /** A renewal sized smaller (its sizes missing, negative, or another middleware's cut) cannot free money while the call is out. */
    @Test
    void aRenewalNeverHoldsLessNorEndsSoonerThanTheHoldItRenews() {
        reserve("api:a", 1_000_000, 0, 600);

        ReservationBook.Outcome renewal = reserve("api:a", 0, 60, 60);

        assertEquals(1_000_000, ((ReservationBook.Outcome.Admitted) renewal).micros());
        assertEquals(1_000_000, book.heldMicros(ScopeRef.GLOBAL));
        assertInstanceOf(ReservationBook.Outcome.Refused.class, reserve("api:b", 50_000, 60, 660), "the first call's money is still held");
        // The renewal came a minute later with a shorter life: the hold still lasts its first ten minutes.
        assertInstanceOf(ReservationBook.Outcome.Refused.class, reserve("api:c", 0, 599, 1200));
        assertEquals(1_000_000, book.heldMicros(ScopeRef.GLOBAL));
        // A larger renewal raises it.
        reserve("api:a", 1_050_000, 599, 1200);
        assertEquals(1_050_000, book.heldMicros(ScopeRef.GLOBAL));
    }
}
