package dev.plutus.adapter.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.plutus.Plutus;
import dev.plutus.adapter.AdapterFixture;
import dev.plutus.adapter.BudgetExceededException;
import dev.plutus.adapter.CallIds;
import dev.plutus.adapter.ChatGuard;
import dev.plutus.adapter.FakeOpenAi;
import dev.plutus.adapter.langchain4j.PlutusChatModel;
import dev.plutus.core.TokenUsage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plutus's own spans and metrics, through the real OpenTelemetry SDK's in-memory exporter and reader. */
class PlutusTelemetryTest {
    @Test
    void eachGuardedCallIsASpanUnderTheCallersSpanWithItsCostAndMetrics(@TempDir Path home) throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        InMemoryMetricReader metrics = InMemoryMetricReader.create();
        try (FakeOpenAi fake = new FakeOpenAi().usage(new FakeOpenAi.Usage(1000, 500, 0, 0));
             OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                     .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                     .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build()).build();
             Plutus plutus = AdapterFixture.open(home, "budgets:\n  global:\n    daily_usd: 0.0005\n")) {
            ChatGuard guard = ChatGuard.builder(plutus).observer(new PlutusTelemetry(otel)).build();
            ChatModel model = new PlutusChatModel(OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("k").modelName("gpt-4.1-mini")
                    .maxRetries(0).build(), guard);
            Span parent = otel.getTracer("app").spanBuilder("handle request").startSpan();
            try (Scope ignored = parent.makeCurrent(); var ids = guard.context().open(new CallIds("s-9", "carol", "helper"))) {
                model.chat("first");
                assertThrows(BudgetExceededException.class, () -> model.chat("second"));
            } finally {
                parent.end();
            }

            List<SpanData> plutusSpans = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("plutus.call")).toList();
            assertEquals(2, plutusSpans.size());
            SpanData recorded = plutusSpans.get(0);
            assertEquals(parent.getSpanContext().getSpanId(), recorded.getParentSpanId(), "a child of the application's span");
            long expected = AdapterFixture.priceMicros(home, "openai", "gpt-4.1-mini", TokenUsage.of(1000, 500));
            assertEquals(expected, recorded.getAttributes().get(PlutusTelemetry.COST_MICROS));
            assertEquals("recorded", recorded.getAttributes().get(PlutusTelemetry.OUTCOME));
            assertEquals("openai", recorded.getAttributes().get(PlutusTelemetry.PROVIDER));
            assertEquals(1000L, recorded.getAttributes().get(PlutusTelemetry.INPUT_TOKENS));
            assertEquals(500L, recorded.getAttributes().get(PlutusTelemetry.OUTPUT_TOKENS));
            assertEquals("s-9", recorded.getAttributes().get(PlutusTelemetry.CONVERSATION));
            SpanData refused = plutusSpans.get(1);
            assertEquals("refused", refused.getAttributes().get(PlutusTelemetry.OUTCOME));
            assertEquals("hard", refused.getAttributes().get(PlutusTelemetry.VERDICT));
            assertEquals("global", refused.getAttributes().get(PlutusTelemetry.SCOPE));
            assertEquals(StatusCode.ERROR, refused.getStatus().getStatusCode());

            List<MetricData> all = List.copyOf(metrics.collectAllMetrics());
            MetricData cost = all.stream().filter(m -> m.getName().equals("plutus.cost")).findFirst().orElseThrow();
            double usd = cost.getDoubleSumData().getPoints().iterator().next().getValue();
            assertEquals(expected / 1e6, usd, 1e-12);
            MetricData calls = all.stream().filter(m -> m.getName().equals("plutus.calls")).findFirst().orElseThrow();
            assertEquals(2, calls.getLongSumData().getPoints().stream().mapToLong(p -> p.getValue()).sum());
            assertTrue(all.stream().anyMatch(m -> m.getName().equals("plutus.tokens")));
        }
    }
}
