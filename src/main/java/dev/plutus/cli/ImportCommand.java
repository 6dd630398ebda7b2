package dev.plutus.cli;

import dev.plutus.core.HomeLayout;
import dev.plutus.engine.Engine;
import dev.plutus.hermes.TelemetryBudget;
import dev.plutus.hermes.TelemetryImport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code plutus import hermes-telemetry}: what another tool recorded, into Plutus. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Imports what another tool recorded.",
        subcommands = {ImportCommand.HermesTelemetry.class})
final class ImportCommand implements Callable<Integer> {
    @Mixin PlutusCli.HomeOption home;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "hermes-telemetry", mixinStandardHelpOptions = true, description = {
            "Imports hermes-telemetry's telemetry.db (sessions, model calls re-priced by Plutus, tool calls) and converts"
                    + " its budget.yaml; safe to run again.",
            "  plutus import hermes-telemetry [--db FILE] [--config DIR] [--force]"})
    static final class HermesTelemetry implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @ParentCommand ImportCommand parent;
        @Spec CommandSpec spec;
        @Option(names = "--config", paramLabel = "DIR",
                description = "hermes-telemetry's directory, holding budget.yaml and telemetry.db (default: telemetry/ under"
                        + " $HERMES_TELEMETRY_HOME, else $HERMES_HOME, else ~/.hermes)") Path config;
        @Option(names = "--db", paramLabel = "FILE", description = "The database (default: <config>/telemetry.db)") Path db;
        @Option(names = "--force", description = "Replace an existing, different budget.yaml (it is backed up first)") boolean force;

        @Override
        public Integer call() {
            Path dir = config != null ? config : TelemetryImport.defaultDirectory(System.getenv());
            Path database = db != null ? db : dir.resolve("telemetry.db");
            PlutusCli.HomeOption h = home.orElse(parent.home);
            HomeLayout layout = h.resolve();
            PrintWriter out = spec.commandLine().getOut();
            try (Engine p = h.open()) {
                // The budget is read and checked before anything is imported: a file Plutus cannot take stops the command.
                Optional<TelemetryBudget.Converted> budget = TelemetryBudget.read(dir.resolve("budget.yaml"), p.gate().zone());
                TelemetryImport.Result r = TelemetryImport.run(p, database);
                TelemetryImport.describe(r).forEach(out::println);
                TelemetryBudget.Outcome o = budget.isEmpty() ? new TelemetryBudget.NoPeerBudget(dir.resolve("budget.yaml"))
                        : TelemetryBudget.write(budget.get(), layout.budgetFile(),
                                layout.dir().resolve("budget.hermes-telemetry.yaml"), force, p.clock());
                out.println(describe(o));
                o.notes().forEach(n -> out.println("  note: " + n));
                out.flush();
                return 0;
            } catch (IllegalArgumentException | IOException e) {
                spec.commandLine().getErr().println("plutus import hermes-telemetry: " + e.getMessage());
                return 2;
            }
        }

        private static String describe(TelemetryBudget.Outcome o) {
            if (o instanceof TelemetryBudget.NoPeerBudget n) {
                return "Budget: no " + n.peerFile() + ", nothing to convert.";
            } else if (o instanceof TelemetryBudget.Written w) {
                return "Budget: wrote " + w.target() + " from hermes-telemetry's budget.yaml"
                        + (w.backup() != null ? " (the one before is kept as " + w.backup().getFileName() + ")" : "") + ".";
            } else if (o instanceof TelemetryBudget.Unchanged u) {
                return "Budget: " + u.target() + " already holds the converted budget.";
            }
            TelemetryBudget.KeptExisting k = (TelemetryBudget.KeptExisting) o;
            return "Budget: " + k.target() + " exists and differs, left as it is; the converted budget is in " + k.converted()
                    + ". Run again with --force to replace budget.yaml (it is backed up first).";
        }
    }
}
