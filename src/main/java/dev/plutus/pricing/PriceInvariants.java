package dev.plutus.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rules a price table must keep, checked when it loads (each break is a warning naming the entry,
 * the class, the price found and the price the rule gives) and over every shipped layer in CI.
 * Claude, wherever it is served: 5-minute cache write = 1.25 × input, 1-hour cache write = 2 ×
 * input, cache read = 0.1 × input, in the base prices and in every long-context tier (a tier that
 * raises input raises the cache prices with it); Claude Haiku 3 alone is published at 1.2 × and
 * 0.12 × for the 5-minute write and the read. Any model: a cache read never costs more than input.
 */
public final class PriceInvariants {
    private static final BigDecimal WRITE_5M = new BigDecimal("1.25");
    private static final BigDecimal WRITE_1H = new BigDecimal("2");
    private static final BigDecimal READ = new BigDecimal("0.1");
    private static final BigDecimal HAIKU3_WRITE = new BigDecimal("1.2");
    private static final BigDecimal HAIKU3_READ = new BigDecimal("0.12");

    private PriceInvariants() {}

    /** Every break in {@code table}, one line each. */
    public static List<String> check(PriceTable table) {
        List<String> out = new ArrayList<>();
        for (PriceEntry e : table.entries()) {
            out.addAll(check(e));
        }
        return out;
    }

    /** Every break in one entry, its dated changes and its time-of-day windows. */
    public static List<String> check(PriceEntry e) {
        List<String> out = new ArrayList<>();
        checkPeriod(e, e.key(), out);
        for (PriceEntry c : e.changes()) {
            checkPeriod(c, e.key() + " (from " + c.effectiveFrom() + ")", out);
        }
        return out;
    }

    private static void checkPeriod(PriceEntry p, String label, List<String> out) {
        checkFlat(p, label, out);
        for (PriceWindow w : p.windows()) {
            checkFlat(w.prices(), label + " (" + w.label() + ")", out);
        }
    }

    private static void checkFlat(PriceEntry e, String label, List<String> out) {
        if (e.variablePrice()) {
            return;
        }
        if (e.cacheRead().compareTo(e.input()) > 0) {
            out.add(label + ": cache_read " + plain(e.cacheRead()) + " is above input " + plain(e.input())
                    + "; a cache read never costs more than an uncached token");
        }
        if (!isClaude(e) || e.input().signum() == 0) {
            return;
        }
        int before = out.size();
        claude(label, "", e.input(), e.cacheRead(), e.cacheWrite(), e.cacheWrite1h(), out);
        // A class the file left out is filled later (from a lower layer, or a default): not the file's claim.
        for (String cls : e.defaulted()) {
            out.subList(before, out.size()).removeIf(w -> w.startsWith(label + ": " + cls + " is"));
        }
        for (PriceTier t : e.tiers()) {
            if (t.input() == null) {
                continue;
            }
            claude(label, " above " + t.abovePromptTokens() + " prompt tokens", t.input(),
                    t.cacheRead() != null ? t.cacheRead() : e.cacheRead(),
                    t.cacheWrite() != null ? t.cacheWrite() : e.cacheWrite(),
                    t.cacheWrite1h() != null ? t.cacheWrite1h() : e.cacheWrite1h(), out);
        }
    }

    private static void claude(String label, String where, BigDecimal input, BigDecimal read, BigDecimal write,
            BigDecimal write1h, List<String> out) {
        if (label.toLowerCase(Locale.ROOT).contains("claude-3-haiku") && write.compareTo(input.multiply(HAIKU3_WRITE)) == 0
                && read.compareTo(input.multiply(HAIKU3_READ)) == 0) {
            // Anthropic publishes Claude Haiku 3 at $0.30 write / $0.03 read on $0.25 input: the one exception.
            expect(label, where, "cache_write_1h", write1h, input, WRITE_1H, "Anthropic's 1-hour cache write", out);
            return;
        }
        expect(label, where, "cache_write", write, input, WRITE_5M, "Anthropic's 5-minute cache write", out);
        expect(label, where, "cache_write_1h", write1h, input, WRITE_1H, "Anthropic's 1-hour cache write", out);
        expect(label, where, "cache_read", read, input, READ, "Anthropic's cache read", out);
    }

    private static void expect(String label, String where, String field, BigDecimal found, BigDecimal input,
            BigDecimal factor, String rule, List<String> out) {
        BigDecimal want = input.multiply(factor);
        if (found.compareTo(want) != 0) {
            out.add(label + ": " + field + where + " is " + plain(found) + ", expected " + plain(want) + " (" + rule
                    + " = " + plain(factor) + " × input " + plain(input) + ")");
        }
    }

    /** A machine-written entry's prices as the rules give them, and one line per class changed. */
    public record Corrected(PriceEntry entry, List<String> corrections) {}

    /**
     * {@code flat} (one period's prices) with every class that breaks a rule priced as the rule
     * gives it, when {@code flat} comes from a machine-written layer (fetched or shipped: OpenRouter's,
     * LiteLLM's); the user's and the curated table's prices are returned as they are (a break there is
     * a warning). Claude's cache classes take their multiple of input (Haiku 3: its published 1.2 ×
     * and 0.12 ×), in the base prices and in each tier that sets its own input; any other model's
     * cache read above input is priced at input, the most the rule allows.
     */
    public static Corrected corrected(PriceEntry flat) {
        if (flat.variablePrice() || flat.origin() == PriceOrigin.USER || flat.origin() == PriceOrigin.BUILTIN) {
            return new Corrected(flat, List.of());
        }
        List<String> out = new ArrayList<>();
        String label = flat.origin().layerName() + " '" + flat.key() + "'";
        BigDecimal read = flat.cacheRead();
        BigDecimal write = flat.cacheWrite();
        BigDecimal write1h = flat.cacheWrite1h();
        List<PriceTier> tiers = flat.tiers();
        if (isClaude(flat) && flat.input().signum() > 0) {
            boolean haiku3 = flat.key().toLowerCase(Locale.ROOT).contains("claude-3-haiku");
            read = rule(label, "", "cache_read", read, flat.input(), haiku3 ? HAIKU3_READ : READ, "Anthropic's cache read", out);
            write = rule(label, "", "cache_write", write, flat.input(), haiku3 ? HAIKU3_WRITE : WRITE_5M,
                    "Anthropic's 5-minute cache write", out);
            write1h = rule(label, "", "cache_write_1h", write1h, flat.input(), WRITE_1H, "Anthropic's 1-hour cache write", out);
            List<PriceTier> fixed = new ArrayList<>();
            for (PriceTier t : tiers) {
                if (t.input() == null) {
                    fixed.add(t);
                    continue;
                }
                String where = " above " + t.abovePromptTokens() + " prompt tokens";
                fixed.add(new PriceTier(t.abovePromptTokens(), t.input(), t.output(),
                        rule(label, where, "cache_read", t.cacheRead() != null ? t.cacheRead() : read, t.input(),
                                haiku3 ? HAIKU3_READ : READ, "Anthropic's cache read", out),
                        rule(label, where, "cache_write", t.cacheWrite() != null ? t.cacheWrite() : write, t.input(),
                                haiku3 ? HAIKU3_WRITE : WRITE_5M, "Anthropic's 5-minute cache write", out),
                        rule(label, where, "cache_write_1h", t.cacheWrite1h() != null ? t.cacheWrite1h() : write1h, t.input(),
                                WRITE_1H, "Anthropic's 1-hour cache write", out)));
            }
            tiers = fixed;
        } else if (read.compareTo(flat.input()) > 0) {
            out.add(label + ": cache_read " + plain(read) + " is above input " + plain(flat.input())
                    + " (a cache read never costs more than an uncached token); priced at " + plain(flat.input()));
            read = flat.input();
        }
        if (out.isEmpty()) {
            return new Corrected(flat, List.of());
        }
        return new Corrected(new PriceEntry(flat.key(), flat.provider(), flat.input(), flat.output(), read, write, write1h,
                flat.reasoning(), tiers, flat.aliases(), flat.variablePrice(), flat.source(), flat.asOf(), flat.origin(),
                flat.perRequest(), flat.perImage(), flat.effectiveFrom(), List.of(), List.of(), flat.defaulted(), flat.note(),
                flat.estimated()), List.copyOf(out));
    }

    /** {@code found}, or {@code factor} × {@code input} with a line in {@code out} when they differ. */
    private static BigDecimal rule(String label, String where, String field, BigDecimal found, BigDecimal input,
            BigDecimal factor, String rule, List<String> out) {
        BigDecimal want = input.multiply(factor);
        if (found.compareTo(want) == 0) {
            return found;
        }
        out.add(label + ": " + field + where + " is " + plain(found) + ", expected " + plain(want) + " (" + rule + " = "
                + plain(factor) + " × input " + plain(input) + "); priced at " + plain(want));
        return want;
    }

    /** Claude on any host: Anthropic's API, Bedrock, Vertex, OpenRouter, Azure. */
    static boolean isClaude(PriceEntry e) {
        return isClaudeKey(e.key());
    }

    /** True when a table key names Claude, on any host. */
    public static boolean isClaudeKey(String key) {
        return ModelNames.bare(key.toLowerCase(Locale.ROOT)).contains("claude");
    }

    /**
     * The 1-hour cache write of a Claude model whose source lists none: Anthropic's 2 × input. The one
     * rule both converters (LiteLLM's, OpenRouter's) fill a missing 1-hour price with.
     */
    public static BigDecimal claudeOneHourWrite(BigDecimal input) {
        return input.multiply(WRITE_1H);
    }

    private static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }
}
