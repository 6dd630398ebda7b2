package dev.plutus.ingest;

import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How {@code /v1/usage} meters an organisation: the {@code ingest:} section of plutus.yaml.
 * {@code trackedLimit} is tokens per calendar month (0 = none); past it events are still recorded
 * and flagged, unless {@code blockOverFreeLimit} turns the cap into a 402. {@code balanceUsd}, when
 * set, is a prepaid balance every ingested call draws down. A key's rate is limited twice: in
 * requests ({@code requestsPerSecond}, {@code burst}) and in events ({@code eventsPerSecond},
 * {@code eventBurst}), so 1,000-event batches cannot go 1,000 times as fast as single events.
 * {@code otlp} is how {@code /v1/traces} waits to tell a wrapper span from a call.
 */
public record IngestSettings(String orgId, String tier, long trackedLimit, boolean blockOverFreeLimit, int workspaceCap,
                             String upgradeUrl, BigDecimal balanceUsd, double requestsPerSecond, int burst,
                             double eventsPerSecond, int eventBurst, OtlpSettings otlp) {
    static final List<String> KEYS = List.of("org_id", "tier", "tracked_limit", "block_over_free_limit", "workspace_cap",
            "upgrade_url", "balance_usd", "rate_limit", "otlp");

    public IngestSettings {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(otlp, "otlp");
        if (trackedLimit < 0 || workspaceCap < 1 || requestsPerSecond <= 0 || burst < 1 || eventsPerSecond <= 0
                || eventBurst < UsageEventParser.MAX_EVENTS) {
            throw new IllegalArgumentException("tracked_limit >= 0, workspace_cap >= 1, rate_limit > 0, burst >= 1 and event_burst >= "
                    + UsageEventParser.MAX_EVENTS + " required");
        }
    }

    /**
     * A self-hosted instance: no token cap, 100 workspaces, per key 500 requests/s with bursts of
     * 1,000 and 20,000 events/s with bursts of 50,000, no upgrade URL, OTLP's {@link OtlpSettings#defaults()}.
     */
    public static IngestSettings defaults() {
        return new IngestSettings("org_local", "self-hosted", 0, false, 100, null,
                null, 500, 1_000, 20_000, 50_000, OtlpSettings.defaults());
    }

    public boolean capped() {
        return trackedLimit > 0;
    }

    /** Reads the {@code ingest:} section of {@code file}; a missing file or section means the defaults. */
    public static IngestSettings load(Path file) {
        if (!Files.exists(file)) {
            return defaults();
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static IngestSettings parse(String yaml, String fileName) {
        YamlNode root = dev.plutus.config.SettingsFile.root(yaml, fileName);
        YamlNode n = root.get("ingest");
        IngestSettings d = defaults();
        if (n.isMissing() || n.isNull()) {
            return d;
        }
        n.requireOnlyKeys(KEYS);
        long limit = n.get("tracked_limit").wholeNumber().orElse(d.trackedLimit());
        if (limit < 0) {
            throw n.get("tracked_limit").error("tracked_limit must be 0 (no cap) or a positive number of tokens");
        }
        long cap = n.get("workspace_cap").wholeNumber().orElse((long) d.workspaceCap());
        if (cap < 1 || cap > 1_000_000) {
            throw n.get("workspace_cap").error("workspace_cap must be between 1 and 1000000");
        }
        YamlNode rate = n.get("rate_limit");
        double perSecond = d.requestsPerSecond();
        long burst = d.burst();
        double eventsPerSecond = d.eventsPerSecond();
        long eventBurst = d.eventBurst();
        if (!rate.isMissing() && !rate.isNull()) {
            rate.requireOnlyKeys(List.of("requests_per_second", "burst", "events_per_second", "event_burst"));
            perSecond = rate.get("requests_per_second").decimal().map(BigDecimal::doubleValue).orElse(perSecond);
            if (perSecond <= 0) {
                throw rate.get("requests_per_second").error("requests_per_second must be positive");
            }
            burst = rate.get("burst").wholeNumber().orElse(Math.max(1, (long) Math.ceil(perSecond * 2)));
            if (burst < 1 || burst > 1_000_000) {
                throw rate.get("burst").error("burst must be between 1 and 1000000");
            }
            eventsPerSecond = rate.get("events_per_second").decimal().map(BigDecimal::doubleValue).orElse(eventsPerSecond);
            if (eventsPerSecond <= 0) {
                throw rate.get("events_per_second").error("events_per_second must be positive");
            }
            eventBurst = rate.get("event_burst").wholeNumber().orElse(Math.max(eventBurst, (long) Math.ceil(eventsPerSecond * 2)));
            if (eventBurst < UsageEventParser.MAX_EVENTS || eventBurst > 100_000_000) {
                throw rate.get("event_burst").error("event_burst must be between " + UsageEventParser.MAX_EVENTS
                        + " (one full batch) and 100000000");
            }
        }
        return new IngestSettings(n.get("org_id").textOr(d.orgId()), n.get("tier").textOr(limit > 0 ? "free" : d.tier()),
                limit, n.get("block_over_free_limit").bool().orElse(false), (int) cap,
                n.get("upgrade_url").textOr(d.upgradeUrl()), n.get("balance_usd").nonNegativeDecimal().orElse(null),
                perSecond, (int) burst, eventsPerSecond, (int) eventBurst, OtlpSettings.parse(n.get("otlp")));
    }
}
