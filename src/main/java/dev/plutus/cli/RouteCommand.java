package dev.plutus.cli;

import dev.plutus.hermes.HermesHost;
import dev.plutus.engine.Engine;
import dev.plutus.config.ConfigException;
import dev.plutus.runway.RouteResult;
import dev.plutus.runway.RoutingRefused;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code plutus route}: moves Hermes's routing to the providers with the most runway; {@code route rollback} undoes it. */
@Command(name = "route", mixinStandardHelpOptions = true,
        description = {"Rewrites model, delegation and fallback_providers in Hermes's config.yaml by runway:",
                "primary = flagship of the provider with the most days left, delegation = fast model of the next,",
                "fallbacks = the others (flagships, then fast models). Backs up first; touches only routing lines.",
                "  plutus route [--dry-run]",
                "  plutus route rollback [--force]   (pauses the automatic router)",
                "  plutus route resume              (lets it write again)"},
        subcommands = {RouteCommand.Rollback.class, RouteCommand.Resume.class})
final class RouteCommand implements Callable<Integer> {
    @Mixin PlutusCli.HomeOption home;
    @Spec CommandSpec spec;
    @Option(names = "--dry-run", description = "Print the diff, write nothing") boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Engine p = home.open(); HermesHost h = new HermesHost(p)) {
            RouteResult r = h.runway().route(h.runway().view(true), dryRun);
            r.plan().reasons().forEach(line -> out.println("  " + line));
            out.println("Plan: " + r.plan().summary());
            switch (r.outcome()) {
                case "unchanged" -> out.println(r.config() + " already routes this way; nothing written.");
                case "dry-run" -> out.print(r.diff());
                default -> {
                    out.print(r.diff());
                    out.println("Wrote " + r.config() + " (backup " + r.backup().getFileName() + "). New Hermes sessions use it; "
                            + "`" + home.resolve().command("route rollback") + "` undoes it.");
                }
            }
            h.runway().paused().ifPresent(why -> out.println("The automatic router is " + why + "; `" + home.resolve().command("route resume") + "` lets it write again."));
            out.flush();
            return 0;
        } catch (RoutingRefused e) {
            spec.commandLine().getErr().println("plutus route: refused: " + e.getMessage());
            return 3;
        } catch (ConfigException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("plutus route: " + e.getMessage());
            return 2;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Restores config.yaml from the backup the newest routing write made (keeping the routed one as a backup)",
                    "and pauses the automatic router until `plutus route resume`. Refused, with the diff, when config.yaml",
                    "is no longer what Plutus wrote."})
    static final class Rollback implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @picocli.CommandLine.ParentCommand RouteCommand parent;
        @Spec CommandSpec spec;
        @Option(names = "--force", description = "Roll back even over edits made after routing (they stay in a backup)") boolean force;

        @Override
        public Integer call() {
            try (Engine p = home.orElse(parent.home).open(); HermesHost h = new HermesHost(p)) {
                spec.commandLine().getOut().println(h.runway().rollback(force));
                spec.commandLine().getOut().flush();
                return 0;
            } catch (RoutingRefused e) {
                spec.commandLine().getErr().println("plutus route rollback: refused: " + e.getMessage());
                return 3;
            } catch (ConfigException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("plutus route rollback: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Lets the automatic router (router.apply: true) write config.yaml again after a rollback paused it.")
    static final class Resume implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @picocli.CommandLine.ParentCommand RouteCommand parent;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            try (Engine p = home.orElse(parent.home).open(); HermesHost h = new HermesHost(p)) {
                spec.commandLine().getOut().println(h.runway().resume());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ConfigException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("plutus route resume: " + e.getMessage());
                return 2;
            }
        }
    }
}
