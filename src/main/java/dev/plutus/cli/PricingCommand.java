package dev.plutus.cli;

import dev.plutus.pricing.LiteLlmCatalog;
import dev.plutus.pricing.PriceLayerFile;
import dev.plutus.pricing.PriceOrigin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Maintenance of the shipped price layers. */
@Command(name = "pricing", mixinStandardHelpOptions = true, description = "Maintain the shipped price tables.",
        subcommands = {PricingCommand.ConvertLiteLlm.class, PricingCommand.ConvertOpenRouter.class})
final class PricingCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /**
     * Converts LiteLLM's price map into Plutus's table format: how pricing/litellm.json is made.
     * The same input always gives the same bytes, so the shipped file can be checked by re-running it.
     */
    @Command(name = "convert-litellm", mixinStandardHelpOptions = true,
            description = "Convert LiteLLM's model_prices_and_context_window.json into a Plutus price table (pricing/litellm.json).")
    static final class ConvertLiteLlm implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--in", required = true, paramLabel = "FILE", description = "LiteLLM's JSON price map") Path in;
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Table to write (e.g. pricing/litellm.json)") Path out;
        @Option(names = "--as-of", required = true, paramLabel = "DATE", description = "Date the map was taken (written on every entry)") String asOf;
        @Option(names = "--origin", paramLabel = "TEXT", description = "Provenance line for the header (where the map came from)") String origin;

        @Override
        public Integer call() throws Exception {
            String json = Files.readString(in, StandardCharsets.UTF_8);
            LiteLlmCatalog.Conversion c = LiteLlmCatalog.convert(json, asOf, PriceOrigin.LITELLM);
            java.util.List<String> about = new java.util.ArrayList<>(java.util.List.of(
                    "LiteLLM's price map converted into Plutus's price-table format by",
                    "`plutus pricing convert-litellm` (see docs/pricing.md); do not edit by hand.",
                    "Data: BerriAI/litellm model_prices_and_context_window.json, MIT License,",
                    "Copyright (c) 2023 Berri AI. Provenance: pricing/LITELLM-PROVENANCE.md."));
            if (origin != null) {
                about.add("Taken from: " + origin);
            }
            about.add("Taken " + asOf + "; " + c.entries().size() + " models kept, " + c.leftOut().size()
                    + " left out (no price or a price out of range).");
            about.add("This layer lies beneath the curated pricing/models.yaml, which overrides it.");
            Files.writeString(out, PriceLayerFile.write(c.entries(), about), StandardCharsets.UTF_8);
            spec.commandLine().getOut().println("Wrote " + out + ": " + c.entries().size() + " models; "
                    + c.leftOut().size() + " left out.");
            c.leftOut().forEach(l -> spec.commandLine().getOut().println("  left out: " + l));
            return 0;
        }
    }

    /** Converts a recorded OpenRouter /models response: how pricing/openrouter.json is made. */
    @Command(name = "convert-openrouter", mixinStandardHelpOptions = true,
            description = "Convert a recorded OpenRouter /models response into a Plutus price table (pricing/openrouter.json).")
    static final class ConvertOpenRouter implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--in", required = true, paramLabel = "FILE", description = "OpenRouter's /models JSON") Path in;
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Table to write (e.g. pricing/openrouter.json)") Path out;
        @Option(names = "--as-of", required = true, paramLabel = "DATE", description = "Date the response was recorded") String asOf;
        @Option(names = "--origin", paramLabel = "TEXT", description = "Provenance line for the header") String origin;

        @Override
        public Integer call() throws Exception {
            var entries = dev.plutus.pricing.OpenRouterCatalog.parse(Files.readString(in, StandardCharsets.UTF_8), asOf).stream()
                    .map(e -> new dev.plutus.pricing.PriceEntry(e.key(), e.provider(), e.input(), e.output(), e.cacheRead(),
                            e.cacheWrite(), e.cacheWrite1h(), e.reasoning(), e.tiers(), e.aliases(), e.variablePrice(),
                            e.source(), e.asOf(), PriceOrigin.OPENROUTER_SHIPPED, e.perRequest(), e.perImage(), null,
                            java.util.List.of(), java.util.List.of(), java.util.Set.of(), null, e.estimated())).toList();
            java.util.List<String> about = new java.util.ArrayList<>(java.util.List.of(
                    "OpenRouter's GET /api/v1/models converted into Plutus's price-table format by",
                    "`plutus pricing convert-openrouter` (see docs/pricing.md); do not edit by hand."));
            if (origin != null) {
                about.add("Taken from: " + origin);
            }
            about.add("Recorded " + asOf + "; " + entries.size() + " models. /setup pricing auto fetches a current copy, which wins.");
            Files.writeString(out, PriceLayerFile.write(entries, about), StandardCharsets.UTF_8);
            spec.commandLine().getOut().println("Wrote " + out + ": " + entries.size() + " models.");
            return 0;
        }
    }
}
