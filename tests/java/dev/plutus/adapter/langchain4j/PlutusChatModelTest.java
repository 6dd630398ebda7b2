package dev.plutus.adapter.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.plutus.Plutus;
import dev.plutus.adapter.AdapterFixture;
import dev.plutus.adapter.BudgetExceededException;
import dev.plutus.adapter.CallIds;
import dev.plutus.adapter.CallOutcome;
import dev.plutus.adapter.ChatGuard;
import dev.plutus.adapter.FakeOpenAi;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.Verdict;
import dev.plutus.core.CallEvent;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LangChain4j's real OpenAI client, guarded by Plutus, against a fake OpenAI server on a local port. */
class PlutusChatModelTest {
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

    private ChatModel openAi() {
        return OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("test-key").modelName(MODEL).maxTokens(200).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    private StreamingChatModel streamingOpenAi() {
        return OpenAiStreamingChatModel.builder().baseUrl(fake.baseUrl()).apiKey("test-key").modelName(MODEL).maxTokens(200)
                .timeout(Duration.ofSeconds(30)).build();
    }

    private ChatGuard guard(Plutus plutus) {
        return ChatGuard.builder(plutus).observer(outcomes).build();
    }

    @Test
    void onceAHardCapIsFullNoRequestLeavesTheProcess() throws Exception {
        // One call of 1000 in / 500 out costs $0.0012, past the $0.0005 cap: the first goes out, nothing after it does.
        fake.usage(new FakeOpenAi.Usage(1000, 500, 0, 0));
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 0.0005\n")) {
            ChatGuard guard = guard(plutus);
            ChatModel model = new PlutusChatModel(openAi(), guard);
            StreamingChatModel streaming = new PlutusStreamingChatModel(streamingOpenAi(), guard);
            assertNotNull(model.chat("first"));
            assertEquals(1, fake.requests());

            BudgetExceededException refused = assertThrows(BudgetExceededException.class, () -> model.chat("second"));
            Verdict.Hard hard = assertInstanceOf(Verdict.Hard.class, refused.verdict());
            assertEquals(ScopeKind.GLOBAL, hard.cause().scope().kind());
            assertTrue(refused.getMessage().contains("global is full ($0.0012 spent or held of $0.00050)"), refused.getMessage());
            assertThrows(BudgetExceededException.class, () -> streaming.chat("third", new Collecting()));
            assertThrows(BudgetExceededException.class, () -> model.chat("fourth"));

            assertEquals(1, fake.requests(), "the fake model server saw no request once the cap was full");
            assertEquals(3, outcomes.count(CallOutcome.Refused.class));
            assertEquals(1, outcomes.count(CallOutcome.Recorded.class));
        }
    }

    @Test
    void theRealUsageIsRecordedUnderTheRequestsIdsAtWhatPlutusPriceSays() throws Exception {
        // OpenAI counts cached tokens inside the prompt and reasoning inside the completion.
        fake.usage(new FakeOpenAi.Usage(1200, 300, 200, 100));
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            ChatGuard guard = guard(plutus);
            ChatModel model = new PlutusChatModel(openAi(), guard);
            ChatRequestOptions options = ChatRequestOptions.builder().addListenerAttribute(PlutusChatModel.SESSION_ID, "s-1")
                    .addListenerAttribute(PlutusChatModel.USER_ID, "alice").addListenerAttribute(PlutusChatModel.AGENT_ID, "support-bot")
                    .build();
            model.chat(ChatRequest.builder().messages(UserMessage.from("What does my plan cost?")).build(), options);

            LlmCall call = outcomes.recorded().get(0).call();
            TokenUsage expected = new TokenUsage(1000, 300, 200, 0, 0, 100);
            assertEquals(expected, call.usage());
            assertEquals(AdapterFixture.priceMicros(home, "openai", MODEL, expected), call.costMicros());
            assertTrue(call.priced() && !call.estimated());
            assertEquals("s-1", call.sessionId());
            assertEquals("alice", call.senderId());
            assertEquals("support-bot", call.platform());
            assertEquals(1, AdapterFixture.rawCalls(home).size());

            try (var scope = guard.context().open(new CallIds("s-2", "bob", null))) {
                model.chat("And mine?");
            }
            LlmCall second = outcomes.recorded().get(1).call();
            assertEquals("s-2", second.sessionId());
            assertEquals("bob", second.senderId());
            assertEquals(ChatGuard.DEFAULT_PLATFORM, second.platform());
            model.chat("Outside any scope");
            assertEquals(null, outcomes.recorded().get(2).call().sessionId(), "the scope's ids ended with it");
        }
    }

    @Test
    void aUsersOwnBudgetStopsThatUserOnly() throws Exception {
        fake.usage(new FakeOpenAi.Usage(1000, 500, 0, 0));
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  per_sender:\n    overrides:\n      alice:\n        daily_usd: 0.001\n")) {
            ChatGuard guard = guard(plutus);
            ChatModel model = new PlutusChatModel(openAi(), guard);
            ChatRequestOptions alice = ChatRequestOptions.builder().addListenerAttribute(CallIds.class, new CallIds(null, "alice", "app")).build();
            ChatRequestOptions bob = ChatRequestOptions.builder().addListenerAttribute(CallIds.class, new CallIds(null, "bob", "app")).build();
            ChatRequest hi = ChatRequest.builder().messages(UserMessage.from("hi")).build();
            model.chat(hi, alice);
            BudgetExceededException refused = assertThrows(BudgetExceededException.class, () -> model.chat(hi, alice));
            Verdict.Hard hard = assertInstanceOf(Verdict.Hard.class, refused.verdict());
            assertEquals(ScopeKind.SENDER, hard.cause().scope().kind());
            assertEquals("alice", hard.cause().scope().id());
            model.chat(hi, bob);
            assertEquals(2, fake.requests());
        }
    }

    @Test
    void softVerdictsGoToTheApplicationsListener() throws Exception {
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 1\n")) {
            plutus.record(new CallEvent("earlier", plutus.clock().instant(), null, "api", "openai", MODEL, null,
                    TokenUsage.of(0, 560_000), false, 0, null)); // $0.896 of $1: past the 80 % warning
            AtomicReference<Verdict.Soft> told = new AtomicReference<>();
            ChatGuard guard = ChatGuard.builder(plutus).onSoftVerdict((ids, soft, check) -> told.set(soft)).build();
            new PlutusChatModel(openAi(), guard).chat("hi");
            assertNotNull(told.get(), "the listener heard the soft verdict");
            assertEquals(ScopeKind.GLOBAL, told.get().cause().scope().kind());
            assertEquals(1, fake.requests(), "a soft verdict lets the call through");
        }
    }

    @Test
    void aFailedCallGivesItsHoldBackAndRecordsNothing() throws Exception {
        fake.failWith(500);
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            ChatModel model = new PlutusChatModel(openAi(), guard(plutus));
            assertThrows(RuntimeException.class, () -> model.chat("hi"));
            CallOutcome.Released released = assertInstanceOf(CallOutcome.Released.class, outcomes.all.get(0));
            assertFalse(plutus.release(released.attempt().intentId()), "the hold was already given back");
            assertTrue(released.attempt().reservedMicros() > 0);
            assertEquals(0, AdapterFixture.rawCalls(home).size());
        }
    }

    @Test
    void aStreamIsRecordedOnceWithItsFinalUsage() throws Exception {
        fake.usage(new FakeOpenAi.Usage(900, 250, 100, 0));
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            StreamingChatModel model = new PlutusStreamingChatModel(streamingOpenAi(), guard(plutus));
            Collecting handler = new Collecting();
            model.chat("Stream me something", handler);
            ChatResponse done = handler.done.get(30, TimeUnit.SECONDS);
            assertEquals("Hello from the stream.", done.aiMessage().text());
            assertTrue(handler.partials.size() >= 2, "the application saw the stream in parts: " + handler.partials);

            assertEquals(1, outcomes.recorded().size());
            TokenUsage expected = new TokenUsage(800, 250, 100, 0, 0, 0);
            assertEquals(expected, outcomes.recorded().get(0).call().usage());
            assertEquals(AdapterFixture.priceMicros(home, "openai", MODEL, expected), outcomes.recorded().get(0).call().costMicros());
            assertEquals(1, AdapterFixture.rawCalls(home).size(), "one row for one streamed call");
        }
    }

    @Test
    void eightThreadsTogetherStayWithinOneReservationOfTheCap() throws Exception {
        fake.usage(new FakeOpenAi.Usage(100, 100, 0, 0)).delayMillis(5);
        long capMicros = 20_000; // $0.02: a call costs $0.0002, so about a hundred go out
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 0.02\n")) {
            ChatModel model = new PlutusChatModel(openAi(), guard(plutus));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(pool.submit(() -> {
                    for (int i = 0; i < 400; i++) {
                        try {
                            model.chat("Say hello");
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
            assertTrue(outcomes.recorded().stream().allMatch(r -> r.call().costMicros() <= r.attempt().reservedMicros()),
                    "each call cost no more than it held");
            assertTrue(spent <= capMicros + maxHold, "spent " + spent + " µ$ is within one hold (" + maxHold + ") of the cap");
            assertTrue(spent >= capMicros - 8 * maxHold, "the cap was reached: spent " + spent);
            assertEquals(outcomes.recorded().size(), fake.requests(), "a request for every recorded call and none for the refused");
        }
    }

    @Test
    void longAnswersUpToTheRequestsMaxTokensCannotOverrunTheCap() throws Exception {
        // Each answer uses 30,000 of its 32,000 max tokens ($0.048): holding the default 1,024 let 8 threads overrun the cap 7.7x.
        fake.usage(new FakeOpenAi.Usage(50, 30_000, 0, 0)).delayMillis(50);
        long capMicros = 200_000;
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 0.2\n")) {
            ChatModel model = new PlutusChatModel(OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("test-key").modelName(MODEL)
                    .maxTokens(32_000).maxRetries(0).timeout(Duration.ofSeconds(30)).build(), guard(plutus));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        try {
                            model.chat("Write a long story");
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
            long oneReservation = AdapterFixture.priceMicros(home, "openai", MODEL, TokenUsage.of(1_000, 32_000));
            assertTrue(outcomes.recorded().stream().allMatch(r -> r.call().costMicros() <= r.attempt().reservedMicros()),
                    "each call held at least what it cost");
            assertTrue(spent <= capMicros + oneReservation, "spent " + spent + " µ$: within one reservation (" + oneReservation
                    + ") of the cap " + capMicros);
            assertEquals(outcomes.recorded().size(), fake.requests());
        }
    }

    @Test
    void aCancelledStreamIsRecordedAsEstimatedNotReleased() throws Exception {
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            CompletableFuture<String> cancelled = new CompletableFuture<>();
            new PlutusStreamingChatModel(streamingOpenAi(), guard(plutus)).chat(ChatRequest.builder()
                    .messages(UserMessage.from("Stream me something")).build(), new StreamingChatResponseHandler() {
                        @Override
                        public void onPartialResponse(dev.langchain4j.model.chat.response.PartialResponse partial,
                                dev.langchain4j.model.chat.response.PartialResponseContext context) {
                            context.streamingHandle().cancel();
                            cancelled.complete(partial.text());
                        }

                        @Override
                        public void onCompleteResponse(ChatResponse response) {}

                        @Override
                        public void onError(Throwable error) {
                            cancelled.completeExceptionally(error);
                        }
                    });
            assertEquals("Hel", cancelled.get(30, TimeUnit.SECONDS));
            assertEquals(0, outcomes.count(CallOutcome.Released.class), "the provider billed the call: its hold is not given back");
            LlmCall call = outcomes.recorded().get(0).call();
            assertTrue(call.estimated());
            assertTrue(call.usage().output() >= 1 && call.usage().input() > 0, call.usage().toString());
        }
    }

    @Test
    void aClientTimeoutIsRecordedAsEstimatedAtTheHeldOutput() throws Exception {
        fake.delayMillis(3_000);
        try (Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 100\n")) {
            ChatModel model = new PlutusChatModel(OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("test-key").modelName(MODEL)
                    .maxTokens(200).maxRetries(0).timeout(Duration.ofMillis(500)).build(), guard(plutus));
            assertThrows(RuntimeException.class, () -> model.chat("slow"));
            assertEquals(0, outcomes.count(CallOutcome.Released.class), "the provider may have billed it");
            LlmCall call = outcomes.recorded().get(0).call();
            assertTrue(call.estimated());
            assertEquals(200, call.usage().output(), "nothing received: the output held (maxTokens) is recorded");
        }
    }

    static final class Collecting implements StreamingChatResponseHandler {
        final List<String> partials = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String partial) {
            partials.add(partial);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }
}
