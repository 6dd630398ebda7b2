package dev.plutus.cli;

import dev.plutus.core.HomeLayout;
import dev.plutus.config.ConfigException;
import dev.plutus.hermes.HermesInstaller;
import dev.plutus.hermes.PluginManifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code plutus install hermes} and {@code plutus uninstall hermes}. */
final class InstallCommand {
    private InstallCommand() {}

    static Path hermesHome(Path given) {
        if (given != null) {
            return given.toAbsolutePath();
        }
        String env = System.getenv("HERMES_HOME");
        return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath()
                : dev.plutus.core.HomeLayout.userHome(System.getenv()).resolve(".hermes");
    }

    static int report(CommandSpec spec, List<String> lines) {
        PrintWriter out = spec.commandLine().getOut();
        lines.forEach(out::println);
        out.flush();
        return 0;
    }

    @Command(name = "install", mixinStandardHelpOptions = true, description = "Installs Plutus into a host.",
            subcommands = Install.Hermes.class)
    static final class Install implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }

        @Command(name = "hermes", mixinStandardHelpOptions = true, description = {
                "Writes the Plutus plugin (manifest + bridge) into <hermes-home>/plugins/plutus and enables it",
                "in config.yaml (backup first, comments and every other line unchanged). Safe to re-run."})
        static final class Hermes implements Callable<Integer> {
            @Mixin PlutusCli.HomeOption home;
            @Spec CommandSpec spec;
            @Option(names = "--hermes-home", paramLabel = "DIR", description = "Hermes home (default: $HERMES_HOME, else ~/.hermes)")
            Path hermesHome;
            @Option(names = "--fail-mode", defaultValue = "open",
                    description = "When the daemon is unreachable, pre_tool_call lets tools run (open) or blocks them (closed). Default: ${DEFAULT-VALUE}")
            String failMode;
            @Option(names = "--timeout-ms", defaultValue = "250", description = "How long a hook waits for the daemon (default: ${DEFAULT-VALUE})")
            int timeoutMs;
            @Option(names = "--autostart", description = "Let the bridge start the daemon when it is down")
            boolean autostart;
            @Option(names = "--launcher", description = "Command that runs plutus (default: this installation's bin/plutus)")
            String launcher;
            @Option(names = "--shell-hooks", description = {
                    "For Hermes setups that cannot load Python plugins: write the plugin files but leave config.yaml",
                    "alone, and print the hooks: block (one python3 command per event) to paste into it"})
            boolean shellHooks;
            @Option(names = "--default-budget", negatable = true, description = {
                    "Write a starting budget.yaml (global $5.00/day and $100.00/month, notice at 80%%, block at 100%%) when",
                    "there is none. Asked when run in a terminal; yes when not asked. --no-default-budget: leave it unset"})
            Boolean defaultBudget;
            @Option(names = "--write-config", description = {
                    "With --shell-hooks, when config.yaml already has hooks: or quick_commands:, write the merged file",
                    "(backup first) instead of leaving it next to config.yaml for you to review"})
            boolean writeConfig;

            @Override
            public Integer call() throws Exception {
                HomeLayout h = home.resolve();
                String run = launcher != null ? launcher
                        : System.getenv().getOrDefault("PLUTUS_LAUNCHER", "plutus");
                HermesInstaller installer = new HermesInstaller(hermesHome(hermesHome), h, PluginManifest.bundled(),
                        Clock.systemUTC());
                List<String> done;
                try {
                    var settings = new HermesInstaller.BridgeSettings(timeoutMs, failMode, autostart, run);
                    done = shellHooks ? installer.installForShellHooks(settings) : installer.install(settings);
                } catch (IllegalArgumentException | ConfigException e) {
                    spec.commandLine().getErr().println("plutus install hermes: " + e.getMessage());
                    return 2;
                }
                report(spec, done);
                budgetStep(h);
                String homeFlag = homeFlag(h);
                if (shellHooks) {
                    List<String> kept = new java.util.ArrayList<>();
                    var merged = installer.mergedShellHooksConfig("python3", run, homeFlag, kept);
                    if (merged.isPresent()) {
                        // A second top-level hooks: or quick_commands: would drop the user's own or break the file.
                        PrintWriter out = spec.commandLine().getOut();
                        kept.forEach(n -> out.println("Your quick command '" + n + "' is kept; Plutus's /" + n + " is not added."));
                        if (merged.get().equals(installer.currentConfig())) {
                            // Nothing to change: the file keeps its bytes and its mtime, and no proposal is left beside it.
                            out.println(installer.configFile() + " already has Plutus's shell hooks and quick commands for this home;"
                                    + " left as it is.");
                        } else if (writeConfig) {
                            out.println(installer.writeConfig(merged.get()));
                        } else {
                            Path proposal = installer.mergeProposalFile();
                            dev.plutus.config.AtomicFiles.write(proposal, merged.get());
                            out.println(installer.configFile() + " already has hooks: or quick_commands:, so a block to paste would"
                                    + " duplicate them. The merge, with your entries kept, is in " + proposal + ": review it and move it"
                                    + " over config.yaml, or run this again with --write-config to have it written (backup first).");
                        }
                        out.println("Next: run `" + hint(h, "serve", launcher) + "` (keep it running), then restart Hermes and approve the hooks.");
                        return 0;
                    }
                    spec.commandLine().getOut().print("\n" + installer.shellHooksSnippet("python3", run, homeFlag) + "\n");
                    String where = java.nio.file.Files.exists(installer.configFile()) ? "paste the block above into " + installer.configFile()
                            : "create " + installer.configFile() + " (it does not exist yet) holding the block above";
                    spec.commandLine().getOut().println("Next: " + where + ", run `" + hint(h, "serve", launcher)
                            + "` (keep it running), then restart Hermes and approve the hooks.");
                    return 0;
                }
                spec.commandLine().getOut().println("Next: run `" + hint(h, "serve", launcher) + "` (keep it running), then restart Hermes "
                        + "(`hermes gateway restart`, or start a new `hermes` session) so it loads the plugin.");
                return 0;
            }

            /** The first run enforces something: a starting budget, unless declined or one exists. */
            private void budgetStep(HomeLayout h) {
                PrintWriter out = spec.commandLine().getOut();
                if (java.nio.file.Files.exists(h.budgetFile())) {
                    out.println("Budget: " + h.budgetFile() + " exists and was left as it is (`" + hint(h, "budget", launcher) + "` shows it).");
                    return;
                }
                boolean write = defaultBudget != null ? defaultBudget : askDefaultBudget();
                if (!write) {
                    out.println("Budget: none set, so spend is tracked but nothing is stopped. Set one with `"
                            + hint(h, "setup budget default", launcher) + "` or `" + hint(h, "budget set global daily 5", launcher) + "`.");
                    return;
                }
                try (dev.plutus.engine.Engine p = home.open(); dev.plutus.hermes.HermesHost host = new dev.plutus.hermes.HermesHost(p)) {
                    var r = dev.plutus.command.SlashCommands.of(p, host.runway()).run("setup", "budget default");
                    out.print(PlutusCli.terminalSyntax(r.text(), h));
                }
                out.println("That stops tools and pauses cron jobs once $5.00 is spent in a day or $100.00 in a month (a notice"
                        + " comes at 80%). Change it with `" + hint(h, "budget set global daily 20", launcher) + "`, remove one with"
                        + " `" + hint(h, "budget unset global daily", launcher) + "`.");
            }

            private boolean askDefaultBudget() {
                java.io.Console console = System.console();
                if (console == null) {
                    return true;
                }
                String answer = console.readLine("Set a starting budget: global $5.00/day and $100.00/month? [Y/n] ");
                return answer == null || answer.isBlank() || answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
            }
        }
    }

    /**
     * A command as the user can run it: with the launcher given by --launcher (quoted for a shell),
     * else as {@link HomeLayout#command} writes it (plutus when that finds this installation, else
     * bin/plutus's path), with {@code --home DIR} when the home is not the default one.
     */
    private static String hint(HomeLayout h, String words, String launcher) {
        return launcher == null || launcher.equals("plutus") ? h.command(words)
                : HomeLayout.shellQuoted(launcher) + " " + words + h.homeFlag(System.getenv());
    }

    /** {@code --home DIR} for a hint the user copies, when the home is not the one a bare command finds. */
    static String homeFlag(HomeLayout h) {
        return h.homeFlag(System.getenv());
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true, description = "Removes Plutus from a host.",
            subcommands = Uninstall.Hermes.class)
    static final class Uninstall implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }

        @Command(name = "hermes", mixinStandardHelpOptions = true,
                description = {"Removes the Plutus plugin directory, its plugins.enabled entry and the shell hooks and quick commands it",
                        "added to config.yaml (backup first; your own entries stay). Data in PLUTUS_HOME is kept."})
        static final class Hermes implements Callable<Integer> {
            @Mixin PlutusCli.HomeOption home;
            @Spec CommandSpec spec;
            @Option(names = "--hermes-home", paramLabel = "DIR", description = "Hermes home (default: $HERMES_HOME, else ~/.hermes)")
            Path hermesHome;

            @Override
            public Integer call() throws Exception {
                HermesInstaller installer = new HermesInstaller(hermesHome(hermesHome), home.resolve(),
                        PluginManifest.bundled(), Clock.systemUTC());
                try {
                    report(spec, installer.uninstall());
                } catch (ConfigException e) {
                    spec.commandLine().getErr().println("plutus uninstall hermes: " + e.getMessage());
                    return 2;
                }
                spec.commandLine().getOut().println("Next: restart Hermes so it stops loading the plugin.");
                return 0;
            }
        }
    }
}
