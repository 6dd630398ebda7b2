package dev.plutus.pricing;

import java.math.BigDecimal;
import java.util.List;

/** Writes fetched prices in the price-table format, so the same parser reads them back. */
public final class PriceTableWriter {
    private PriceTableWriter() {}

    public static String write(List<PriceEntry> entries, String header) {
        StringBuilder sb = new StringBuilder();
        for (String line : header.split("\n")) {
            sb.append("# ").append(line).append('\n');
        }
        sb.append("schema: 1\nmodels:\n");
        for (PriceEntry e : entries) {
            sb.append("  ").append(quote(e.key())).append(":\n");
            if (e.provider() != null) {
                sb.append("    provider: ").append(quote(e.provider())).append('\n');
            }
            if (e.variablePrice()) {
                sb.append("    variable_price: true\n");
            }
            price(sb, "input", e.input(), "    ");
            price(sb, "output", e.output(), "    ");
            // A class the source left out stays out, so the reader fills it as documented.
            for (String cls : List.of("cache_read", "cache_write", "cache_write_1h")) {
                if (!e.defaulted().contains(cls)) {
                    price(sb, cls, switch (cls) {
                        case "cache_read" -> e.cacheRead();
                        case "cache_write" -> e.cacheWrite();
                        default -> e.cacheWrite1h();
                    }, "    ");
                }
            }
            price(sb, "reasoning", e.reasoning(), "    ");
            price(sb, "per_request", e.perRequest(), "    ");
            price(sb, "per_image", e.perImage(), "    ");
            if (!e.tiers().isEmpty()) {
                sb.append("    tiers:\n");
                for (PriceTier t : e.tiers()) {
                    sb.append("      - above_prompt_tokens: ").append(t.abovePromptTokens()).append('\n');
                    price(sb, "input", t.input(), "        ");
                    price(sb, "output", t.output(), "        ");
                    price(sb, "cache_read", t.cacheRead(), "        ");
                    price(sb, "cache_write", t.cacheWrite(), "        ");
                    price(sb, "cache_write_1h", t.cacheWrite1h(), "        ");
                }
            }
            if (e.source() != null) {
                sb.append("    source: ").append(quote(e.source())).append('\n');
            }
            if (e.asOf() != null) {
                sb.append("    as_of: ").append(quote(e.asOf())).append('\n');
            }
            if (e.note() != null) {
                sb.append("    note: ").append(quote(e.note())).append('\n');
            }
        }
        return sb.toString();
    }

    private static void price(StringBuilder sb, String name, BigDecimal v, String indent) {
        if (v != null) {
            sb.append(indent).append(name).append(": ").append(v.toPlainString()).append('\n');
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
