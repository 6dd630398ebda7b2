package dev.plutus.budget;

import dev.plutus.core.Money;
import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlDoc;
import dev.plutus.config.YamlNode;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads budget.yaml: hermes-telemetry's format ({@code budgets.global}, {@code per_cron_job},
 * {@code per_sender} with {@code default}/{@code overrides}, {@code thresholds}, {@code on_estimated})
 * plus weekly and rolling windows, per-provider/model/session scopes, {@code on_unpriced},
 * {@code timezone} and {@code week_start}. Every error names the file, line and field.
 *
 * <p>A file that would loosen the budget by accident is refused, never read as "no limits": an
 * empty or comments-only file, {@code budgets:} with nothing under it, a key left without a value
 * (a file cut mid-write, say), a scope with no limit, a duplicated key. The one way to enforce no
 * budget at all is to say so: {@code budgets: {}}.
 */
public final class BudgetConfigParser {
    private static final List<String> TOP = List.of("budgets", "thresholds", "on_estimated", "on_unpriced",
            "timezone", "week_start", "reservations");
    private static final List<String> MODES = List.of("warn_only", "enforce");
    private static final String NO_VALUE = "has no value (a file cut short, or a value left out): give it one or remove the key";
    private static final List<String> UNPRICED_MODES = List.of("provisional", "warn_only", "enforce");

    private BudgetConfigParser() {}

    /**
     * As {@link #parse(String, String, ZoneId)}, and refuses a cron job override written by the job's
     * name ({@code cronJobNames} by id, from the host): calls carry the id, so a limit keyed by the
     * name would match none of them and enforce nothing.
     */
    public static BudgetConfig parse(String yaml, String fileName, ZoneId defaultZone, Map<String, String> cronJobNames) {
        BudgetConfig parsed = parse(yaml, fileName, defaultZone);
        if (cronJobNames.isEmpty() || parsed.limits(ScopeKind.CRON_JOB).overrides().isEmpty()) {
            return parsed;
        }
        YamlNode overrides = YamlDoc.parse(yaml, fileName).get("budgets").get(ScopeKind.CRON_JOB.yamlKey()).get("overrides");
        for (Map.Entry<String, YamlNode> o : overrides.entries().entrySet()) {
            java.util.Optional<String> id = CronJobIds.idOfName(o.getKey(), cronJobNames);
            if (id.isPresent()) {
                throw o.getValue().keyError("is the name of cron job " + id.get() + ", but cron job budgets are keyed by the job's"
                        + " id (what its calls carry), so this one would enforce nothing: write " + id.get() + " instead of "
                        + o.getKey() + " (plutus budget set cron_job " + o.getKey() + " <window> <amount> does that)");
            }
        }
        return parsed;
    }

    public static BudgetConfig parse(String yaml, String fileName, ZoneId defaultZone) {
        YamlNode root = YamlDoc.parse(yaml, fileName);
        if (!root.isNull() && !root.isMapping()) {
            throw root.error("expected a mapping with a 'budgets' key");
        }
        root.requireOnlyKeys(TOP);
        YamlNode budgets = root.get("budgets");
        List<String> scopeKeys = new ArrayList<>();
        for (ScopeKind k : ScopeKind.values()) {
            scopeKeys.add(k.yamlKey());
        }
        budgets.requireOnlyKeys(scopeKeys);
        Map<ScopeKind, ScopeLimits> scopes = new EnumMap<>(ScopeKind.class);
        for (ScopeKind kind : ScopeKind.values()) {
            YamlNode n = budgets.get(kind.yamlKey());
            if (n.isNull()) {
                continue;
            }
            if (kind == ScopeKind.GLOBAL) {
                scopes.put(kind, new ScopeLimits(limits(n), Map.of()));
            } else {
                n.requireOnlyKeys(List.of("default", "overrides"));
                if (n.get("default").isMissing() && n.get("overrides").isMissing()) {
                    throw n.keyError("has no limits: give it a 'default' or 'overrides', or remove the scope");
                }
                if (n.get("overrides").isMapping() && n.get("overrides").entries().isEmpty()) {
                    throw n.get("overrides").keyError("is empty: list at least one id with its limits, or remove it");
                }
                Map<String, Limits> overrides = new HashMap<>();
                Map<String, String> written = new HashMap<>();
                for (Map.Entry<String, YamlNode> o : n.get("overrides").entries().entrySet()) {
                    String id = ScopeRef.canonicalId(kind, o.getKey());
                    if (overrides.put(id, limits(o.getValue())) != null) {
                        throw o.getValue().error("the same " + kind.label() + " is listed twice");
                    }
                    written.put(id, o.getKey().trim());
                }
                scopes.put(kind, new ScopeLimits(limits(n.get("default")), overrides, written));
            }
        }
        YamlNode th = root.get("thresholds");
        th.requireOnlyKeys(List.of("soft_pct", "hard_pct"));
        BigDecimal soft = fraction(th.get("soft_pct")).orElse(BudgetConfig.DEFAULT_SOFT);
        BigDecimal hard = fraction(th.get("hard_pct")).orElse(BudgetConfig.DEFAULT_HARD);
        if (soft.compareTo(hard) > 0) {
            throw th.get("soft_pct").error("soft_pct (" + soft.toPlainString() + ") must not be above hard_pct ("
                    + hard.toPlainString() + ")");
        }
        ZoneId zone = defaultZone;
        YamlNode tz = root.get("timezone");
        if (tz.text().isPresent()) {
            try {
                zone = ZoneId.of(tz.text().get().trim());
            } catch (DateTimeException e) {
                throw tz.error("unknown time zone '" + tz.text().get() + "' (use a name like Europe/Berlin)");
            }
        }
        DayOfWeek weekStart = DayOfWeek.MONDAY;
        YamlNode ws = root.get("week_start");
        if (ws.text().isPresent()) {
            try {
                weekStart = DayOfWeek.valueOf(ws.text().get().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ws.error("expected a day of the week such as monday or sunday, got '" + ws.text().get() + "'");
            }
        }
        ReservationSettings reservations = reservations(root.get("reservations"));
        requireValues(root);
        if (budgets.isMissing()) {
            int end = Math.max(1, (int) yaml.lines().count());
            throw new ConfigException(fileName + ":" + end + ": budgets: missing: the file "
                    + (root.isMissing() || root.isNull() ? "is empty or holds only comments" : "sets no 'budgets'")
                    + ". To enforce no budget at all, write 'budgets: {}'");
        }
        return new BudgetConfig(scopes, soft, hard, mode(root.get("on_estimated"), MODES, EnforcementMode.WARN_ONLY),
                mode(root.get("on_unpriced"), UNPRICED_MODES, EnforcementMode.PROVISIONAL), zone, weekStart, reservations);
    }

    /** Every key has a value: an empty one is a file cut short or a limit left out, not "no limit". */
    private static void requireValues(YamlNode n) {
        if (n.isList()) {
            n.items().forEach(BudgetConfigParser::requireValues);
            return;
        }
        if (!n.isMapping()) {
            return;
        }
        for (YamlNode v : n.entries().values()) {
            if (v.isNull()) {
                throw v.keyError(v.path().equals("budgets")
                        ? "is empty: list at least one scope under it, or write 'budgets: {}' to enforce no budget at all"
                        : NO_VALUE);
            }
            requireValues(v);
        }
    }

    private static ReservationSettings reservations(YamlNode n) {
        n.requireOnlyKeys(List.of("enabled", "expected_output_tokens", "ttl", "shared", "claim"));
        ReservationSettings d = ReservationSettings.DEFAULT;
        long expected = n.get("expected_output_tokens").wholeNumber().orElse(d.expectedOutputTokens());
        if (expected < 0) {
            throw n.get("expected_output_tokens").error("must not be negative");
        }
        java.time.Duration ttl = n.get("ttl").duration().orElse(d.ttl());
        java.time.Duration claim = n.get("claim").durationOrZero().orElse(d.claim().compareTo(ttl) > 0 ? ttl : d.claim());
        if (claim.compareTo(ttl) > 0) {
            throw n.get("claim").error("must not be longer than ttl (" + ttl.toSeconds() + "s)");
        }
        return new ReservationSettings(n.get("enabled").bool().orElse(d.enabled()), expected, ttl,
                n.get("shared").bool().orElse(d.shared()), claim);
    }

    private static Limits limits(YamlNode n) {
        Map<Window, Long> perWindow = new EnumMap<>(Window.class);
        List<String> fields = new ArrayList<>();
        for (Window w : Window.values()) {
            fields.add(w.yamlField());
        }
        n.requireOnlyKeys(fields);
        for (Window w : Window.values()) {
            YamlNode v = n.get(w.yamlField());
            if (v.isMissing()) {
                continue;
            }
            if (v.isNull()) {
                throw v.keyError(NO_VALUE);
            }
            BigDecimal usd = v.nonNegativeDecimal().orElseThrow();
            if (usd.compareTo(Limits.MAX_USD) > 0) {
                String got = usd.compareTo(new BigDecimal("1000000000000000")) < 0
                        ? String.format(java.util.Locale.ROOT, "$%,.2f", usd).replaceFirst("\\.00$", "")
                        : v.text().map(t -> t.length() <= 24 ? t : t.substring(0, 20) + "… (" + t.length() + " characters)").orElse("?");
                throw v.error("is over the largest limit Plutus takes ($1,000,000,000 per window), got " + got
                        + "; to enforce no limit on this window, remove this line (or run plutus budget unset with its scope and"
                        + " window)");
            }
            try {
                perWindow.put(w, Money.usdToMicros(usd));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw v.error(e.getMessage());
            }
        }
        if (perWindow.isEmpty() && !n.isMissing()) {
            throw n.keyError("has no limits: give it one (daily_usd: 5.00, say) or remove it");
        }
        return new Limits(perWindow);
    }

    private static java.util.Optional<BigDecimal> fraction(YamlNode n) {
        java.util.Optional<BigDecimal> d = n.nonNegativeDecimal();
        if (d.isPresent() && d.get().compareTo(BigDecimal.TEN) > 0) {
            throw n.error("is a fraction of the limit (0.80 = 80%), got " + d.get().toPlainString());
        }
        return d;
    }

    /** {@code on_estimated: {mode: enforce}} as in hermes-telemetry, or simply {@code on_estimated: enforce}. */
    private static EnforcementMode mode(YamlNode n, List<String> allowed, EnforcementMode absent) {
        if (n.isNull()) {
            return absent;
        }
        YamlNode m = n;
        if (n.isMapping()) {
            n.requireOnlyKeys(List.of("mode"));
            m = n.get("mode");
        }
        return m.oneOf(allowed).map(s -> EnforcementMode.valueOf(s.toUpperCase(Locale.ROOT))).orElse(absent);
    }
}
