package dev.plutus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plutus.core.CallOrigin;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The journal's hand-written record encoder against its decoder: whatever a call holds (absent
 * fields, non-ASCII names, extreme counts and times, an origin or not) comes back from a replay equal,
 * and a batch, however large, reaches the file in one write. The encoder's buffer is reused from one
 * append to the next, so the batches of one try are appended in turn, large and small mixed.
 */
class CallJournalRecordProperties {

    @Property(tries = 60)
    void everyCallAppendedIsReplayedEqualAndEachBatchIsOneWrite(
            @ForAll("batches") @Size(min = 1, max = 6) List<List<LlmCall>> batches) throws IOException {
        Path dir = Files.createTempDirectory("journal-record");
        AtomicInteger writes = new AtomicInteger();
        CallJournal.Writes counted = (ch, bytes, at) -> {
            writes.incrementAndGet();
            return ch.write(bytes, at);
        };
        try (CallJournal j = CallJournal.tryOpen(dir, Long.MAX_VALUE, counted).orElseThrow()) {
            j.startWriting();
            List<LlmCall> appended = new ArrayList<>();
            for (List<LlmCall> batch : batches) {
                int before = writes.get();
                List<CallJournal.Position> ends = j.append(batch);
                assertEquals(before + 1, writes.get(), "a batch of " + batch.size() + " is one write");
                assertEquals(batch.size(), ends.size());
                appended.addAll(batch);
            }
            List<LlmCall> replayed = new ArrayList<>();
            j.replay(CallJournal.Position.START, 512, es -> es.forEach(e -> replayed.add(e.call())));
            assertEquals(appended, replayed);
        } finally {
            deleteTree(dir);
        }
    }

    @Provide
    Arbitrary<List<List<LlmCall>>> batches() {
        // Mostly single calls (a hook's), now and then a batch large enough to grow the encoder's buffer past what it keeps.
        Arbitrary<List<LlmCall>> batch = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, calls().list().ofMinSize(1).ofMaxSize(3)),
                net.jqwik.api.Tuple.of(1, calls().list().ofMinSize(100).ofMaxSize(400)),
                net.jqwik.api.Tuple.of(1, bigCall().list().ofMinSize(1).ofMaxSize(2)));
        return batch.list();
    }

    private static Arbitrary<String> text(int max) {
        Arbitrary<String> ascii = Arbitraries.strings().ascii().ofMaxLength(max);
        // Any char but a lone surrogate (UTF-8 has no form for one; a pair is in the fixed names below).
        Arbitrary<String> any = Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff')
                .ofMaxLength(max);
        Arbitrary<String> mixed = Arbitraries.of("api:sess-1:ab12:api:7", "claude-sonnet-4-5", "über-modèle-日本", "emoji-\uD83D\uDE80",
                "", " ", "\u007f\u0080\u07ff\u0800\uffff");
        return Arbitraries.oneOf(ascii, any, mixed);
    }

    private static Arbitrary<String> maybe(Arbitrary<String> s) {
        return s.injectNull(0.25);
    }

    private static Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(-62_000_000_000L, 250_000_000_000L)
                .flatMap(sec -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(sec, n)));
    }

    private static Arbitrary<Long> counts() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 2_000_000), Arbitraries.of(0L, Long.MAX_VALUE, 1L << 40));
    }

    private static Arbitrary<TokenUsage> usages() {
        return Combinators.combine(counts(), counts(), counts(), counts(), counts(), counts()).as(TokenUsage::new);
    }

    private static Arbitrary<CallOrigin> origins() {
        return Combinators.combine(text(40), text(40), text(20), text(20), counts(), Arbitraries.of(true, false))
                .as(CallOrigin::new).injectNull(0.5);
    }

    private static Arbitrary<LlmCall> calls() {
        Arbitrary<String[]> names = Combinators.combine(text(80), maybe(text(60)), maybe(text(60)), maybe(text(20)),
                maybe(text(20)), maybe(text(20))).as((event, session, root, platform, cron, sender) ->
                new String[] {event, session, root, platform, cron, sender});
        Arbitrary<String[]> model = Combinators.combine(text(20), text(60), maybe(text(60)), maybe(text(60)))
                .as((provider, m, served, entry) -> new String[] {provider, m, served, entry});
        Arbitrary<long[]> money = Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.longs()
                .between(0, Long.MAX_VALUE), Arbitraries.integers().between(0, 7))
                .as((cost, latency, flags) -> new long[] {cost, latency, flags});
        return Combinators.combine(names, model, instants(), instants().injectNull(0.7), usages(), money, origins())
                .as((n, m, ts, reportedAt, usage, c, origin) -> {
                    boolean estimated = (c[2] & 1) != 0;
                    boolean priced = (c[2] & 2) != 0;
                    boolean provisional = !priced && (c[2] & 4) != 0;
                    return new LlmCall(n[0], ts, n[1], n[2], n[3], n[4], n[5], m[0], m[1], m[2], usage, estimated, c[0], priced,
                            m[3], c[1], origin, reportedAt, provisional);
                });
    }

    /** A call with ids far longer than any real one (a buffer's worth each). */
    private static Arbitrary<LlmCall> bigCall() {
        return Arbitraries.strings().withChars("ab\u00e9\u65e5").ofMinLength(100_000).ofMaxLength(150_000)
                .map(big -> new LlmCall("big:" + big, Instant.parse("2026-12-02T12:00:00Z"), big, null, "cli", null, null,
                        "openai", "gpt-" + big.length(), null, TokenUsage.of(1, 1), false, 1, true, null, 1));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
