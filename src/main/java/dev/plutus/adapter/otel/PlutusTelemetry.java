package dev.plutus.adapter.otel;

import dev.plutus.adapter.CallObserver;
import dev.plutus.adapter.CallOutcome;
import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.Verdict;
import dev.plutus.core.LlmCall;
import dev.plutus.core.Money;
import dev.plutus.core.TokenUsage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.time.Instant;
import java.util.Objects;

/**
 * Plutus's own telemetry for each guarded call, through the OpenTelemetry API the application
 * configured: a {@code plutus.call} span (a child of the span current when the call was made) with
 * the GenAI attributes, the exact cost and the verdict, and the metrics {@code plutus.calls},
 * {@code plutus.cost} (USD) and {@code plutus.tokens}. Off unless the application adds it to its
 * {@code ChatGuard} (Spring Boot: {@code plutus.otel.enabled=true}).
 */
public final class PlutusTelemetry implements CallObserver {
    public static final String SCOPE_NAME = "dev.plutus";

    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> CONVERSATION = AttributeKey.stringKey("gen_ai.conversation.id");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("plutus.outcome");
    static final AttributeKey<String> VERDICT = AttributeKey.stringKey("plutus.verdict");
    static final AttributeKey<String> SCOPE = AttributeKey.stringKey("plutus.scope");
    static final AttributeKey<Double> COST_USD = AttributeKey.doubleKey("plutus.cost_usd");
    static final AttributeKey<Long> COST_MICROS = AttributeKey.longKey("plutus.cost_micros");
    static final AttributeKey<Long> RESERVED_MICROS = AttributeKey.longKey("plutus.reserved_micros");
    static final AttributeKey<Boolean> PRICED = AttributeKey.booleanKey("plutus.priced");
    static final AttributeKey<Boolean> PROVISIONAL = AttributeKey.booleanKey("plutus.provisional");
    static final AttributeKey<Boolean> ESTIMATED = AttributeKey.booleanKey("plutus.estimated");
    static final AttributeKey<String> USER = AttributeKey.stringKey("plutus.user_id");
    static final AttributeKey<String> AGENT = AttributeKey.stringKey("plutus.agent_id");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("plutus.release_reason");
    static final AttributeKey<String> TOKEN_CLASS = AttributeKey.stringKey("plutus.token.class");

    private final Tracer tracer;
    private final LongCounter calls;
    private final DoubleCounter cost;
    private final LongCounter tokens;

    public PlutusTelemetry(OpenTelemetry otel) {
        Objects.requireNonNull(otel, "otel");
        this.tracer = otel.getTracer(SCOPE_NAME);
        Meter meter = otel.getMeter(SCOPE_NAME);
        this.calls = meter.counterBuilder("plutus.calls").setUnit("{call}")
                .setDescription("Model calls Plutus guarded, by outcome (recorded, refused, released)").build();
        this.cost = meter.counterBuilder("plutus.cost").ofDoubles().setUnit("USD")
                .setDescription("What the recorded calls cost, priced by Plutus").build();
        this.tokens = meter.counterBuilder("plutus.tokens").setUnit("{token}")
                .setDescription("Tokens of the recorded calls, by class (input, output, cache_read, cache_write, reasoning)").build();
    }

    @Override
    public void observe(CallOutcome outcome) {
        CallOutcome.Attempt a = outcome.attempt();
        Attributes model = Attributes.of(PROVIDER, a.provider(), REQUEST_MODEL, a.model());
        var span = tracer.spanBuilder("plutus.call").setSpanKind(SpanKind.INTERNAL).setStartTimestamp(a.startedAt())
                .setAllAttributes(model)
                .setAttribute(RESERVED_MICROS, a.reservedMicros());
        if (a.ids().effectiveSessionId() != null) {
            span.setAttribute(CONVERSATION, a.ids().effectiveSessionId());
        }
        if (a.ids().userId() != null) {
            span.setAttribute(USER, a.ids().userId());
        }
        if (a.ids().agentId() != null) {
            span.setAttribute(AGENT, a.ids().agentId());
        }
        Span s;
        Instant end = a.startedAt();
        if (outcome instanceof CallOutcome.Recorded r) {
            LlmCall c = r.call();
            TokenUsage u = c.usage();
            s = span.setAttribute(OUTCOME, "recorded").setAttribute(VERDICT, level(r.check()))
                    .setAttribute(INPUT_TOKENS, u.promptTokens()).setAttribute(OUTPUT_TOKENS, u.output())
                    .setAttribute(COST_MICROS, c.costMicros()).setAttribute(COST_USD, Money.microsToUsd(c.costMicros()).doubleValue())
                    .setAttribute(PRICED, c.priced()).setAttribute(PROVISIONAL, c.provisional())
                    .setAttribute(ESTIMATED, c.estimated()).startSpan();
            if (c.responseModel() != null) {
                s.setAttribute(RESPONSE_MODEL, c.responseModel());
            }
            end = a.startedAt().plusMillis(c.latencyMillis());
            cost.add(Money.microsToUsd(c.costMicros()).doubleValue(), model);
            count(model, "input", u.input());
            count(model, "output", u.output());
            count(model, "cache_read", u.cacheRead());
            count(model, "cache_write", u.cacheWrite() + u.cacheWrite1h());
            count(model, "reasoning", u.reasoning());
        } else if (outcome instanceof CallOutcome.Refused r) {
            s = span.setAttribute(OUTCOME, "refused").setAttribute(VERDICT, level(r.check())).startSpan();
            if (r.check().verdict() instanceof Verdict.Hard hard) {
                s.setAttribute(SCOPE, hard.cause().scope().describe());
            }
            s.setStatus(StatusCode.ERROR, "refused by a budget");
        } else {
            CallOutcome.Released r = (CallOutcome.Released) outcome;
            s = span.setAttribute(OUTCOME, "released").setAttribute(VERDICT, level(r.check()))
                    .setAttribute(REASON, r.reason() == null ? "" : r.reason()).startSpan();
            s.setStatus(StatusCode.ERROR, "the call failed or was cancelled");
        }
        calls.add(1, model.toBuilder().put(OUTCOME, outcomeName(outcome)).build());
        s.end(end);
    }

    private void count(Attributes model, String tokenClass, long n) {
        if (n > 0) {
            tokens.add(n, model.toBuilder().put(TOKEN_CLASS, tokenClass).build());
        }
    }

    private static String outcomeName(CallOutcome o) {
        return o instanceof CallOutcome.Recorded ? "recorded" : o instanceof CallOutcome.Refused ? "refused" : "released";
    }

    private static String level(BudgetCheck check) {
        return check.verdict().level().label();
    }
}
