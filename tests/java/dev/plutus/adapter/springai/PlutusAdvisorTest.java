package dev.plutus.adapter.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.Plutus;
import dev.plutus.adapter.AdapterFixture;
import dev.plutus.adapter.BudgetExceededException;
import dev.plutus.adapter.CallOutcome;
import dev.plutus.adapter.ChatGuard;
import dev.plutus.adapter.FakeOpenAi;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.Verdict;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** Spring AI's real OpenAI client behind a ChatClient with the Plutus advisor, against a fake OpenAI server on a local port. */
class PlutusAdvisorTest {
    private static final String MODEL = "gpt-4.1-mini";

    @TempDir
    Path home;
    private FakeOpenAi fake;
    private final AdapterFixture.Outcomes outcomes = new AdapterFixture.Outcomes();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOpenAi();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private OpenAiChatModel openAi() {
        return OpenAiChatModel.builder().options(OpenAiChatOptions.builder().baseUrl(fake.baseUrl()).apiKey("test-key").model(MODEL)
                .maxTokens(200).streamUsage(true).build()).build();
    }

    private ChatClient client(Plutus plutus) {
        ChatModel model = openAi();
        ChatGuard guard = ChatGuard.builder(plutus).observer(outcomes).build();
        return ChatClient.builder(model).defaultAdvisors(new PlutusAdvisor(guard, "openai", model.getDefaultOptions())).build();
    }

    @Test
    void onceAHardCapIsFullNoRequestLeavesTheProcess() throws Exception {
        fake.usage(new FakeOpenAi.Usage(1000, 500, 0, 0));
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 0.0005\n")) {
            ChatClient client = client(plutus);
            assertNotNull(client.prompt().user("first").call().content());
            assertEquals(1, fake.requests());

            BudgetExceededException refused = assertThrows(BudgetExceededException.class, () -> client.prompt().user("second").call().content());
            assertEquals(ScopeKind.GLOBAL, assertInstanceOf(Verdict.Hard.class, refused.verdict()).cause().scope().kind());
            assertThrows(BudgetExceededException.class,
                    () -> client.prompt().user("third").stream().content().collectList().block(Duration.ofSeconds(30)));
            assertEquals(1, fake.requests(), "the fake model server saw no request once the cap was full");
            assertEquals(2, outcomes.count(CallOutcome.Refused.class));
        }
    }

    @Test
    void theRealUsageIsRecordedUnderTheAdvisorParametersAtWhatPlutusPriceSays() throws Exception {
        fake.usage(new FakeOpenAi.Usage(1200, 300, 200, 0));
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            client(plutus).prompt().user("What does my plan cost?")
                    .advisors(a -> a.param(PlutusAdvisor.SESSION_ID, "s-1").param(PlutusAdvisor.USER_ID, "alice")
                            .param(PlutusAdvisor.AGENT_ID, "billing-bot"))
                    .call().content();
            LlmCall call = outcomes.recorded().get(0).call();
            TokenUsage expected = new TokenUsage(1000, 300, 200, 0, 0, 0);
            assertEquals(expected, call.usage());
            assertEquals(AdapterFixture.priceMicros(home, "openai", MODEL, expected), call.costMicros());
            assertEquals("s-1", call.sessionId());
            assertEquals("alice", call.senderId());
            assertEquals("billing-bot", call.platform());
        }
    }

    @Test
    void aStreamIsRecordedOnceWithItsFinalUsage() throws Exception {
        fake.usage(new FakeOpenAi.Usage(900, 250, 0, 0));
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            List<String> parts = client(plutus).prompt().user("Stream me something").stream().content().collectList()
                    .block(Duration.ofSeconds(30));
            assertEquals("Hello from the stream.", String.join("", parts));
            assertEquals(1, outcomes.recorded().size());
            TokenUsage expected = new TokenUsage(900, 250, 0, 0, 0, 0);
            assertEquals(expected, outcomes.recorded().get(0).call().usage());
            assertEquals(AdapterFixture.priceMicros(home, "openai", MODEL, expected), outcomes.recorded().get(0).call().costMicros());
            assertEquals(1, AdapterFixture.rawCalls(home).size(), "one row for one streamed call");
        }
    }

    @Test
    void aStreamCutShortByNextIsRecordedAsEstimatedNotReleased() throws Exception {
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            String first = client(plutus).prompt().user("Stream me something").stream().content().next().block(Duration.ofSeconds(30));
            assertEquals("Hel", first);
            assertEquals(0, outcomes.count(CallOutcome.Released.class), "the provider billed the call: its hold is not given back");
            LlmCall call = outcomes.recorded().get(0).call();
            assertTrue(call.estimated());
            assertTrue(call.usage().output() >= 1, "the text received counts as output: " + call.usage());
            assertTrue(call.usage().input() > 0);
        }
    }

    @Test
    void toolResultsToolCallArgumentsAndToolDefinitionsAreCountedInThePrompt() {
        String result = "r".repeat(30_000);
        String arguments = "a".repeat(9_000);
        String schema = "{\"type\":\"object\",\"description\":\"" + "s".repeat(3_000) + "\"}";
        List<org.springframework.ai.chat.messages.Message> messages = List.of(
                new org.springframework.ai.chat.messages.UserMessage("look it up"),
                org.springframework.ai.chat.messages.AssistantMessage.builder().content("").toolCalls(List.of(
                        new org.springframework.ai.chat.messages.AssistantMessage.ToolCall("c1", "function", "search", arguments))).build(),
                org.springframework.ai.chat.messages.ToolResponseMessage.builder().responses(List.of(
                        new org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse("c1", "search", result))).build());
        org.springframework.ai.tool.ToolCallback tool = new org.springframework.ai.tool.ToolCallback() {
            @Override
            public org.springframework.ai.tool.definition.ToolDefinition getToolDefinition() {
                return org.springframework.ai.tool.definition.ToolDefinition.builder().name("search").description("searches")
                        .inputSchema(schema).build();
            }

            @Override
            public String call(String input) {
                return "";
            }
        };
        long withoutTools = PlutusAdvisor.promptTokens(messages, null);
        assertTrue(withoutTools >= (30_000 + 9_000) / 3, "tool result and call arguments are counted: " + withoutTools);
        long withTools = PlutusAdvisor.promptTokens(messages,
                org.springframework.ai.model.tool.ToolCallingChatOptions.builder().toolCallbacks(List.of(tool)).build());
        assertTrue(withTools >= withoutTools + 1_000, "the tool definitions offered are counted: " + withTools);
    }

    @Test
    void aToolHeavyPromptHoldsWhatItsToolResultsCost() throws Exception {
        String result = "r".repeat(60_000);
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            client(plutus).prompt().messages(new org.springframework.ai.chat.messages.UserMessage("look it up"),
                    org.springframework.ai.chat.messages.AssistantMessage.builder().content("").toolCalls(List.of(
                            new org.springframework.ai.chat.messages.AssistantMessage.ToolCall("c1", "function", "search", "{}"))).build(),
                    org.springframework.ai.chat.messages.ToolResponseMessage.builder().responses(List.of(
                            new org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse("c1", "search", result))).build())
                    .call().content();
            long held = outcomes.recorded().get(0).attempt().reservedMicros();
            long resultCost = AdapterFixture.priceMicros(home, "openai", MODEL, TokenUsage.of(20_000, 0));
            assertTrue(held >= resultCost, "held " + held + " µ$, the 20,000-token tool result alone costs " + resultCost);
        }
    }

    @Test
    void eightThreadsTogetherStayWithinOneReservationOfTheCap() throws Exception {
        fake.usage(new FakeOpenAi.Usage(100, 100, 0, 0)).delayMillis(5);
        long capMicros = 20_000;
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 0.02\n")) {
            ChatClient client = client(plutus);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(pool.submit(() -> {
                    for (int i = 0; i < 400; i++) {
                        try {
                            client.prompt().user("Say hello").call().content();
                        } catch (BudgetExceededException stop) {
                            return i;
                        }
                    }
                    return -1;
                }));
            }
            for (Future<Integer> f : threads) {
                assertTrue(f.get(5, TimeUnit.MINUTES) >= 0, "every thread was stopped by the cap");
            }
            pool.shutdown();
            long spent = outcomes.recorded().stream().mapToLong(r -> r.call().costMicros()).sum();
            long maxHold = outcomes.recorded().stream().mapToLong(r -> r.attempt().reservedMicros()).max().orElseThrow();
            assertTrue(spent <= capMicros + maxHold, "spent " + spent + " µ$ is within one hold (" + maxHold + ") of the cap");
            assertTrue(spent >= capMicros - 8 * maxHold, "the cap was reached: spent " + spent);
            assertEquals(outcomes.recorded().size(), fake.requests(), "a request for every recorded call and none for the refused");
        }
    }

    @Test
    void bootWiresPlutusIntoEveryChatClientFromOneProperty() throws Exception {
        fake.usage(new FakeOpenAi.Usage(1000, 500, 0, 0));
        Path budget = Files.writeString(home.resolve("app-budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.0005\n");
        Path plutusHome = Files.createDirectories(home.resolve("plutus"));
        try (AnnotationConfigApplicationContext context = app(java.util.Map.of("plutus.home", plutusHome.toString(),
                "plutus.budget-file", budget.toString()))) {
            assertNotNull(context.getBean(Plutus.class));
            ChatClient.Builder builder = ChatClient.builder(context.getBean(ChatModel.class));
            context.getBeansOfType(ChatClientCustomizer.class).values().forEach(c -> c.customize(builder));
            ChatClient client = builder.build();
            client.prompt().user("first").call().content();
            assertThrows(BudgetExceededException.class, () -> client.prompt().user("second").call().content());
            assertEquals(1, fake.requests());
            assertEquals("openai", PlutusAutoConfiguration.providerOf(context.getBean(ChatModel.class)));
        }
        assertEquals(Files.readString(budget), Files.readString(plutusHome.resolve("budget.yaml")), "the budget file was put in force");
        assertEquals(1, AdapterFixture.rawCalls(plutusHome).size());

        try (AnnotationConfigApplicationContext context = app(java.util.Map.of())) {
            assertTrue(context.getBeansOfType(Plutus.class).isEmpty(), "no plutus.* property, no Plutus");
        }
    }

    @Test
    void openTelemetryExportIsOffUntilItsPropertyIsSet() throws Exception {
        io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter spans = io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create();
        try (io.opentelemetry.sdk.OpenTelemetrySdk otel = io.opentelemetry.sdk.OpenTelemetrySdk.builder()
                .setTracerProvider(io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
                        .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(spans)).build()).build()) {
            for (String enabled : List.of("false", "true")) {
                try (AnnotationConfigApplicationContext context = app(java.util.Map.of("plutus.home", home.toString(),
                        "plutus.otel.enabled", enabled), c -> c.registerBean(io.opentelemetry.api.OpenTelemetry.class, () -> unclosable(otel)))) {
                    ChatClient.Builder builder = ChatClient.builder(context.getBean(ChatModel.class));
                    context.getBeansOfType(ChatClientCustomizer.class).values().forEach(c -> c.customize(builder));
                    builder.build().prompt().user("hi").call().content();
                }
                assertEquals(enabled.equals("true") ? 1 : 0, spans.getFinishedSpanItems().size(), "plutus.otel.enabled=" + enabled);
            }
            assertEquals("plutus.call", spans.getFinishedSpanItems().get(0).getName());
        }
    }

    /** The SDK as an application's bean that the context does not shut down when it closes. */
    private static io.opentelemetry.api.OpenTelemetry unclosable(io.opentelemetry.api.OpenTelemetry otel) {
        return new io.opentelemetry.api.OpenTelemetry() {
            @Override
            public io.opentelemetry.api.trace.TracerProvider getTracerProvider() {
                return otel.getTracerProvider();
            }

            @Override
            public io.opentelemetry.context.propagation.ContextPropagators getPropagators() {
                return otel.getPropagators();
            }
        };
    }

    private AnnotationConfigApplicationContext app(java.util.Map<String, Object> properties) {
        return app(properties, c -> { });
    }

    /** A Spring context as Boot would make it for an app with this auto-configuration, an OpenAI ChatModel bean and these properties. */
    private AnnotationConfigApplicationContext app(java.util.Map<String, Object> properties,
            java.util.function.Consumer<AnnotationConfigApplicationContext> beans) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        beans.accept(context);
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
        context.registerBean(ChatModel.class, this::openAi);
        context.register(PlutusAutoConfiguration.class);
        context.refresh();
        return context;
    }
}
