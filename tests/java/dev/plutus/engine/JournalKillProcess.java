package dev.plutus.engine;

import dev.plutus.core.CallEvent;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.TokenUsage;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The process {@link CallJournalTest} SIGKILLs: records calls of a known cost through a journaling
 * engine without end, one at a time and in batches of 10, and prints {@code ack <event id>;} for each
 * call once {@code record} has returned (acknowledged).
 */
public final class JournalKillProcess {
    public static final BigDecimal COST = new BigDecimal("0.000123");

    public static void main(String[] args) {
        Path home = Path.of(args[0]);
        Instant at = Instant.parse(args[1]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        Engine engine = Engine.open(EngineConfig.builder(new HomeLayout(home)).clock(Clock.fixed(at, ZoneOffset.UTC))
                .callJournal(true).build());
        if (!engine.journaling()) {
            throw new IllegalStateException("the engine does not journal");
        }
        for (int i = 0; i < 1_000_000; ) {
            if (i % 100 == 50) {
                List<CallEvent> batch = new ArrayList<>();
                for (int k = 0; k < 10; k++) {
                    batch.add(call(i + k, at));
                }
                engine.recorder().recordAll(batch);
                StringBuilder acks = new StringBuilder();
                for (CallEvent e : batch) {
                    acks.append("ack ").append(e.eventId()).append(";\n");
                }
                out.print(acks);
                out.flush();
                i += 10;
            } else {
                CallEvent e = call(i, at);
                engine.recorder().record(e);
                out.print("ack " + e.eventId() + ";\n");
                out.flush();
                i++;
            }
        }
    }

    static CallEvent call(int i, Instant at) {
        return new CallEvent("k-" + i, at, "s-" + (i % 7), "cli", "anthropic", "claude-sonnet-4-6", null,
                TokenUsage.of(1000, 100), false, 10, COST);
    }
}
