package dev.plutus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MoneyDisplayTest {
    @Test
    void amountsFromADollarUpAreCents() {
        assertEquals("$1.00", Money.display(1_000_000));
        assertEquals("$12.35", Money.display(12_345_678));
        assertEquals("$0.00", Money.display(0));
    }

    @Test
    void smallAmountsKeepTwoSignificantDigits() {
        assertEquals("$0.0024", Money.display(2_400));
        assertEquals("$0.0022", Money.display(2_240));
        assertEquals("$0.12", Money.display(123_456));
        assertEquals("$0.000001", Money.display(1));
        assertEquals("-$0.0024", Money.display(-2_400));
    }

    @Test
    void spendBesideALimitHasTheLimitsPrecision() {
        // The message that read "spend is $0.00 of $0.002 (112%)".
        assertEquals("$0.0022", Money.display(2_240, 2_000));
        assertEquals("$5.000", Money.display(5_000_000, 5_125_000));
        assertEquals("$3.10", Money.display(3_100_000, 5_000_000));
    }

    @Test
    void extremesDoNotOverflow() {
        assertEquals("$9223372036854.78", Money.display(Long.MAX_VALUE));
        assertEquals("-$9223372036854.78", Money.display(Long.MIN_VALUE));
    }
}
