package dev.plutus.http;

import dev.plutus.core.Money;
import dev.plutus.engine.BudgetGate;
import dev.plutus.engine.Reservations;
import dev.plutus.hermes.HookCounters;
import dev.plutus.store.RunwayStore;
import dev.plutus.budget.Level;
import dev.plutus.ingest.IngestCounters;
import dev.plutus.store.StatsQueries;
import dev.plutus.store.UsageTotals;
import java.time.Instant;
import java.util.Map;

/** {@code GET /metrics} in the Prometheus text format (version 0.0.4). */
final class MetricsText {
    private final StatsQueries stats;
    private final BudgetGate gate;
    private final Reservations reservations;
    private final HookCounters hooks;
    private final RunwayStore runway;
    private final DaemonStatus status;
    private final IngestCounters ingest;

    MetricsText(StatsQueries stats, BudgetGate gate, Reservations reservations, HookCounters hooks, RunwayStore runway,
            DaemonStatus status, IngestCounters ingest) {
        this.stats = stats;
        this.gate = gate;
        this.reservations = reservations;
        this.hooks = hooks;
        this.runway = runway;
        this.status = status;
        this.ingest = ingest;
    }

    String render() {
        StringBuilder out = new StringBuilder(4096);
        header(out, "plutus_start_time_seconds", "gauge", "When this daemon started, in Unix seconds.");
        out.append("plutus_start_time_seconds ").append(status.startedAt().getEpochSecond()).append('\n');

        var usage = stats.usage(StatsQueries.Grouping.MODEL, Instant.EPOCH);
        header(out, "plutus_spend_usd_total", "counter", "Recorded model spend in US dollars, by provider and model.");
        for (UsageTotals u : usage) {
            out.append("plutus_spend_usd_total").append(labels("provider", u.provider(), "model", u.model())).append(' ')
                    .append(Money.microsToUsd(u.costMicros()).toPlainString()).append('\n');
        }
        header(out, "plutus_calls_total", "counter", "Recorded model calls, by provider and model.");
        for (UsageTotals u : usage) {
            out.append("plutus_calls_total").append(labels("provider", u.provider(), "model", u.model())).append(' ')
                    .append(u.calls()).append('\n');
        }
        header(out, "plutus_unpriced_calls_total", "counter", "Calls no price entry matched (counted at a provisional price, or $0 under on_unpriced: warn_only).");
        for (UsageTotals u : usage) {
            out.append("plutus_unpriced_calls_total").append(labels("provider", u.provider(), "model", u.model())).append(' ')
                    .append(u.unpricedCalls()).append('\n');
        }
        header(out, "plutus_tokens_total", "counter", "Tokens by provider, model and class (reasoning is part of output).");
        for (UsageTotals u : usage) {
            tokens(out, u, "input", u.inputTokens());
            tokens(out, u, "output", u.outputTokens());
            tokens(out, u, "cache_read", u.cacheReadTokens());
            tokens(out, u, "cache_write", u.cacheWriteTokens());
            tokens(out, u, "reasoning", u.reasoningTokens());
        }

        header(out, "plutus_verdicts_total", "counter", "Budget checks answered, by level.");
        for (Map.Entry<Level, Long> e : gate.verdictCounts().entrySet()) {
            out.append("plutus_verdicts_total").append(labels("level", e.getKey().label())).append(' ').append(e.getValue()).append('\n');
        }
        // Runway as of the newest snapshot (the daemon takes one every router.every): a scrape never calls a provider.
        var latest = runway.recentSnapshots(1);
        header(out, "plutus_runway_remaining_usd", "gauge", "Money left per provider at the last runway snapshot (live or estimated).");
        latest.forEach((provider, snaps) -> snaps.stream().filter(x -> x.remainingMicros() != null).forEach(x ->
                out.append("plutus_runway_remaining_usd").append(labels("provider", provider, "source", x.source())).append(' ')
                        .append(Money.microsToUsd(x.remainingMicros()).toPlainString()).append('\n')));
        header(out, "plutus_runway_days_left", "gauge", "Days of runway per provider at the last snapshot (absent when nothing is burning).");
        latest.forEach((provider, snaps) -> snaps.stream().filter(x -> x.daysLeft() != null).forEach(x ->
                out.append("plutus_runway_days_left").append(labels("provider", provider)).append(' ')
                        .append(x.daysLeft().toPlainString()).append('\n')));
        header(out, "plutus_reservations_held_usd", "gauge", "Money held now for model calls in flight (all scopes count toward global).");
        out.append("plutus_reservations_held_usd ").append(Money.microsToUsd(reservations.heldMicros(dev.plutus.budget.ScopeRef.GLOBAL))
                .toPlainString()).append('\n');
        header(out, "plutus_shared_reservations_total", "counter",
                "Shared-mode reservations, by where they were decided: exactly in the store, or in memory from a claimed slice.");
        new java.util.TreeMap<>(reservations.paths()).forEach((path, n) -> out.append("plutus_shared_reservations_total")
                .append(labels("decided", path)).append(' ').append(n).append('\n'));

        header(out, "plutus_hook_events_total", "counter", "Hook events handled, by event (and malformed, unknown, errors).");
        hooks.snapshot().forEach((k, v) -> out.append("plutus_hook_events_total")
                .append(labels("kind", k)).append(' ').append(v).append('\n'));
        histogram(out, "plutus_hook_latency_seconds", "Time to answer a hook request.", status.hookLatency());

        header(out, "plutus_ingest_requests_total", "counter", "POST /v1/usage requests, by status code.");
        ingest.requestsByStatus().forEach((code, n) -> out.append("plutus_ingest_requests_total")
                .append(labels("code", Integer.toString(code))).append(' ').append(n).append('\n'));
        header(out, "plutus_ingest_events_total", "counter", "Events sent to /v1/usage, by outcome.");
        out.append("plutus_ingest_events_total").append(labels("outcome", "recorded")).append(' ').append(ingest.recorded()).append('\n');
        out.append("plutus_ingest_events_total").append(labels("outcome", "blocked")).append(' ').append(ingest.blocked()).append('\n');
        out.append("plutus_ingest_events_total").append(labels("outcome", "duplicate")).append(' ').append(ingest.duplicates()).append('\n');
        header(out, "plutus_otlp_exports_waiting", "gauge",
                "POST /v1/traces exports waiting for the children of spans that name no operation.");
        out.append("plutus_otlp_exports_waiting ").append(ingest.otlpWaiting()).append('\n');
        header(out, "plutus_otlp_undecided_spans_total", "counter",
                "OTLP spans decided by waiting on other exports: wrappers a child came for, calls counted after their grace or without it, late children counted in their parent.");
        ingest.undecidedByOutcome().forEach((outcome, n) -> out.append("plutus_otlp_undecided_spans_total")
                .append(labels("outcome", outcome)).append(' ').append(n).append('\n'));
        return out.toString();
    }

    private static void tokens(StringBuilder out, UsageTotals u, String kind, long n) {
        out.append("plutus_tokens_total").append(labels("provider", u.provider(), "model", u.model(), "class", kind))
                .append(' ').append(n).append('\n');
    }

    private static void histogram(StringBuilder out, String name, String help, LatencyHistogram h) {
        header(out, name, "histogram", help);
        double[] bounds = LatencyHistogram.boundsSeconds();
        long[] cumulative = h.cumulativeCounts();
        for (int i = 0; i < bounds.length; i++) {
            out.append(name).append("_bucket").append(labels("le", Double.toString(bounds[i]))).append(' ')
                    .append(cumulative[i]).append('\n');
        }
        out.append(name).append("_bucket").append(labels("le", "+Inf")).append(' ').append(cumulative[cumulative.length - 1]).append('\n');
        out.append(name).append("_sum ").append(h.sumSeconds()).append('\n');
        out.append(name).append("_count ").append(h.count()).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** {@code {k="v",…}} with values escaped as the format requires (backslash, quote, newline). */
    static String labels(String... kv) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            String v = kv[i + 1] == null ? "" : kv[i + 1];
            b.append(kv[i]).append("=\"")
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return b.append('}').toString();
    }
}
