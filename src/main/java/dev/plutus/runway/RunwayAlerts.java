package dev.plutus.runway;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.Money;
import dev.plutus.store.RunwayStore;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Low-runway alerts: a provider whose money left falls below {@code balance_below_usd}, or whose
 * days left fall below {@code days_left_below}. Each crossing alerts once (webhook, command, a
 * notice in the next Hermes turn); it re-arms only when the provider is back 10% above the
 * threshold, so one hovering at it does not alert on every reading. Webhook deliveries go through a
 * stored outbox: one that fails is tried again with growing pauses (1 min doubling to 1 h) until the
 * webhook takes it, across restarts.
 */
public final class RunwayAlerts {
    private static final Logger LOG = LoggerFactory.getLogger(RunwayAlerts.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final RunwayStore store;
    private final Clock clock;
    /** Re-arming needs the value back above the threshold by this fraction of it. */
    static final BigDecimal REARM_MARGIN = new BigDecimal("0.10");
    static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    static final Duration LONGEST_RETRY = Duration.ofHours(1);
    /** How long a claimed alert is held for its sender: well past the webhook's connect and answer timeouts. */
    static final Duration SEND_LEASE = Duration.ofMinutes(2);
    /** How old a balance-less provider's calibration may get before the user is asked for a fresh console balance. */
    static final Duration RECALIBRATE_AFTER = Duration.ofDays(3);
    static final String RECALIBRATE = "recalibrate";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> env;

    public RunwayAlerts(RunwayStore store, Clock clock) {
        this(store, clock, Map.of());
    }

    /** {@code env}: where the webhook's auth header value is looked up. */
    public RunwayAlerts(RunwayStore store, Clock clock, Map<String, String> env) {
        this.store = store;
        this.clock = clock;
        this.env = Map.copyOf(env);
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
                boolean clear = BigDecimal.valueOf(r.remainingMicros()).compareTo(rearmAt(BigDecimal.valueOf(balanceBelow))) >= 0;
                check(r, "balance", low, clear, "Runway low: " + r.name() + " has " + Money.usd2(r.remainingMicros()) + " left ("
                        + r.source().label() + "), below " + Money.usd2(balanceBelow) + ".", Money.usd2(balanceBelow), fresh);
            }
            if (daysBelow != null) {
                boolean low = r.daysLeft() != null && r.daysLeft().compareTo(daysBelow) < 0;
                boolean clear = r.daysLeft() == null || r.daysLeft().compareTo(rearmAt(daysBelow)) >= 0;
                check(r, "days_left", low, clear, "Runway low: " + r.name() + " has " + (r.daysLeft() == null ? "?" : r.daysLeft().toPlainString())
                        + " days left at " + Money.usd2(r.burnMicrosPerDay()) + "/day (below " + daysBelow.toPlainString() + " days)"
                        + (r.exhaustsOn() == null ? "" : "; runs out around " + r.exhaustsOn()) + ".", daysBelow.toPlainString() + " days", fresh);
            }
        }
        for (Alert a : fresh) {
            LOG.warn("{}", a.message());
            deliver(cfg, a);
        }
        deliverPending(cfg);
        return fresh;
    }

    private static BigDecimal rearmAt(BigDecimal threshold) {
        return threshold.add(threshold.multiply(REARM_MARGIN));
    }

    private void check(ProviderRunway r, String kind, boolean low, boolean clear, String message, String threshold, List<Alert> fresh) {
        if (low) {
            if (store.raiseAlert(r.name(), kind, clock.instant(), message)) {
                fresh.add(new Alert(r, kind, message, threshold));
            }
        } else if (clear && store.clearAlert(r.name(), kind, clock.instant())) {
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
            store.enqueueAlert(clock.instant(), new String(body, StandardCharsets.UTF_8));
        }
        if (cfg.alerts().command() != null) {
            runCommand(cfg.alerts().command(), body, a.message());
        }
    }

    /**
     * Sends every stored alert whose next try is due to the webhook, each claimed first so that two
     * processes never both send it; one it does not take (no 2xx, no
     * answer, the auth variable unset) stays, to be tried again after twice the last pause. Returns how many were delivered.
     */
    public int deliverPending(RunwayConfig cfg) {
        URI hook = cfg.alerts().webhook();
        if (hook == null) {
            return 0;
        }
        int delivered = 0;
        for (RunwayStore.PendingAlert p : store.dueAlerts(clock.instant())) {
            if (!store.claimAlert(p, clock.instant().plus(SEND_LEASE))) {
                continue; // another process (the daemon's tick, a `plutus runway`) is sending this one
            }
            String error = send(cfg, hook, p.body());
            if (error == null) {
                store.alertDelivered(p.id(), clock.instant());
                delivered++;
            } else {
                Duration pause = backoff(p.attempts() + 1);
                store.alertFailed(p.id(), clock.instant().plus(pause), error);
                LOG.warn("runway alert webhook {}: {} (try {}; next in {} min)", hook.getHost(), error, p.attempts() + 1, pause.toMinutes());
            }
        }
        return delivered;
    }

    /** The pause after the {@code attempt}-th failed try: 1 min, 2, 4, ... at most an hour. */
    static Duration backoff(int attempt) {
        Duration d = FIRST_RETRY;
        for (int i = 1; i < attempt && d.compareTo(LONGEST_RETRY) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : d;
    }

    /** Null when the webhook took it; else why not (never with the auth value in it). */
    private String send(RunwayConfig cfg, URI hook, String body) {
        HttpRequest.Builder req = HttpRequest.newBuilder(hook).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("User-Agent", "plutus")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        String authEnv = cfg.alerts().webhookAuthEnv();
        if (authEnv != null) {
            String value = env.get(authEnv);
            if (value == null || value.isBlank()) {
                return "environment variable " + authEnv + " (alerts.webhook_auth_env) is not set";
            }
            req.header(cfg.alerts().webhookAuthHeader(), value.strip());
        }
        try {
            HttpResponse<Void> resp = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
            return resp.statusCode() / 100 == 2 ? null : "answered HTTP " + resp.statusCode();
        } catch (IOException e) {
            return "failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (IllegalArgumentException e) {
            return "refused the request: " + e.getMessage();
        }
    }

    /**
     * Asks for a fresh console balance of every provider without a balance API whose calibration is
     * older than three days: a standing notice (in /runway, /budget, and once in the next Hermes turn)
     * that ends when the provider is calibrated again.
     */
    public void remindRecalibration(RunwayConfig cfg, Map<String, RunwayStore.Calibration> calibrations, java.time.ZoneId zone) {
        remindRecalibration(cfg, calibrations, zone, new SetupHints(null));
    }

    /** {@code hints}: the commands to print, for the home in use. */
    public void remindRecalibration(RunwayConfig cfg, Map<String, RunwayStore.Calibration> calibrations, java.time.ZoneId zone,
            SetupHints hints) {
        Instant now = clock.instant();
        for (ProviderConfig p : cfg.providers()) {
            RunwayStore.Calibration c = calibrations.get(p.name());
            if (c == null || p.kind().hasBalanceApi()) {
                continue;
            }
            Duration age = Duration.between(c.at(), now);
            if (age.compareTo(RECALIBRATE_AFTER) > 0) {
                store.raiseAlert(p.name(), RECALIBRATE, now, "Recalibrate " + p.name() + ": its balance was last read off the console "
                        + age.toDays() + " days ago (" + java.time.LocalDate.ofInstant(c.at(), zone) + "); Plutus's estimate drifts from it. "
                        + "Read the console and run `" + hints.calibrate(p.name()) + "`.");
            } else {
                store.clearAlert(p.name(), RECALIBRATE, now);
            }
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
