package dev.plutus.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Bloom filter of the event ids a store holds, so most new calls skip the "is this event stored?"
 * lookup. Its one exact answer is "absent": an id never added is reported absent or "maybe", an id
 * added is always "maybe", and a "maybe" must be looked up. Safe for adds and reads from any thread
 * without a lock. When the ids added pass what the newest layer was sized for, a layer twice as large
 * is added (earlier layers keep answering), so the false-positive rate stays near 1 % however many
 * calls a home holds.
 */
public final class EventIdFilter {
    /** Probes per id: with 10 bits per id, about 1 % false positives. */
    private static final int PROBES = 7;
    private static final int BITS_PER_ID = 10;

    private record Layer(AtomicLongArray words, long bits, long capacity, AtomicLong added) {
        static Layer sizedFor(long ids) {
            long bits = Math.max(1L << 16, ids * BITS_PER_ID);
            int words = (int) Math.min(Integer.MAX_VALUE - 8, (bits + 63) / 64);
            return new Layer(new AtomicLongArray(words), words * 64L, ids, new AtomicLong());
        }

        void add(long h1, long h2) {
            for (int i = 0; i < PROBES; i++) {
                long bit = Math.floorMod(h1 + i * h2, bits);
                int word = (int) (bit >>> 6);
                long mask = 1L << bit;
                long old = words.get(word);
                while ((old & mask) == 0 && !words.compareAndSet(word, old, old | mask)) {
                    old = words.get(word);
                }
            }
        }

        boolean mightContain(long h1, long h2) {
            for (int i = 0; i < PROBES; i++) {
                long bit = Math.floorMod(h1 + i * h2, bits);
                if ((words.get((int) (bit >>> 6)) & (1L << bit)) == 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private volatile Layer[] layers;

    /** A filter sized for about {@code expectedIds} ids before it grows. */
    public EventIdFilter(long expectedIds) {
        this.layers = new Layer[] {Layer.sizedFor(Math.max(1_024, expectedIds))};
    }

    public void add(String eventId) {
        long h = hash(eventId);
        Layer[] ls = layers;
        Layer newest = ls[ls.length - 1];
        newest.add(h, (h >>> 32) | 1);
        if (newest.added().incrementAndGet() > newest.capacity()) {
            grow(newest);
        }
    }

    /** False only when {@code eventId} was never added; true means "maybe: look it up". */
    public boolean mightContain(String eventId) {
        long h = hash(eventId);
        long h2 = (h >>> 32) | 1;
        for (Layer l : layers) {
            if (l.mightContain(h, h2)) {
                return true;
            }
        }
        return false;
    }

    private synchronized void grow(Layer full) {
        Layer[] ls = layers;
        if (ls[ls.length - 1] != full) {
            return; // another thread grew it
        }
        Layer[] more = java.util.Arrays.copyOf(ls, ls.length + 1);
        more[ls.length] = Layer.sizedFor(full.capacity() * 2);
        layers = more;
    }

    /** FNV-1a over the chars, then a 64-bit finaliser so every bit depends on every char. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
