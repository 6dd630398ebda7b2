package dev.plutus.hermes;

import dev.plutus.runway.ProviderConfig;
import dev.plutus.runway.ProviderRunway;
import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingPlanner;
import dev.plutus.runway.RunwayForecaster;
import dev.plutus.runway.SpendSummary;
import dev.plutus.provider.ProviderKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The router's promises over many config shapes and rankings: nothing lost, idempotent, most runway first. */
class RoutingProperties {
    static final List<String> POOL = List.of("anthropic", "deepseek", "gemini");
    static final Map<String, String[]> MODELS = Map.of("anthropic", new String[] {"claude-opus-4-7", "claude-sonnet-4-6"},
            "deepseek", new String[] {"deepseek-v4-pro", "deepseek-v4-flash"}, "gemini", new String[] {"gemini-3.1-pro-preview", "gemini-3.5-flash"});

    record Case(String config, RoutingPlan plan) {}

    @Property(tries = 300)
    void neverLosesAProviderBlockOrKeyAndIsIdempotent(@ForAll("cases") Case c) {
        String out = HermesRoutingEditor.apply(c.config(), c.plan(), HermesRoutingEditorTest.MANAGED, HermesRoutingEditorTest.KEY_ENVS, "config.yaml");
        RoutingSafety.verify(c.config(), out, c.plan(), "config.yaml");
        for (String line : c.config().split("\n")) {
            if (line.startsWith("#") || line.startsWith("providers:") || line.startsWith("  gw:") || line.contains("sk-gw-")
                    || line.contains("GW_KEY") || line.startsWith("timezone")) {
                assertTrue(out.contains(line + "\n"), "lost line '" + line + "' in\n" + out);
            }
        }
        if (c.config().contains("providers:\n  gw:")) {
            assertTrue(out.contains(PROVIDERS_BLOCK), "the providers block is byte-identical");
        }
        assertEquals(out, HermesRoutingEditor.apply(out, c.plan(), HermesRoutingEditorTest.MANAGED, HermesRoutingEditorTest.KEY_ENVS,
                "config.yaml"), "routing the routed file again changes nothing");
    }

    @Property(tries = 300)
    void primaryIsTheFlagshipOfTheProviderWithMostRunwayAndNoRouteGoesToAnEmptyOne(@ForAll("rankings") List<ProviderRunway> providers) {
        List<ProviderRunway> usable = providers.stream().filter(ProviderRunway::usable).toList();
        if (usable.isEmpty()) {
            return;
        }
        RoutingPlan plan = RoutingPlanner.plan(providers);
        ProviderRunway best = RoutingPlanner.rank(usable).get(0);
        for (ProviderRunway u : usable) {
            boolean uKnown = u.remainingMicros() != null;
            boolean bestKnown = best.remainingMicros() != null;
            assertTrue(bestKnown || !uKnown, "a provider with unknown money ranks above one whose money is known");
            // Days left compare where both burn; one that burns nothing counts its money at the busiest burn,
            // and with no burn anywhere money decides: $0.50 nobody spends never outranks $93 being spent.
            long busiest = usable.stream().filter(r -> r.remainingMicros() != null).mapToLong(ProviderRunway::burnMicrosPerDay).max().orElse(0);
            if (uKnown && bestKnown && busiest > 0) {
                java.math.BigDecimal bestDays = best.burnMicrosPerDay() > 0 ? best.daysLeft()
                        : java.math.BigDecimal.valueOf(best.remainingMicros()).divide(java.math.BigDecimal.valueOf(busiest), 1, java.math.RoundingMode.DOWN);
                java.math.BigDecimal uDays = u.burnMicrosPerDay() > 0 ? u.daysLeft()
                        : java.math.BigDecimal.valueOf(u.remainingMicros()).divide(java.math.BigDecimal.valueOf(busiest), 1, java.math.RoundingMode.DOWN);
                assertTrue(bestDays.compareTo(uDays) >= 0, best + " vs " + u);
            }
            if (uKnown && bestKnown && busiest == 0) {
                assertTrue(best.remainingMicros() >= u.remainingMicros(), "nothing burns: most money first; " + best + " vs " + u);
            }
        }
        assertEquals(best.config().flagship(), plan.primary().model());
        for (RoutingPlan.Route r : plan.allRoutes()) {
            ProviderRunway target = providers.stream().filter(p -> p.name().equals(r.provider())).findFirst().orElseThrow();
            assertTrue(target.usable(), "routed to " + r + " which has no money left");
        }
        assertEquals(2 * (usable.size() - 1), plan.fallbacks().size());
        if (usable.size() > 1) {
            assertTrue(!plan.delegation().provider().equals(plan.primary().provider()), "delegation goes to the next provider");
        }
    }

    static final String PROVIDERS_BLOCK = "providers:\n  gw:\n    base_url: https://gw.example.com/v1   # mine\n"
            + "    api_key: sk-gw-secret-1\n    key_env: GW_KEY\n";

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<String> model = Arbitraries.of(
                "",
                "model: claude-sonnet-4-6\n",
                "model:\n  default: deepseek-chat   # the default\n  provider: deepseek\n",
                "model:\n  provider: anthropic\n  default: claude-x\n  api_key: ${ANTHROPIC_API_KEY}   # from .env\n  max_tokens: 8192\n",
                "model:\n  model: gemini-old\n  provider: gemini\n  context_length: 100000\n");
        Arbitrary<String> providers = Arbitraries.of("", PROVIDERS_BLOCK);
        Arbitrary<String> delegation = Arbitraries.of("",
                "delegation:\n  provider: deepseek   # who\n  model: deepseek-v4-flash\n  max_iterations: 50\n",
                "delegation:\n  max_concurrent_children: 3\n");
        Arbitrary<String> fallbacks = Arbitraries.of("anthropic", "deepseek", "gemini", "openrouter").list().ofMaxSize(4)
                .flatMap(ps -> Arbitraries.integers().between(0, 15).map(bits -> {
                    if (ps.isEmpty()) {
                        return bits % 2 == 0 ? "" : "fallback_providers: []\n";
                    }
                    StringBuilder sb = new StringBuilder("# fallbacks, in order\nfallback_providers:\n  # tried in order\n");
                    for (int i = 0; i < ps.size(); i++) {
                        String p = ps.get(i);
                        String m = MODELS.containsKey(p) ? MODELS.get(p)[(bits >> i) & 1] : "anthropic/claude-sonnet-4.6";
                        sb.append("  - provider: ").append(p).append('\n').append("    model: ").append(m).append('\n');
                        if (((bits >> i) & 2) != 0 && i % 2 == 1) {
                            sb.append("    key_env: ").append(p.toUpperCase()).append("_ALT\n");
                        }
                    }
                    return sb.toString();
                }));
        Arbitrary<RoutingPlan> plans = Arbitraries.shuffle(POOL).flatMap(order -> Arbitraries.integers().between(1, 3)
                .map(n -> planOf(order.subList(0, n))));
        return Combinators.combine(model, providers, delegation, fallbacks, plans).as((m, p, d, f, plan) ->
                new Case("# Hermes config\n" + m + p + f + "\n# subtasks\n" + d + "timezone: \"UTC\"\n", plan));
    }

    static RoutingPlan planOf(List<String> ranked) {
        String best = ranked.get(0);
        List<RoutingPlan.Route> fallbacks = new ArrayList<>();
        ranked.subList(1, ranked.size()).forEach(p -> fallbacks.add(HermesRoutingEditorTest.r(p, MODELS.get(p)[0])));
        ranked.subList(1, ranked.size()).forEach(p -> fallbacks.add(HermesRoutingEditorTest.r(p, MODELS.get(p)[1])));
        String del = ranked.size() > 1 ? ranked.get(1) : best;
        return new RoutingPlan(HermesRoutingEditorTest.r(best, MODELS.get(best)[0]), HermesRoutingEditorTest.r(del, MODELS.get(del)[1]),
                fallbacks, List.of());
    }

    @Provide
    Arbitrary<List<ProviderRunway>> rankings() {
        Arbitrary<Long> budget = Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(0, 200_000_000));
        Arbitrary<Long> burn = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 20_000_000));
        return Combinators.combine(budget, burn).as((b, d) -> new long[] {b, d}).list().ofSize(3).map(values -> {
            List<ProviderRunway> out = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String name = POOL.get(i);
                Long budgetMicros = values.get(i)[0] < 0 ? null : values.get(i)[0];
                long spent7 = values.get(i)[1] * 7;
                ProviderConfig cfg = new ProviderConfig(name, ProviderKind.byLabel(name).orElseThrow(), null, List.of(), budgetMicros,
                        List.of(name), MODELS.get(name)[0], MODELS.get(name)[1], name, null, null, null);
                // Remaining = budget - spend; unknown without a budget; no spend means endless runway.
                out.add(RunwayForecaster.forecast(cfg, null, new SpendSummary(0, spent7, 0, spent7, spent7), null,
                        java.time.Instant.parse("2026-12-01T00:00:00Z"), java.time.ZoneOffset.UTC));
            }
            return out;
        });
    }
}
