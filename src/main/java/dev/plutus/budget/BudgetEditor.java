package dev.plutus.budget;

import dev.plutus.core.Money;
import dev.plutus.core.NearestWord;
import dev.plutus.config.AtomicFiles;
import dev.plutus.config.YamlEditor;
import dev.plutus.config.YamlPath;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code /budget set <scope> [<id>] <window> <amount>}: changes one limit in budget.yaml, leaving
 * every other line of the file as it was, and refuses to write a file that would not load.
 */
public final class BudgetEditor {
    private BudgetEditor() {}

    /** A parsed {@code /budget set} request. {@code id} is null for global and for a scope's default. */
    public record SetRequest(ScopeKind kind, String id, Window window, long limitMicros) {}

    /** Parses the words after {@code set}. */
    public static SetRequest parse(List<String> args) {
        if (args.size() < 3 || args.size() > 4) {
            throw new IllegalArgumentException(
                    "usage: /budget set <scope> [<id>] <window> <amount>, e.g. /budget set global daily 5.00");
        }
        ScopeKind kind = scope(args.get(0));
        String id = args.size() == 4 ? args.get(1) : null;
        if (kind == ScopeKind.GLOBAL && id != null) {
            throw new IllegalArgumentException("the global scope takes no id");
        }
        Window window = window(args.get(args.size() - 2));
        String amount = args.get(args.size() - 1).replace("$", "").replace(",", "");
        BigDecimal usd;
        try {
            usd = new BigDecimal(amount.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a dollar amount: '" + abbreviated(amount) + "'");
        }
        String unset = "/budget unset " + args.get(0) + (id == null ? "" : " " + id) + " " + window.label();
        if (usd.signum() < 0) {
            throw new IllegalArgumentException("a limit cannot be negative, got " + abbreviated(amount) + "; to enforce no limit on this"
                    + " window, remove it with " + unset);
        }
        if (usd.compareTo(Limits.MAX_USD) > 0) {
            throw new IllegalArgumentException(dollars(usd, amount) + " is over the largest limit Plutus takes ("
                    + grouped(Limits.MAX_USD) + " per window); to enforce no limit on this window,"
                    + " remove it with " + unset);
        }
        try {
            return new SetRequest(kind, id, window, Money.usdToMicros(usd));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("not a dollar amount Plutus can hold: '" + abbreviated(amount)
                    + "' (amounts are held to the micro-dollar, $0.000001)");
        }
    }

    /** What the user typed, cut short when it is long: an error echoes {@code 1e9999} as typed, never its 10,000 digits. */
    private static String abbreviated(String typed) {
        String t = typed.strip();
        return t.length() <= 24 ? t : t.substring(0, 20) + "… (" + t.length() + " characters)";
    }

    /** An amount over the cap, in dollars with thousands separators when it is of a size to read, else as typed (abbreviated). */
    private static String dollars(BigDecimal usd, String typed) {
        return usd.compareTo(new BigDecimal("1000000000000000")) < 0 ? grouped(usd) : "$" + abbreviated(typed);
    }

    /** {@code $2,000,000,000.00}: a large amount in an error, readable at a glance (Money.display has no separators). */
    private static String grouped(BigDecimal usd) {
        String s = String.format(java.util.Locale.ROOT, "$%,.2f", usd);
        return s.endsWith(".00") ? s.substring(0, s.length() - 3) : s;
    }

    private static final List<String> SCOPES = List.of("global", "cron_job", "sender", "provider", "model", "session");
    private static final List<String> WINDOWS = List.of("daily", "weekly", "monthly", "rolling_24h", "rolling_7d");

    private static ScopeKind scope(String text) {
        return ScopeKind.byLabel(text).orElseThrow(() -> new IllegalArgumentException(
                "unknown scope '" + text + "'" + NearestWord.hint(text, SCOPES) + " (" + String.join(", ", SCOPES) + ")"));
    }

    private static Window window(String text) {
        return Window.byLabel(text).orElseThrow(() -> new IllegalArgumentException(
                "unknown window '" + text + "'" + NearestWord.hint(text, WINDOWS) + " (" + String.join(", ", WINDOWS) + ")"));
    }

    /** A parsed {@code /budget unset} request: which limit to remove. {@code id} is null for global and for a scope's default. */
    public record UnsetRequest(ScopeKind kind, String id, Window window) {}

    /** Parses the words after {@code unset}: {@code <scope> [<id>] <window>}. */
    public static UnsetRequest parseUnset(List<String> args) {
        if (args.size() < 2 || args.size() > 3) {
            throw new IllegalArgumentException("usage: /budget unset <scope> [<id>] <window>, e.g. /budget unset global daily");
        }
        ScopeKind kind = scope(args.get(0));
        String id = args.size() == 3 ? args.get(1) : null;
        if (kind == ScopeKind.GLOBAL && id != null) {
            throw new IllegalArgumentException("the global scope takes no id");
        }
        return new UnsetRequest(kind, id, window(args.get(args.size() - 1)));
    }

    /**
     * Removes the limit's line from the file, leaving every other line as it was; refuses when the
     * limit is not there, or is not written as {@code field: amount} on a line of its own (then it
     * is the user's to edit by hand). Returns the new text.
     */
    public static String unset(Path file, UnsetRequest r, ZoneId defaultZone) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no limit to remove: " + file + " does not exist");
        }
        String onDisk = Files.readString(file, StandardCharsets.UTF_8);
        BudgetConfig before = BudgetConfigParser.parse(onDisk, file.toString(), defaultZone);
        ScopeRef ref = r.kind() == ScopeKind.GLOBAL ? ScopeRef.of(ScopeKind.GLOBAL, "") : r.id() == null ? null : ScopeRef.of(r.kind(), r.id());
        List<String> path = new ArrayList<>(List.of("budgets", r.kind().yamlKey()));
        if (r.kind() != ScopeKind.GLOBAL) {
            if (r.id() == null) {
                path.add("default");
            } else {
                path.add("overrides");
                path.add(overrideKey(YamlEditor.of(onDisk, file.toString()).root(), r.kind(), r.id()));
            }
        }
        path.add(r.window().yamlField());
        dev.plutus.config.YamlNode node = YamlEditor.of(onDisk, file.toString()).root();
        for (String key : path) {
            node = node.get(key);
        }
        if (node.isMissing() || !node.isScalar()) {
            throw new IllegalArgumentException("no " + describeScope(r.kind(), r.id()) + " " + r.window().label() + " limit in " + file
                    + " to remove");
        }
        String[] lines = onDisk.split("(?<=\n)", -1);
        int line = node.line() - 1;
        String field = Pattern.quote(r.window().yamlField());
        if (line < 0 || line >= lines.length || !lines[line].matches("[ \\t]*" + field + "[ \\t]*:[^\\n{}\\[\\]]*\\R?")) {
            throw new IllegalArgumentException(file + ":" + (line + 1) + ": the " + r.window().label()
                    + " limit is not on a line of its own; remove it by hand");
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i != line) {
                out.append(lines[i]);
            }
        }
        String updated = pruneEmptied(out.toString(), path, file.toString());
        BudgetConfig after = BudgetConfigParser.parse(updated, file.toString(), defaultZone);
        if (ref != null && after.limitsFor(ref).perWindow().containsKey(r.window())
                && before.limitsFor(ref).perWindow().containsKey(r.window())
                && after.limitsFor(ref).perWindow().get(r.window()).equals(before.limitsFor(ref).perWindow().get(r.window()))) {
            throw new IllegalArgumentException("the " + r.window().label() + " limit of " + describeScope(r.kind(), r.id())
                    + " is set more than once in " + file + "; remove it by hand");
        }
        AtomicFiles.write(file, updated);
        return updated;
    }

    /**
     * The override's key as written in the file: {@code gpt-4.1} is budgeted as {@code gpt-4-1}, and
     * either spelling names it. The id itself when no key matches (the caller then reports it missing).
     */
    private static String overrideKey(dev.plutus.config.YamlNode root, ScopeKind kind, String id) {
        java.util.Set<String> keys = root.get("budgets").get(kind.yamlKey()).get("overrides").entries().keySet();
        if (keys.contains(id)) {
            return id;
        }
        String wanted = ScopeRef.canonicalId(kind, id);
        return keys.stream().filter(k -> ScopeRef.canonicalId(kind, k).equals(wanted)).findFirst().orElse(id);
    }

    /**
     * With its last limit gone a scope entry would be refused ("has no limits"): removes each key
     * along {@code path} that is left with nothing under it, innermost first, and writes
     * {@code budgets: {}} when no scope is left at all.
     */
    private static String pruneEmptied(String text, List<String> path, String fileName) {
        for (int depth = path.size() - 1; depth >= 1; depth--) {
            dev.plutus.config.YamlNode node = YamlEditor.of(text, fileName).root();
            for (String key : path.subList(0, depth)) {
                node = node.get(key);
            }
            if (node.isMissing() || !node.isNull() || node.keyLine() <= 0) {
                return text;
            }
            String[] lines = text.split("(?<=\n)", -1);
            int line = node.keyLine() - 1;
            String key = path.get(depth - 1);
            Pattern emptyKey = Pattern.compile("[ \\t]*(['\"]?)" + Pattern.quote(key) + "\\1[ \\t]*:[ \\t]*(#[^\\n]*)?(\\R?)");
            java.util.regex.Matcher m = emptyKey.matcher(line < lines.length ? lines[line] : "");
            if (!m.matches()) {
                return text;
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < lines.length; i++) {
                if (i != line) {
                    out.append(lines[i]);
                } else if (depth == 1) {
                    out.append(key).append(": {}").append(m.group(3).isEmpty() ? "" : "\n");
                }
            }
            text = out.toString();
        }
        return text;
    }

    public static String describe(UnsetRequest r) {
        return describe(r, java.util.Map.of());
    }

    /** As above, with a cron job's name beside its id ({@code cronJobNames} by id). */
    public static String describe(UnsetRequest r, java.util.Map<String, String> cronJobNames) {
        return "Removed the " + describeScope(r.kind(), r.id(), cronJobNames) + " " + r.window().label() + " limit.";
    }

    private static String describeScope(ScopeKind kind, String id) {
        return describeScope(kind, id, java.util.Map.of());
    }

    private static String describeScope(ScopeKind kind, String id, java.util.Map<String, String> cronJobNames) {
        return kind == ScopeKind.GLOBAL ? "global"
                : id == null ? kind.label() + " (default for every " + kind.label() + ")"
                : kind == ScopeKind.CRON_JOB ? "cron job " + CronJobIds.label(id, cronJobNames)
                : kind.label() + " " + id;
    }

    /** Writes the limit into the file (created if absent) and returns the new text. */
    public static String apply(Path file, SetRequest r, ZoneId defaultZone) throws IOException {
        String onDisk = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        if (onDisk != null) {
            // Editing a refused file would keep only what of it parses, plus the new limit: the rest of its limits would go.
            try {
                BudgetConfigParser.parse(onDisk, file.toString(), defaultZone);
            } catch (dev.plutus.config.ConfigException e) {
                throw new IllegalArgumentException("Not changed: " + file + " on disk is refused, and setting a limit in it would drop"
                        + " the limits it is meant to hold:\n  " + e.getMessage() + "\nFix the file first, then set the limit again.");
            }
        }
        String text = openNoBudget(onDisk == null ? "" : onDisk);
        List<String> path = new ArrayList<>(List.of("budgets", r.kind().yamlKey()));
        if (r.kind() != ScopeKind.GLOBAL) {
            if (r.id() == null) {
                path.add("default");
            } else {
                path.add("overrides");
                path.add(r.id());
            }
        }
        path.add(r.window().yamlField());
        String amount = Money.microsToUsd(r.limitMicros()).stripTrailingZeros().toPlainString();
        if (!amount.contains(".")) {
            amount = new BigDecimal(amount).setScale(2).toPlainString();
        }
        String updated = YamlEditor.of(text, file.toString()).setScalar(YamlPath.of(path), amount).text();
        BudgetConfigParser.parse(updated, file.toString(), defaultZone);
        AtomicFiles.write(file, updated);
        return updated;
    }

    private static final Pattern NO_BUDGET = Pattern.compile("(?m)^budgets:[ \\t]*\\{[ \\t]*}");

    /**
     * {@code budgets: {}} (no budget, said explicitly) becomes {@code budgets:} so the first limit
     * can go under it as an indented block; the editor leaves flow-style mappings alone otherwise.
     */
    private static String openNoBudget(String text) {
        return NO_BUDGET.matcher(text).replaceFirst("budgets:");
    }

    public static String describe(SetRequest r) {
        return describe(r, java.util.Map.of());
    }

    /** As above, with a cron job's name beside its id: {@code cron job d200f53be09d (nightly-digest)}. */
    public static String describe(SetRequest r, java.util.Map<String, String> cronJobNames) {
        return "Set " + describeScope(r.kind(), r.id(), cronJobNames) + " " + r.window().label() + " limit to "
                + Money.display(r.limitMicros()) + ".";
    }

}
