package dev.plutus.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.plutus.Plutus;
import dev.plutus.adapter.langchain4j.PlutusChatModel;
import dev.plutus.adapter.springai.PlutusAdvisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * What Plutus adds to one chat call in each framework (reserve + record on a real SQLite home, with
 * a budget in force), measured against an in-process model that answers at once, so the difference
 * is Plutus's alone. Not part of the default test run (the name does not end in Test); run it with
 * {@code mvn -B -Dtest=AdapterOverheadBenchmark -Dsurefire.failIfNoSpecifiedTests=false test}.
 * Figures go to standard output and {@code target/bench/adapters.txt}.
 */
class AdapterOverheadBenchmark {
    private static final String MODEL = "gpt-4.1-mini";
    private static final int WARMUP = 500;
    private static final int CALLS = 3_000;

    @Test
    void overheadPerChatCall(@TempDir Path home) throws Exception {
        StringBuilder report = new StringBuilder("adapter overhead per chat call (reserve + record, in-process, SQLite home, "
                + CALLS + " calls after " + WARMUP + " warm-up)\n");
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 1000000\n")) {
            AdapterFixture.Outcomes outcomes = new AdapterFixture.Outcomes();
            ChatGuard guard = ChatGuard.builder(plutus).observer(outcomes).build();

            ChatModel stub = new InstantLangChain4j();
            ChatModel guarded = new PlutusChatModel(stub, guard);
            ChatRequest request = ChatRequest.builder().messages(dev.langchain4j.data.message.UserMessage.from("Say hello")).build();
            report.append(line("langchain4j", () -> stub.chat(request), () -> guarded.chat(request)));

            org.springframework.ai.chat.model.ChatModel springStub = new InstantSpringAi();
            ChatClient plain = ChatClient.builder(springStub).build();
            ChatClient advised = ChatClient.builder(springStub)
                    .defaultAdvisors(new PlutusAdvisor(guard, "openai", springStub.getDefaultOptions())).build();
            report.append(line("spring-ai", () -> plain.prompt().user("Say hello").call().content(),
                    () -> advised.prompt().user("Say hello").call().content()));

            assertEquals(2L * (WARMUP + CALLS), outcomes.count(CallOutcome.Recorded.class), "every guarded call was recorded");
        }
        System.out.print(report);
        Path out = Path.of("target", "bench", "adapters.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    private static String line(String framework, Runnable bare, Runnable guarded) {
        long[] without = time(bare);
        long[] with = time(guarded);
        return String.format(Locale.ROOT, "%-12s without Plutus p50 %7.1f µs p99 %7.1f µs | with Plutus p50 %7.1f µs p99 %7.1f µs"
                        + " | Plutus adds p50 %7.1f µs p99 %7.1f µs%n", framework, us(pct(without, 50)), us(pct(without, 99)),
                us(pct(with, 50)), us(pct(with, 99)), us(pct(with, 50) - pct(without, 50)), us(pct(with, 99) - pct(without, 99)));
    }

    private static long[] time(Runnable call) {
        for (int i = 0; i < WARMUP; i++) {
            call.run();
        }
        long[] nanos = new long[CALLS];
        for (int i = 0; i < CALLS; i++) {
            long t0 = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double us(long nanos) {
        return nanos / 1_000.0;
    }

    /** A LangChain4j model that answers at once with OpenAI-like usage. */
    private static final class InstantLangChain4j implements ChatModel {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            return ChatResponse.builder().aiMessage(AiMessage.from("Hello.")).modelName(MODEL).tokenUsage(new TokenUsage(100, 50)).build();
        }

        @Override
        public ChatRequestParameters defaultRequestParameters() {
            return ChatRequestParameters.builder().modelName(MODEL).maxOutputTokens(200).build();
        }

        @Override
        public ModelProvider provider() {
            return ModelProvider.OPEN_AI;
        }
    }

    /** A Spring AI model that answers at once with usage. */
    private static final class InstantSpringAi implements org.springframework.ai.chat.model.ChatModel {
        @Override
        public org.springframework.ai.chat.model.ChatResponse call(Prompt prompt) {
            return new org.springframework.ai.chat.model.ChatResponse(List.of(new Generation(new AssistantMessage("Hello."))),
                    ChatResponseMetadata.builder().model(MODEL).usage(new DefaultUsage(100, 50)).build());
        }

        @Override
        public ChatOptions getDefaultOptions() {
            return ChatOptions.builder().model(MODEL).maxTokens(200).build();
        }
    }
}
