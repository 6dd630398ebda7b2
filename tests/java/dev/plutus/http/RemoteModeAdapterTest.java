package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.plutus.Plutus;
import dev.plutus.PlutusConfig;
import dev.plutus.PlutusHome;
import dev.plutus.adapter.BudgetExceededException;
import dev.plutus.adapter.ChatGuard;
import dev.plutus.adapter.FakeOpenAi;
import dev.plutus.adapter.langchain4j.PlutusChatModel;
import dev.plutus.budget.Verdict;
import dev.plutus.core.CallEvent;
import dev.plutus.core.TokenUsage;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JVM adapters in remote mode: the central Plutus's verdict decides whether a model call may go out. */
@org.junit.jupiter.api.Tag("store")
class RemoteModeAdapterTest {

    private static ChatModel openAi(FakeOpenAi fake) {
        return OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("test-key").modelName("gpt-4.1-mini").maxTokens(200)
                .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    private static Plutus edge(Path home, Map<String, String> env) {
        return Plutus.open(PlutusConfig.builder(new PlutusHome(home)).environment(env).upkeep(false).build());
    }

    @Test
    void noModelRequestLeavesOnceTheCentralBudgetIsHard(@TempDir Path central, @TempDir Path edgeHome) throws Exception {
        Files.writeString(central.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.000001\n");
        try (DaemonHarness a = DaemonHarness.start(central); FakeOpenAi fake = new FakeOpenAi()) {
            String key = a.apiKeys().create("edge-1").secret();
            a.plutus().recorder().record(new CallEvent("central-1", Instant.now(), "s-central", "cli", "openai", "gpt-4.1-mini", null,
                    TokenUsage.of(10_000, 1_000), false, 100, null));
            try (Plutus plutus = edge(edgeHome, Map.of("PLUTUS_REMOTE_URL", a.info().baseUrl(), "PLUTUS_API_KEY", key))) {
                ChatModel model = new PlutusChatModel(openAi(fake), ChatGuard.builder(plutus).build());
                for (int i = 0; i < 3; i++) {
                    BudgetExceededException refused = assertThrows(BudgetExceededException.class, () -> model.chat("hello"));
                    assertInstanceOf(Verdict.Hard.class, refused.verdict());
                    assertTrue(refused.getMessage().contains("central"), refused.getMessage());
                }
                assertEquals(0, fake.requests(), "the central instance is hard: no request may reach the model");
            }
        }
    }

    @Test
    void noModelRequestLeavesWithoutAFreshCentralVerdict(@TempDir Path edgeHome) throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (FakeOpenAi fake = new FakeOpenAi();
             Plutus plutus = edge(edgeHome, Map.of("PLUTUS_REMOTE_URL", "http://127.0.0.1:" + deadPort, "PLUTUS_API_KEY", "k"))) {
            ChatModel model = new PlutusChatModel(openAi(fake), ChatGuard.builder(plutus).build());
            BudgetExceededException refused = assertThrows(BudgetExceededException.class, () -> model.chat("hello"));
            assertInstanceOf(Verdict.Unknown.class, refused.verdict(), "unreachable central: unknown, never ok");
            assertEquals(0, fake.requests());
        }
    }
}
