package dev.plutus.store;

import dev.plutus.TestEngine;
import dev.plutus.core.CallEvent;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** A second process for the multi-process test: records N calls of a known cost into a shared home. */
public final class RecorderProcess {
    public static void main(String[] args) {
        Path home = Path.of(args[0]);
        String prefix = args[1];
        int n = Integer.parseInt(args[2]);
        Instant at = Instant.parse(args[3]);
        try (TestEngine p = TestEngine.open(EngineConfig.builder(new HomeLayout(home)).clock(Clock.fixed(at, ZoneOffset.UTC)).build())) {
            for (int i = 0; i < n; i++) {
                p.record(new CallEvent(prefix + i, at, prefix + "-session", "cli", "anthropic", "claude-sonnet-4-6", null,
                        TokenUsage.of(1000, 100), false, 10, new BigDecimal("0.000123")));
            }
        }
    }
}
