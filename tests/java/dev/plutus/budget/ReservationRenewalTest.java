package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Instant;
import java.time.ZoneId;
import java.time.DayOfWeek;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call let out on a hold keeps it when its renewal (Hermes's pre_api_request after the middleware's ask) is refused. */
class ReservationRenewalTest {
    private static final Instant NOW = ReservationProperties.NOW;
    private static final List<ScopeRef> GLOBAL = ReservationProperties.GLOBAL;

    @Test
    void aRefusedRenewalKeepsTheHoldTheCallWentOutOn() {
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        BudgetConfig cfg = ReservationProperties.config(1_000_000);
        ReservationBook book = new ReservationBook();
        ReservationBook.Judge judge = held -> ev.check(cfg, GLOBAL, NOW, held);

        assertInstanceOf(ReservationBook.Outcome.Admitted.class,
                book.reserve("api:a", GLOBAL, 300_000, NOW, NOW.plusSeconds(600), judge, ReservationBook.Elsewhere.NONE));
        assertInstanceOf(ReservationBook.Outcome.Admitted.class,
                book.reserve("api:c", GLOBAL, 300_000, NOW, NOW.plusSeconds(600), judge, ReservationBook.Elsewhere.NONE));
        // Spend arrives: with call c still held the cap is reached without counting call a.
        ledger.add(GLOBAL, NOW.toEpochMilli(), 700_000, false, true);

        ReservationBook.Outcome renewal = book.reserve("api:a", GLOBAL, 300_000, NOW, NOW.plusSeconds(600), judge,
                ReservationBook.Elsewhere.NONE);

        assertInstanceOf(ReservationBook.Outcome.Refused.class, renewal);
        assertEquals(600_000, book.heldMicros(ScopeRef.GLOBAL), "call a already went out: its money stays held");
        // Call c fails and gives its hold back: a new call must still not pass the cap on the money call a will spend.
        book.release("api:c");
        assertInstanceOf(ReservationBook.Outcome.Refused.class,
                book.reserve("api:b", GLOBAL, 50_000, NOW, NOW.plusSeconds(600), judge, ReservationBook.Elsewhere.NONE));
        assertEquals(300_000, book.heldMicros(ScopeRef.GLOBAL));
        book.release("api:a");
        assertEquals(0, book.heldMicros(ScopeRef.GLOBAL));
    }

    /** A renewal sized smaller (its sizes missing, negative, or another middleware's cut) cannot free money while the call is out. */
    @Test
    void aRenewalNeverHoldsLessNorEndsSoonerThanTheHoldItRenews() {
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("UTC"), DayOfWeek.MONDAY));
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        BudgetConfig cfg = ReservationProperties.config(1_000_000);
        ReservationBook book = new ReservationBook();
        ReservationBook.Judge judge = held -> ev.check(cfg, GLOBAL, NOW, held);
        book.reserve("api:a", GLOBAL, 1_000_000, NOW, NOW.plusSeconds(600), judge, ReservationBook.Elsewhere.NONE);

        ReservationBook.Outcome renewal = book.reserve("api:a", GLOBAL, 0, NOW.plusSeconds(60), NOW.plusSeconds(60), judge,
                ReservationBook.Elsewhere.NONE);

        assertEquals(1_000_000, ((ReservationBook.Outcome.Admitted) renewal).micros());
        assertEquals(1_000_000, book.heldMicros(ScopeRef.GLOBAL));
        assertInstanceOf(ReservationBook.Outcome.Refused.class,
                book.reserve("api:b", GLOBAL, 50_000, NOW.plusSeconds(60), NOW.plusSeconds(660), judge, ReservationBook.Elsewhere.NONE),
                "the first call's money is still held");
        // The renewal came a minute later with a shorter life: the hold still lasts its first ten minutes.
        assertInstanceOf(ReservationBook.Outcome.Refused.class,
                book.reserve("api:c", GLOBAL, 0, NOW.plusSeconds(599), NOW.plusSeconds(1200), judge, ReservationBook.Elsewhere.NONE));
        assertEquals(1_000_000, book.heldMicros(ScopeRef.GLOBAL));
        // A larger renewal raises it.
        book.reserve("api:a", GLOBAL, 1_050_000, NOW.plusSeconds(599), NOW.plusSeconds(1200), judge, ReservationBook.Elsewhere.NONE);
        assertEquals(1_050_000, book.heldMicros(ScopeRef.GLOBAL));
    }
}
