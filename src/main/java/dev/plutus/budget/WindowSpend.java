package dev.plutus.budget;

/**
 * Spend of one scope in the current period of one window. {@code estimatedMicros} is the part
 * that rests on estimated token counts; {@code unpricedCalls} counts calls with no known price;
 * {@code provisionalMicros} is the part those calls add at provisional prices.
 */
public record WindowSpend(long spentMicros, long estimatedMicros, long unpricedCalls, long provisionalMicros) {
    public static final WindowSpend ZERO = new WindowSpend(0, 0, 0, 0);

    public WindowSpend(long spentMicros, long estimatedMicros, long unpricedCalls) {
        this(spentMicros, estimatedMicros, unpricedCalls, 0);
    }
}
