package dev.plutus.pricing;

import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Cost = each token class times its own price, each token counted once: cache reads and writes
 * are not part of {@code input}, and reasoning is the part of {@code output} priced as reasoning.
 * A per-request price is added once per call and a per-image price once per image.
 */
public final class CostCalculator {

    /** One line of a bill: a token class (or requests, images), how many, the unit price, the cost in USD. */
    public record ClassCost(String billedClass, long count, BigDecimal unitPrice, String unit, BigDecimal usd) {}

    private CostCalculator() {}

    /** Exact USD of one call with no images; never rounded. */
    public static BigDecimal exactUsd(PriceEntry e, TokenUsage u) {
        return exactUsd(e, u, 0);
    }

    /** Exact USD of one call that produced or read {@code images} images; never rounded. */
    public static BigDecimal exactUsd(PriceEntry e, TokenUsage u, long images) {
        BigDecimal sum = BigDecimal.ZERO;
        for (ClassCost c : breakdown(e, u, images)) {
            sum = sum.add(c.usd());
        }
        return sum.stripTrailingZeros();
    }

    /** The bill line by line, in the order a person reads it; classes with no tokens are left out. */
    public static List<ClassCost> breakdown(PriceEntry e, TokenUsage u, long images) {
        PriceTier t = e.tierFor(u.promptTokens());
        BigDecimal input = pick(t == null ? null : t.input(), e.input());
        BigDecimal output = pick(t == null ? null : t.output(), e.output());
        BigDecimal cacheRead = pick(t == null ? null : t.cacheRead(), e.cacheRead());
        BigDecimal cacheWrite = pick(t == null ? null : t.cacheWrite(), e.cacheWrite());
        BigDecimal cacheWrite1h = pick(t == null ? null : t.cacheWrite1h(), e.cacheWrite1h());
        // A tier that raises output prices raises reasoning with them unless reasoning is priced apart.
        BigDecimal reasoning = e.reasoning() != null ? e.reasoning() : output;
        long reasoningTokens = u.billedReasoning();
        List<ClassCost> out = new ArrayList<>();
        tokens(out, "input", u.input(), input);
        tokens(out, "cache_read", u.cacheRead(), cacheRead);
        tokens(out, "cache_write", u.cacheWrite(), cacheWrite);
        tokens(out, "cache_write_1h", u.cacheWrite1h(), cacheWrite1h);
        tokens(out, "output", u.output() - reasoningTokens, output);
        tokens(out, "reasoning", reasoningTokens, reasoning);
        if (e.perRequest() != null && e.perRequest().signum() > 0) {
            out.add(new ClassCost("request", 1, e.perRequest(), "USD per request", e.perRequest()));
        }
        if (e.perImage() != null && e.perImage().signum() > 0 && images > 0) {
            out.add(new ClassCost("image", images, e.perImage(), "USD per image",
                    e.perImage().multiply(BigDecimal.valueOf(images))));
        }
        return out;
    }

    private static void tokens(List<ClassCost> out, String name, long count, BigDecimal perMillion) {
        if (count > 0) {
            out.add(new ClassCost(name, count, perMillion, "USD per million tokens",
                    perMillion.multiply(BigDecimal.valueOf(count)).movePointLeft(6)));
        }
    }

    private static BigDecimal pick(BigDecimal tierPrice, BigDecimal base) {
        return tierPrice != null ? tierPrice : base;
    }
}
