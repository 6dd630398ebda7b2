package dev.plutus.runway;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.Money;
import dev.plutus.store.RunwayStore;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Low-runway alerts: a provider whose money left falls below {@code balance_below_usd}, or whose
 * days left fall below {@code days_left_below}. Each crossing alerts once (webhook, command, a
 * notice in the next Hermes turn); it re-arms when the provider is back above the threshold.
 */
public final class RunwayAlerts {
    private static final Logger LOG = LoggerFactory.getLogger(RunwayAlerts.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final RunwayStore store;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public RunwayAlerts(RunwayStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A low-runway condition that holds now. */
    public record Alert(ProviderRunway provider, String kind, String message, String threshold) {}

    /** Raises new crossings (and delivers them), clears conditions that ended; returns the new ones. */
    public List<Alert> evaluate(RunwayConfig cfg, List<ProviderRunway> providers) {
        List<Alert> fresh = new ArrayList<>();
        for (ProviderRunway r : providers) {
            Long balanceBelow = r.config().balanceBelowMicros() != null ? r.config().balanceBelowMicros() : cfg.alerts().balanceBelowMicros();
            BigDecimal daysBelow = r.config().daysLeftBelow() != null ? r.config().daysLeftBelow() : cfg.alerts().daysLeftBelow();
            if (r.remainingMicros() == null) {
                continue; // unknown is not low: an unreadable provider says so in its row instead
            }
            if (balanceBelow != null) {
                boolean low = r.remainingMicros() < balanceBelow;
                check(r, "balance", low, "Runway low: " + r.name() + " has " + Money.usd2(r.remainingMicros()) + " left ("
                        + r.source().label() + "), below " + Money.usd2(balanceBelow) + ".", Money.usd2(balanceBelow), fresh);
            }
            if (daysBelow != null) {
                boolean low = r.daysLeft() != null && r.daysLeft().compareTo(daysBelow) < 0;
                check(r, "days_left", low, "Runway low: " + r.name() + " has " + (r.daysLeft() == null ? "?" : r.daysLeft().toPlainString())
                        + " days left at " + Money.usd2(r.burnMicrosPerDay()) + "/day (below " + daysBelow.toPlainString() + " days)"
                        + (r.exhaustsOn() == null ? "" : "; runs out around " + r.exhaustsOn()) + ".", daysBelow.toPlainString() + " days", fresh);
            }
        }
        for (Alert a : fresh) {
            LOG.warn("{}", a.message());
            deliver(cfg, a);
        }
        return fresh;
    }

    private void check(ProviderRunway r, String kind, boolean low, String message, String threshold, List<Alert> fresh) {
        if (low) {
            if (store.raiseAlert(r.name(), kind, clock.instant(), message)) {
                fresh.add(new Alert(r, kind, message, threshold));
            }
        } else if (store.clearAlert(r.name(), kind, clock.instant())) {
            LOG.info("runway alert cleared: {} {} is back above {}", r.name(), kind, threshold);
        }
    }

    static ObjectNode payload(Alert a, java.time.Instant at) {
        ObjectNode o = JSON.createObjectNode().put("event", "plutus.runway_low").put("provider", a.provider().name())
                .put("kind", a.kind()).put("message", a.message()).put("threshold", a.threshold()).put("at", at.toString())
                .put("source", a.provider().source().label());
        if (a.provider().remainingMicros() != null) {
            o.put("remaining_usd", Money.microsToUsd(a.provider().remainingMicros()));
        }
        if (a.provider().daysLeft() != null) {
            o.put("days_left", a.provider().daysLeft());
        }
        o.put("burn_usd_per_day", Money.microsToUsd(a.provider().burnMicrosPerDay()));
        return o;
    }

    private void deliver(RunwayConfig cfg, Alert a) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(payload(a, clock.instant()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (cfg.alerts().webhook() != null) {
            try {
                HttpResponse<Void> resp = http.send(HttpRequest.newBuilder(cfg.alerts().webhook()).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").header("User-Agent", "plutus")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
                if (resp.statusCode() / 100 != 2) {
                    LOG.warn("runway alert webhook {} answered HTTP {}", cfg.alerts().webhook().getHost(), resp.statusCode());
                }
            } catch (IOException e) {
                LOG.warn("runway alert webhook {} failed: {}", cfg.alerts().webhook().getHost(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (cfg.alerts().command() != null) {
            runCommand(cfg.alerts().command(), body, a.message());
        }
    }

    /** Runs the command through {@code sh -c} with the alert as JSON on stdin and its text in PLUTUS_ALERT; 30 s at most. */
    private static void runCommand(String command, byte[] json, String message) {
        try {
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("PLUTUS_ALERT", message);
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(json);
            } catch (IOException ignored) {
                // the command need not read its stdin
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("runway alert command timed out after 30 s: {}", command);
            } else if (p.exitValue() != 0) {
                LOG.warn("runway alert command exited {}: {}", p.exitValue(), command);
            }
        } catch (IOException e) {
            LOG.warn("runway alert command failed to start: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
