package dev.plutus.cli;

import dev.plutus.hermes.HermesHost;
import dev.plutus.core.Money;
import dev.plutus.engine.Engine;
import dev.plutus.config.AtomicFiles;
import dev.plutus.config.ConfigException;
import dev.plutus.report.Rendered;
import dev.plutus.report.RunwayReport;
import dev.plutus.hermes.HermesStateBackfill;
import dev.plutus.runway.RunwayAlerts;
import dev.plutus.runway.RunwayView;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plutus runway}: money left, burn and days left per provider; {@code calibrate}; {@code backfill}. */
@Command(name = "runway", mixinStandardHelpOptions = true,
        description = {"Money left, burn rate, days left and rate limits per provider (runway.yaml in PLUTUS_HOME).",
                "  plutus runway [--refresh] [--snapshot] [--json] [--html FILE]",
                "  plutus runway calibrate anthropic=52.63 gemini=93.44",
                "  plutus runway backfill [--state-db FILE]"},
        subcommands = {RunwayCommand.Calibrate.class, RunwayCommand.Backfill.class})
final class RunwayCommand implements Callable<Integer> {
    @Mixin PlutusCli.HomeOption home;
    @Spec CommandSpec spec;
    @Option(names = "--refresh", description = "Ask the providers now (including the one-token Anthropic/OpenAI rate-limit probes) instead of using "
            + "stored answers up to runway.yaml's cache age old") boolean refresh;
    @Option(names = "--snapshot", description = "Append this reading to the burn-rate history (and raise low-runway alerts)") boolean snapshot;
    @Option(names = "--json", description = "Print JSON") boolean json;
    @Option(names = "--html", paramLabel = "FILE", description = "Also write a self-contained HTML page") Path html;

    @Override
    public Integer call() {
        if (PlutusCli.refuseMissingHome(spec, home.resolve())) {
            return 1;
        }
        try (Engine p = home.open(); HermesHost h = new HermesHost(p)) {
            // Anthropic/OpenAI rate-limit probes cost a token each: only --refresh (or --snapshot) runs them.
            RunwayView v = h.runway().view(refresh || snapshot, refresh || snapshot);
            if (snapshot) {
                h.runway().snapshot(v);
                List<RunwayAlerts.Alert> fresh = h.runway().evaluateAlerts(v);
                v = h.runway().view(false, false);
                if (!json) {
                    spec.commandLine().getErr().println("Snapshot of " + v.providers().size() + " providers saved"
                            + (fresh.isEmpty() ? "." : "; " + fresh.size() + " new low-runway alert(s)."));
                }
            }
            if (html != null) {
                AtomicFiles.write(html.toAbsolutePath(), RunwayReport.html(v, home.resolve()));
                if (!json) {
                    spec.commandLine().getErr().println("Wrote " + html.toAbsolutePath());
                }
            }
            Rendered r = RunwayReport.render(v, home.resolve());
            return PlutusCli.print(spec, r, json, home.resolve());
        } catch (ConfigException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("plutus runway: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            spec.commandLine().getErr().println("plutus runway: cannot write " + html + ": " + e.getMessage());
            return 1;
        }
    }

    @Command(name = "calibrate", mixinStandardHelpOptions = true,
            description = {"Back-solves a provider's budget from the balance its console shows, so estimates self-correct:",
                    "budget = that balance + the spend Plutus has recorded; from then on, left = balance - new spend."})
    static final class Calibrate implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @picocli.CommandLine.ParentCommand RunwayCommand parent;
        @Spec CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "PROVIDER=USD", description = "e.g. anthropic=52.63") List<String> balances;

        @Override
        public Integer call() {
            Map<String, BigDecimal> parsed = new LinkedHashMap<>();
            for (String b : balances) {
                int eq = b.indexOf('=');
                try {
                    if (eq <= 0) {
                        throw new IllegalArgumentException("expected PROVIDER=USD, got '" + b + "'");
                    }
                    BigDecimal usd = new BigDecimal(b.substring(eq + 1).trim().replace("$", ""));
                    Money.usdToMicros(usd);
                    parsed.put(b.substring(0, eq).trim(), usd);
                } catch (NumberFormatException e) {
                    spec.commandLine().getErr().println("plutus runway calibrate: '" + b.substring(eq + 1) + "' is not a dollar amount");
                    return 2;
                } catch (IllegalArgumentException e) {
                    spec.commandLine().getErr().println("plutus runway calibrate: " + e.getMessage());
                    return 2;
                }
            }
            try (Engine p = home.orElse(parent.home).open(); HermesHost h = new HermesHost(p)) {
                PrintWriter out = spec.commandLine().getOut();
                h.runway().calibrate(parsed).forEach(out::println);
                out.flush();
                return 0;
            } catch (ConfigException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("plutus runway calibrate: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "backfill", mixinStandardHelpOptions = true,
            description = "Imports spend Hermes recorded before Plutus (state.db sessions); safe to run again.")
    static final class Backfill implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @picocli.CommandLine.ParentCommand RunwayCommand parent;
        @Spec CommandSpec spec;
        @Option(names = "--state-db", paramLabel = "FILE", description = "Hermes's state.db (default: <hermes_home>/state.db)") Path stateDb;

        @Override
        public Integer call() {
            try (Engine p = home.orElse(parent.home).open(); HermesHost h = new HermesHost(p)) {
                Path db = stateDb != null ? stateDb : h.runway().config().hermesHome().resolve("state.db");
                HermesStateBackfill.Result r = HermesStateBackfill.runAndMark(p.recorder(), p.calls(), p.meta(), p.clock(), db);
                PrintWriter out = spec.commandLine().getOut();
                out.println("Read " + r.seen() + " Hermes sessions from " + db + ": imported " + r.imported() + " ("
                        + Money.display(r.importedMicros()) + "), " + r.alreadyKnown() + " already counted, " + r.skippedEmpty()
                        + " without usage" + (r.grown() > 0 ? ", " + r.grown() + " grown since the last import (the growth imported)" : "")
                        + (r.outOfRange() > 0 ? ", " + r.outOfRange() + " set aside as out of range (see plutus.log)" : "")
                        + ".");
                out.flush();
                return 0;
            } catch (ConfigException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("plutus runway backfill: " + e.getMessage());
                return 2;
            }
        }
    }
}
