package dev.plutus.hermes;

import dev.plutus.budget.BudgetConfigParser;
import dev.plutus.budget.Limits;
import dev.plutus.config.AtomicFiles;
import dev.plutus.config.Backups;
import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlDoc;
import dev.plutus.config.YamlNode;
import dev.plutus.core.Json;
import dev.plutus.core.Money;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * hermes-telemetry's {@code budget.yaml} as Plutus's. Only what the peer itself enforces is carried
 * over: {@code global}, {@code per_cron_job} and {@code per_sender} with {@code daily_usd} and
 * {@code monthly_usd}, {@code thresholds} and {@code on_estimated}. What it skipped (limits of zero or
 * less, values that are not numbers, keys it does not read) is left out, and {@code per_profile},
 * which Plutus has no scope for, is named as not carried over. Every such choice is a note for the user.
 */
public final class TelemetryBudget {
    private static final List<String> SCOPES = List.of("global", "per_cron_job", "per_sender");
    private static final List<String> WINDOWS = List.of("daily_usd", "monthly_usd");

    private TelemetryBudget() {}

    /** The converted file's text and what the user should know about the conversion. */
    public record Converted(String yaml, List<String> notes) {}

    /** What became of Plutus's budget.yaml. */
    public sealed interface Outcome permits NoPeerBudget, Written, Unchanged, KeptExisting {
        List<String> notes();
    }

    public record NoPeerBudget(Path peerFile) implements Outcome {
        public List<String> notes() {
            return List.of();
        }
    }

    /** {@code backup} is null when there was no budget.yaml before. */
    public record Written(Path target, Path backup, List<String> notes) implements Outcome {}

    public record Unchanged(Path target, List<String> notes) implements Outcome {}

    /** budget.yaml exists and differs, and --force was not given: the conversion went to {@code converted}. */
    public record KeptExisting(Path target, Path converted, List<String> notes) implements Outcome {}

    /**
     * Converts {@code peerFile} without writing anything: a file Plutus would refuse is an error
     * naming the peer file and the problem.
     */
    public static java.util.Optional<Converted> read(Path peerFile, ZoneId zone) {
        if (!Files.exists(peerFile)) {
            return java.util.Optional.empty();
        }
        String text;
        try {
            text = Files.readString(peerFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(peerFile + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return java.util.Optional.of(convert(text, peerFile.toString(), zone));
    }

    /** Writes {@code c} to {@code target}: only when there is none, or it says the same, or {@code force} (after a backup). */
    public static Outcome write(Converted c, Path target, Path converted, boolean force, Clock clock) throws IOException {
        if (Files.exists(target)) {
            String now = Files.readString(target, StandardCharsets.UTF_8);
            if (now.equals(c.yaml())) {
                return new Unchanged(target, c.notes());
            }
            if (!force) {
                AtomicFiles.write(converted, c.yaml());
                return new KeptExisting(target, converted, c.notes());
            }
            Path backup = Backups.backUp(target, clock);
            AtomicFiles.write(target, c.yaml());
            return new Written(target, backup, c.notes());
        }
        AtomicFiles.write(target, c.yaml());
        return new Written(target, null, c.notes());
    }

    static Converted convert(String text, String fileName, ZoneId zone) {
        YamlNode root;
        try {
            root = YamlDoc.parse(text, fileName);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        List<String> notes = new ArrayList<>();
        StringBuilder out = new StringBuilder("# Converted from hermes-telemetry's ").append(fileName)
                .append(" by `plutus import hermes-telemetry`.\n");
        if (!root.isMapping()) {
            notes.add(fileName + " holds no settings (hermes-telemetry enforces no budget from it): budgets: {}");
            out.append("budgets: {}\n");
            return checked(out.toString(), notes, fileName, zone);
        }
        for (String key : root.entries().keySet()) {
            if (!List.of("budgets", "thresholds", "on_estimated").contains(key)) {
                notes.add(key + ": not read by hermes-telemetry, left out");
            }
        }
        YamlNode budgets = root.get("budgets");
        StringBuilder scopes = new StringBuilder();
        if (budgets.isMapping()) {
            for (Map.Entry<String, YamlNode> s : budgets.entries().entrySet()) {
                if (s.getKey().equals("per_profile")) {
                    notes.add("budgets.per_profile: not carried over, Plutus has no per-profile scope (limit the senders or"
                            + " cron jobs of that profile, or the global spend, instead)");
                } else if (!SCOPES.contains(s.getKey())) {
                    notes.add("budgets." + s.getKey() + ": not a scope hermes-telemetry enforces, left out");
                } else if (s.getKey().equals("global")) {
                    Map<String, String> l = limits(s.getValue(), notes);
                    if (!l.isEmpty()) {
                        scopes.append("  global:\n");
                        appendLimits(scopes, l, "    ");
                    }
                } else {
                    perId(scopes, s.getKey(), s.getValue(), notes);
                }
            }
        }
        out.append(scopes.isEmpty() ? "budgets: {}\n" : "budgets:\n" + scopes);
        YamlNode th = root.get("thresholds");
        if (th.isMapping()) {
            StringBuilder t = new StringBuilder();
            for (String k : List.of("soft_pct", "hard_pct")) {
                number(th.get(k), notes).ifPresent(v -> t.append("  ").append(k).append(": ").append(v.toPlainString()).append('\n'));
            }
            if (!t.isEmpty()) {
                out.append("thresholds:\n").append(t);
            }
        }
        YamlNode est = root.get("on_estimated");
        if (est.isMapping() && est.get("mode").isScalar()) {
            String mode = est.get("mode").textOr("");
            if (!mode.equals("warn_only") && !mode.equals("enforce")) {
                // The peer degrades hard verdicts only for exactly "warn_only"; anything else enforces.
                notes.add("on_estimated.mode: '" + mode + "' is enforce for hermes-telemetry (only warn_only degrades), written as enforce");
                mode = "enforce";
            }
            out.append("on_estimated:\n  mode: ").append(mode).append('\n');
        }
        return checked(out.toString(), notes, fileName, zone);
    }

    /** The converted text must be a budget Plutus takes; if not, the peer file is named with the problem. */
    private static Converted checked(String yaml, List<String> notes, String fileName, ZoneId zone) {
        try {
            BudgetConfigParser.parse(yaml, "budget.yaml", zone);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(fileName + ": cannot be converted to a Plutus budget: " + e.getMessage(), e);
        }
        return new Converted(yaml, List.copyOf(notes));
    }

    private static void perId(StringBuilder out, String scope, YamlNode n, List<String> notes) {
        if (!n.isMapping()) {
            return;
        }
        Map<String, String> defaults = limits(n.get("default"), notes);
        Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
        if (n.get("overrides").isMapping()) {
            for (Map.Entry<String, YamlNode> o : n.get("overrides").entries().entrySet()) {
                Map<String, String> l = limits(o.getValue(), notes);
                if (l.isEmpty()) {
                    // The peer falls back to the default for an empty override, as Plutus does for a missing one.
                    continue;
                }
                for (String w : WINDOWS) {
                    if (!l.containsKey(w) && defaults.containsKey(w)) {
                        notes.add("budgets." + scope + ".overrides." + o.getKey() + ": hermes-telemetry applied no " + w
                                + " to it; Plutus applies the default's ($" + defaults.get(w) + ")");
                    }
                }
                overrides.put(o.getKey(), l);
            }
        }
        if (defaults.isEmpty() && overrides.isEmpty()) {
            return;
        }
        out.append("  ").append(scope).append(":\n");
        if (!defaults.isEmpty()) {
            out.append("    default:\n");
            appendLimits(out, defaults, "      ");
        }
        if (!overrides.isEmpty()) {
            out.append("    overrides:\n");
            for (Map.Entry<String, Map<String, String>> o : overrides.entrySet()) {
                out.append("      ").append(quoted(o.getKey())).append(":\n");
                appendLimits(out, o.getValue(), "        ");
            }
        }
    }

    /** The windows the peer enforces for a node: numbers above zero (it skips the rest), as written. */
    private static Map<String, String> limits(YamlNode n, List<String> notes) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!n.isMapping()) {
            return out;
        }
        for (Map.Entry<String, YamlNode> w : n.entries().entrySet()) {
            if (!WINDOWS.contains(w.getKey())) {
                notes.add(w.getValue().path() + ": not a window hermes-telemetry enforces, left out");
                continue;
            }
            java.util.Optional<BigDecimal> v = number(w.getValue(), notes);
            if (v.isEmpty()) {
                continue;
            }
            if (v.get().signum() <= 0) {
                notes.add(w.getValue().path() + ": " + v.get().toPlainString() + " is no limit for hermes-telemetry, left out");
            } else if (v.get().compareTo(Limits.MAX_USD) > 0) {
                notes.add(w.getValue().path() + ": $" + v.get().toPlainString() + " is over the largest limit Plutus takes, left out");
            } else {
                BigDecimal micros = v.get().setScale(6, java.math.RoundingMode.HALF_UP);
                if (micros.compareTo(v.get()) != 0) {
                    notes.add(w.getValue().path() + ": " + v.get().toPlainString() + " rounded to the micro-dollar, "
                            + Money.display(Money.usdToMicros(micros)));
                }
                out.put(w.getKey(), micros.stripTrailingZeros().toPlainString());
            }
        }
        return out;
    }

    private static java.util.Optional<BigDecimal> number(YamlNode n, List<String> notes) {
        if (n.isMissing() || n.isNull()) {
            return java.util.Optional.empty();
        }
        if (n.isScalar()) {
            try {
                BigDecimal d = new BigDecimal(n.textOr("").trim());
                if (d.abs().compareTo(new BigDecimal("1e15")) < 0) {
                    return java.util.Optional.of(d);
                }
            } catch (NumberFormatException e) {
                // a value the peer cannot read as a number it skips; so does the conversion
            }
        }
        notes.add(n.path() + ": not a number hermes-telemetry can use, left out");
        return java.util.Optional.empty();
    }

    private static void appendLimits(StringBuilder out, Map<String, String> limits, String indent) {
        for (Map.Entry<String, String> l : limits.entrySet()) {
            out.append(indent).append(l.getKey()).append(": ").append(l.getValue()).append('\n');
        }
    }

    private static String quoted(String id) {
        try {
            return Json.MAPPER.writeValueAsString(id);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
