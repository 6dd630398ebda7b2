package dev.plutus.cli;

import dev.plutus.core.Json;
import dev.plutus.hermes.HermesHost;
import dev.plutus.hermes.HermesSessionIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.TokenUsage;
import dev.plutus.hermes.HookReply;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.report.Rendered;
import dev.plutus.command.SlashCommands;
import dev.plutus.http.AccessToken;
import dev.plutus.http.DaemonCommandClient;
import dev.plutus.http.DaemonInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code plutus} command line. */
@Command(name = "plutus", mixinStandardHelpOptions = true, version = "plutus 0.1.0",
        description = "Captures, prices and budgets every model call an LLM agent makes.",
        subcommands = {PlutusCli.Stats.class, PlutusCli.Budget.class, PlutusCli.Setup.class, PlutusCli.Price.class,
                PlutusCli.Hook.class, ServeCommand.class, StatusCommand.class, InstallCommand.Install.class,
                InstallCommand.Uninstall.class, KeysCommand.class, RunwayCommand.class, RouteCommand.class, BenchCommand.class,
                ImportCommand.class, PricingCommand.class})
public final class PlutusCli implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.MAPPER;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where `plutus hook` reads the hook's keyword arguments. */
    private final java.io.InputStream stdin;

    public PlutusCli(java.io.InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(String[] args) {
        LogSetup.toConsole();
        System.exit(commandLine(System.in).execute(args));
    }

    /** The command line wired to the given stdin; output goes where the CommandLine's writers point. */
    public static CommandLine commandLine(java.io.InputStream stdin) {
        return new CommandLine(new PlutusCli(stdin)).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // A broken settings file or an unreachable store is the user's to fix: say what, not where in the code.
                    if (e instanceof dev.plutus.config.ConfigException || e instanceof dev.plutus.store.StoreException) {
                        cmd.getErr().println("plutus " + cmd.getCommandName() + ": " + e.getMessage());
                        return 2;
                    }
                    throw e;
                });
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Options every command takes. */
    static final class HomeOption {
        @Option(names = "--home", paramLabel = "DIR", description = {"Plutus home (default: $PLUTUS_HOME,", "else ~/.hermes/plutus)"})
        Path home;

        /** Where price fetching reads; set by {@link PriceSources} on the commands that fetch prices, else the environment's. */
        URI openRouterUrl;
        String litellmUrl;

        /** This option when given here, else the parent command's: {@code plutus runway --home X calibrate …} works too. */
        HomeOption orElse(HomeOption parent) {
            return home == null && parent != null && parent.home != null ? parent : this;
        }

        HomeLayout resolve() {
            return HomeLayout.resolve(home, System.getenv());
        }

        Engine open() {
            HomeLayout h = resolve();
            logTo(h);
            return Engine.open(config(h));
        }

        EngineConfig config(HomeLayout h) {
            EngineConfig.Builder b = EngineConfig.builder(h).cronSessionIds(new HermesSessionIds())
                    .cronJobNames(new dev.plutus.hermes.CronJobNames(h.hermesHome(System.getenv())));
            String envUrl = System.getenv("PLUTUS_OPENROUTER_URL");
            if (openRouterUrl != null) {
                b.openRouterBaseUrl(openRouterUrl);
            } else if (envUrl != null && !envUrl.isBlank()) {
                b.openRouterBaseUrl(URI.create(envUrl));
            }
            String litellm = litellmUrl != null ? litellmUrl : System.getenv("PLUTUS_LITELLM_URL");
            if (litellm != null && !litellm.isBlank()) {
                b.litellmPricesUrl(litellm.equalsIgnoreCase("none") ? null : URI.create(litellm));
            }
            String tz = System.getenv("TZ");
            if (tz != null && !tz.isBlank()) {
                try {
                    b.clock(java.time.Clock.system(java.time.ZoneId.of(tz.startsWith(":") ? tz.substring(1) : tz)));
                } catch (java.time.DateTimeException ignored) {
                    b.clock(java.time.Clock.systemDefaultZone());
                }
            } else {
                b.clock(java.time.Clock.systemDefaultZone());
            }
            return b.build();
        }
    }

    /**
     * For a command that only reads: when its home does not exist (a mistyped --home, say), says so on
     * stderr and returns true, creating nothing; opening the engine there would make an empty home and
     * report $0 as if it were the truth.
     */
    static boolean refuseMissingHome(CommandLine.Model.CommandSpec spec, HomeLayout h) {
        if (Files.isDirectory(h.dir())) {
            return false;
        }
        String name = spec.qualifiedName(" ");
        spec.commandLine().getErr().println(name + ": no Plutus home at " + h.dir() + " (`" + h.command("install hermes")
                + "` creates one; check --home and PLUTUS_HOME). Nothing was created.");
        spec.commandLine().getErr().flush();
        return true;
    }

    /** Where prices are fetched from: options only of the commands that fetch them (setup, serve), not of every command. */
    static final class PriceSources {
        @Option(names = "--openrouter-url", paramLabel = "URL", description = {"Base URL of the OpenRouter API prices are read",
                "from (default: $PLUTUS_OPENROUTER_URL, else", "https://openrouter.ai/api/v1)"})
        URI openRouterUrl;

        @Option(names = "--litellm-url", paramLabel = "URL", description = {"URL of LiteLLM's price map ('none': do not",
                "fetch it; default: $PLUTUS_LITELLM_URL, else", "LiteLLM's main branch on GitHub)"})
        String litellmUrl;

        /** {@code home} reading prices from these sources when given. */
        HomeOption applyTo(HomeOption home) {
            if (openRouterUrl != null) {
                home.openRouterUrl = openRouterUrl;
            }
            if (litellmUrl != null) {
                home.litellmUrl = litellmUrl;
            }
            return home;
        }
    }

    /** Sends the engine's log to plutus.log, keeping the terminal for command output. */
    static void logTo(HomeLayout home) {
        LogSetup.toFile(home);
    }

    /**
     * Prints an answer: to stdout, or to stderr with exit 1 when it is a refusal (bad arguments, an edit
     * not made). Commands it names are written for {@code home}, so they work as printed.
     */
    static int print(CommandLine.Model.CommandSpec spec, Rendered r, boolean json, HomeLayout home) {
        PrintWriter out = r.refused() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        if (json) {
            try {
                // Decimals as people write them: 0.00000075, never 7.5E-7.
                out.println(JSON.writerWithDefaultPrettyPrinter().with(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                        .writeValueAsString(r.json()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            String text = terminalSyntax(r.text(), home);
            out.print(r.refused() && !text.startsWith("plutus ") ? "plutus " + spec.name() + ": " + text : text);
        }
        out.flush();
        return r.refused() ? 1 : 0;
    }

    /**
     * A slash command run from the shell: the same text (or JSON) Hermes shows for /stats, /budget,
     * /setup, in terminal syntax ({@code plutus setup pricing auto}, not {@code /setup pricing auto}).
     * With the daemon up, the daemon answers: no cold start of the store, and the budget shown is the
     * one it enforces (edits go through it and are in force at once). A refusal goes to stderr and
     * exits 1.
     */
    abstract static class SlashCommand implements Callable<Integer> {
        private final String name;
        @Mixin HomeOption home;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "Print JSON") boolean json;
        @Parameters(arity = "0..*", paramLabel = "ARGS") List<String> args = List.of();

        SlashCommand(String name) {
            this.name = name;
        }

        /** The argument string the slash command takes: an argument with a space in it (a quoted name) stays one word. */
        String slashArgs() {
            return args.stream().map(a -> a.chars().anyMatch(Character::isWhitespace) ? "\"" + a + "\"" : a)
                    .collect(java.util.stream.Collectors.joining(" "));
        }

        /** Whether these arguments only read (then a missing home is refused, not created). */
        boolean readOnly() {
            return true;
        }

        /** A usage error in the options, as one line without the command's name; empty when they are fine. */
        java.util.Optional<String> usageError(HomeLayout h) {
            return java.util.Optional.empty();
        }

        @Override
        public Integer call() {
            HomeLayout h = home.resolve();
            java.util.Optional<String> usage = usageError(h);
            if (usage.isPresent()) {
                spec.commandLine().getErr().println("plutus " + name + ": " + usage.get());
                spec.commandLine().getErr().flush();
                return 2;
            }
            if (readOnly() && refuseMissingHome(spec, h)) {
                return 1;
            }
            java.util.Optional<DaemonInfo> daemon = DaemonInfo.read(h.daemonInfoFile()).filter(DaemonInfo::processAlive);
            if (daemon.isEmpty()) {
                return runHere(h);
            }
            DaemonInfo d = daemon.get();
            DaemonCommandClient.Answer a;
            try {
                a = DaemonCommandClient.run(d, AccessToken.read(h.tokenFile()), name, slashArgs(), json);
            } catch (IOException e) {
                spec.commandLine().getErr().println("plutus " + name + ": the daemon (pid " + d.pid() + ", " + d.baseUrl()
                        + ") did not answer: " + e.getMessage() + "; answering from the files here"
                        + (name.equals("budget") ? ", which may not be the budget the daemon enforces" : ""));
                return runHere(h);
            }
            if (json) {
                JsonNode j;
                try {
                    j = JSON.readTree(a.body());
                } catch (IOException e) {
                    throw new IllegalStateException("the daemon answered JSON that does not parse: " + e.getMessage(), e);
                }
                if (j instanceof ObjectNode o) {
                    o.putObject("daemon").put("pid", d.pid()).put("url", d.baseUrl());
                }
                return print(spec, new Rendered("", j, a.refused()), true, h);
            }
            String footer = name.equals("budget") && !a.refused()
                    ? "Answered by the running daemon (pid " + d.pid() + ", " + d.baseUrl() + "): this is the budget it enforces.\n" : "";
            return print(spec, new Rendered(a.body() + footer, null, a.refused()), false, h);
        }

        /** The command on an engine of this process, over the files as they are now. */
        int runHere(HomeLayout h) {
            try (Engine p = home.open(); HermesHost host = new HermesHost(p)) {
                // No daemon: an edit here is saved for the daemon to enforce when it starts, and the answer says so.
                return print(spec, SlashCommands.of(p, host.runway(), host.cronJobNames()).withoutDaemon().run(name, slashArgs()), json, h);
            }
        }
    }

    /**
     * Slash syntax in a command's text as a terminal user types it for {@code home}: {@code /setup pricing auto}
     * becomes {@code plutus setup pricing auto}, with {@code --home DIR} after the command's name when
     * {@code home} is not the default one ({@link HomeLayout#command}).
     */
    static String terminalSyntax(String text, HomeLayout home) {
        return SLASH_COMMAND.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(home.command(m.group(1))));
    }

    /** A slash command where a user would type it: not inside a path ({@code ~/.hermes/plutus/budget.yaml}) or a URL. */
    private static final java.util.regex.Pattern SLASH_COMMAND =
            java.util.regex.Pattern.compile("(?<![\\w/.~:-])/(stats|budget|setup|runway)\\b(?![./-])");

    @Command(name = "stats", mixinStandardHelpOptions = true, description = {
            "Usage, cost and tool statistics. Times and dates are in the budget zone",
            "(the timezone of budget.yaml).",
            "  plutus stats [today|24h|week|month]",
            "      today = the calendar day; 24h, week and month are rolling",
            "  plutus stats <report> [window]",
            "      reports: cron, providers, models, tools, sessions, workspaces,",
            "      task_types, daily",
            "  plutus stats [report] --from 2026-03-01 [--to 2026-03-07T18:00]",
            "  plutus stats raw [N]",
            "Sessions are the sessions with a model call in the range."})
    static final class Stats extends SlashCommand {
        @Option(names = "--from", paramLabel = "DATE", description = {"Start of the range: a date (2026-03-01) or",
                "a date and time (2026-03-01T09:30) in the budget zone"})
        String from;
        @Option(names = "--to", paramLabel = "DATE", description = {"End of the range (default: now); a date",
                "includes that whole day"})
        String to;

        Stats() {
            super("stats");
        }

        /**
         * The range options checked here, before any daemon is asked, so each mistake is one line and
         * exit 2: a window as well, --to alone, an empty or reversed range, a time the clocks skip or
         * repeat in the budget zone.
         */
        @Override
        java.util.Optional<String> usageError(HomeLayout h) {
            if (from == null && to == null) {
                return java.util.Optional.empty();
            }
            if (args.size() > 1 || args.size() == 1 && !STATS_REPORTS.contains(args.get(0).toLowerCase(java.util.Locale.ROOT))) {
                return java.util.Optional.of("--from/--to give the range, so '" + String.join(" ", args) + "' cannot as well: use either a"
                        + " window (today, 24h, week, month) or --from DATE [--to DATE], with at most a report name ("
                        + String.join(", ", STATS_REPORTS) + ")");
            }
            if (from == null) {
                return java.util.Optional.of("--to needs --from: give --from DATE [--to DATE] (a date such as 2026-03-01 or a date and"
                        + " time such as 2026-03-01T09:30, in the budget zone); for the last days use a window: today, 24h, week, month");
            }
            try {
                dev.plutus.report.StatsRange.between(from, to, java.time.Instant.now(), budgetZone(h));
            } catch (IllegalArgumentException e) {
                return java.util.Optional.of(e.getMessage());
            }
            return java.util.Optional.empty();
        }

        /** The zone budget.yaml names (what the range is read in), else this process's zone. */
        private java.time.ZoneId budgetZone(HomeLayout h) {
            java.time.ZoneId fallback = home.config(h).clock().getZone();
            try {
                if (!Files.exists(h.budgetFile())) {
                    return fallback;
                }
                return dev.plutus.budget.BudgetConfigParser.parse(Files.readString(h.budgetFile(), StandardCharsets.UTF_8),
                        h.budgetFile().toString(), fallback).zone();
            } catch (IOException | RuntimeException e) {
                return fallback;   // a broken budget.yaml is reported by the command itself
            }
        }

        @Override
        String slashArgs() {
            List<String> words = new java.util.ArrayList<>(args);
            if (from != null || to != null) {
                if (from != null) {
                    words.add("from");
                    words.add(from.strip().replace(' ', 'T'));
                }
                if (to != null) {
                    words.add("to");
                    words.add(to.strip().replace(' ', 'T'));
                }
            }
            return String.join(" ", words);
        }

        private static final List<String> STATS_REPORTS = List.of("cron", "providers", "models", "tools", "sessions", "workspaces",
                "task_types", "daily");
    }

    @Command(name = "budget", mixinStandardHelpOptions = true, description = {
            "Spend against every budget (worst first), when each reaches its cap at today's pace, or change a limit.",
            "  plutus budget                 every scope",
            "  plutus budget cron            per-cron-job budgets",
            "  plutus budget set <scope> [<id>] <window> <amount>",
            "  plutus budget unset <scope> [<id>] <window>",
            "Scopes: global, cron_job, sender, provider, model, session. Windows: daily, weekly, monthly, rolling_24h, rolling_7d."})
    static final class Budget extends SlashCommand {
        Budget() {
            super("budget");
        }

        @Override
        boolean readOnly() {
            return args.isEmpty() || !List.of("set", "unset").contains(args.get(0).toLowerCase(java.util.Locale.ROOT));
        }

        @Override
        int runHere(HomeLayout h) {
            int exit = super.runHere(h);
            if (!json && exit == 0 && readOnly()) {
                spec.commandLine().getOut().println("No daemon runs for " + h.dir() + ": this is the budget it enforces when started"
                        + " (start it with " + h.command("serve") + ").");
            }
            return exit;
        }
    }

    @Command(name = "setup", mixinStandardHelpOptions = true, description = {
            "Show or change the pricing and budget setup.",
            "  plutus setup                           status",
            "  plutus setup pricing auto|minimal|skip",
            "  plutus setup pricing auto force        fetch now, even if fetched less than a day ago",
            "  plutus setup budget default|custom|skip"})
    static final class Setup extends SlashCommand {
        @Mixin PriceSources priceSources;

        Setup() {
            super("setup");
        }

        @Override
        public Integer call() {
            priceSources.applyTo(home);
            return super.call();
        }

        @Override
        boolean readOnly() {
            return args.isEmpty();
        }
    }

    @Command(name = "price", mixinStandardHelpOptions = true,
            description = "The cost of one call, and the price entry used. Token flags mean what a Hermes usage record's fields mean.")
    static final class Price implements Callable<Integer> {
        @Mixin HomeOption home;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--model", required = true, description = "Model name as the host reports it") String model;
        @Option(names = "--provider", description = "Provider id as Hermes reports it (e.g. anthropic, openrouter, fireworks, azure)") String provider;
        @Option(names = "--input", description = "Prompt tokens not read from or written to a cache") long input;
        @Option(names = "--output", description = "Output tokens, reasoning included") long output;
        @Option(names = "--cache-read", description = "Prompt tokens read from the cache") long cacheRead;
        @Option(names = "--cache-write", description = "Prompt tokens written to the (5-minute) cache") long cacheWrite;
        @Option(names = "--cache-write-1h", description = "Prompt tokens written to the 1-hour cache") long cacheWrite1h;
        @Option(names = "--reasoning", description = "The part of output that was reasoning") long reasoning;
        @Option(names = "--images", description = "Images the call produced (models priced per image)") long images;
        @Option(names = "--at", paramLabel = "TIME", description = "When the call was made (ISO-8601, e.g. 2026-09-01T10:00:00Z; default now): prices in force then")
        String at;
        @Option(names = "--explain", description = "Show the chain: layer, key, effective date, window, tier, each class and its cost") boolean explain;
        @Option(names = "--json", description = "Print JSON") boolean json;

        @Override
        public Integer call() {
            TokenUsage usage;
            java.time.Instant when;
            try {
                usage = new TokenUsage(input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning);
                if (images < 0) {
                    throw new IllegalArgumentException("--images must not be negative, got " + images);
                }
                when = at == null ? java.time.Instant.now() : java.time.OffsetDateTime.parse(at).toInstant();
            } catch (IllegalArgumentException | java.time.DateTimeException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            // Without --home the built-in prices answer even before any install; a --home given must exist.
            if (home.home != null && refuseMissingHome(spec, home.resolve())) {
                return 1;
            }
            PricingEngine engine = PricingEngine.load(home.resolve());
            dev.plutus.pricing.PriceExplanation x = engine.explain(provider, model, null, usage, when, images);
            CallCost c = x.cost();
            ObjectNode j = JSON.createObjectNode();
            j.put("model", model).put("price_entry", c.entryKey()).put("priced", c.priced())
                    .put("cost_usd", plain(c.exactUsd()));
            j.put("cost_micros", c.micros());
            // Three different things, never one "estimated": the token counts given here are exact
            // (tokens estimated: never for this command); the price may be the maker's, standing in
            // for the host's (price from maker); or a stand-in or estimate otherwise (price estimated).
            String flag = c.makerFallback() ? CallCost.flagReason(c.estimateMark()) : null;
            j.put("estimated_tokens", false)
                    .put("maker_price_fallback", c.fromMaker())
                    .put("price_estimated", c.priceEstimated())
                    .put("price_flag", flag);
            String source = x.source() != null ? x.source() : c.entry() == null ? null : c.entry().source();
            if (c.entry() != null) {
                j.put("origin", c.entry().origin().name().toLowerCase()).put("layer", c.entry().origin().layerName())
                        .put("source", source);
            }
            if (!c.priced()) {
                j.put("reason", c.unpricedReason());
            }
            StringBuilder text = new StringBuilder(c.priced()
                    ? model + ": $" + c.exactUsd().toPlainString() + " (price entry " + c.entryKey() + ", "
                    + c.entry().origin().name().toLowerCase() + (source == null ? "" : ", " + source) + ")\n"
                    : model + ": unpriced: " + c.unpricedReason() + "\n");
            if (flag != null) {
                text.append("  flagged    : ").append(flag).append(c.fromMaker()
                        ? " (" + makerHint(provider, model, c.entry()) + ")" : "").append('\n');
            }
            if (explain) {
                explain(engine, x, text, j);
            }
            engine.problems().forEach(p -> spec.commandLine().getErr().println("warning: " + p));
            return print(spec, new Rendered(text.toString(), j), json, home.resolve());
        }

        /** Which host has no price of its own and whose price stands in: both named, and what to do. */
        static String makerHint(String host, String model, dev.plutus.pricing.PriceEntry used) {
            String maker = used.provider() == null ? "the maker" : used.provider();
            return "no " + host + " price for '" + model + "' in any layer; " + maker + "'s list price ("
                    + used.origin().layerName() + " '" + used.key() + "') stands in for " + host
                    + "'s: add " + host + "'s price to pricing.yaml";
        }

        private static void explain(PricingEngine engine, dev.plutus.pricing.PriceExplanation x, StringBuilder t, ObjectNode j) {
            ObjectNode e = j.putObject("explain");
            e.put("at", x.at().toString());
            if (!x.notYetInForce().isEmpty()) {
                x.notYetInForce().forEach(n -> t.append("  not yet    : ").append(n).append('\n'));
                x.notYetInForce().forEach(e.putArray("not_yet_in_force")::add);
            }
            if (x.resolution() == null) {
                List<String> layers = engine.layersConsulted();
                t.append(x.notYetInForce().isEmpty() ? "  no layer has a price for this model"
                        : "  no layer has a price in force for this model at " + x.at()).append(" (tried, in order: ")
                        .append(String.join(", ", layers)).append(")\n");
                layers.forEach(e.putArray("layers_consulted")::add);
                return;
            }
            var r = x.resolution();
            t.append("  layer      : ").append(x.layer()).append('\n');
            t.append("  key        : ").append(r.entry().key()).append(" (matched as ").append(r.matchedName()).append(")\n");
            e.put("layer", x.layer()).put("key", r.entry().key()).put("matched_name", r.matchedName())
                    .put("maker_price_fallback", r.makerFallback()).put("region_price_fallback", r.regionFallback())
                    .put("variant_price_fallback", r.variant()).put("source", x.source());
            if (r.rule() != null) {
                t.append("  rule       : ").append(r.rule()).append('\n');
                e.put("match", r.match().name().toLowerCase(java.util.Locale.ROOT)).put("rule", r.rule());
            }
            if (r.entry().note() != null) {
                t.append("  note       : ").append(r.entry().note()).append('\n');
                e.put("note", r.entry().note());
            }
            if (!x.inherited().isEmpty()) {
                List<String> scaled = x.inherited().stream()
                        .filter(cls -> r.entry().scalesInherited(cls, r.inheritsFrom().pricesAt(x.at()))).toList();
                t.append("  inherited  : ").append(String.join(", ", x.inherited())).append(" from ")
                        .append(r.inheritsFrom().origin().layerName()).append(" entry ").append(r.inheritsFrom().key())
                        .append(scaled.isEmpty() ? "" : "; " + String.join(", ", scaled)
                                + " scaled to your prices (the lower layer's ratio to its input, or output)").append('\n');
                e.put("inherited_from", r.inheritsFrom().origin().layerName() + ":" + r.inheritsFrom().key());
                x.inherited().forEach(e.putArray("inherited")::add);
                scaled.forEach(e.putArray("inherited_scaled")::add);
            }
            if (!x.warnings().isEmpty()) {
                x.warnings().forEach(w -> t.append("  warning    : ").append(w).append('\n'));
                x.warnings().forEach(e.putArray("warnings")::add);
            }
            if (!r.entry().pricesAt(x.at()).estimated().isEmpty()) {
                t.append("  estimates  : ").append(String.join(", ", r.entry().pricesAt(x.at()).estimated()))
                        .append(" priced by estimate, not from a source; a call billed for them is flagged 'price estimated'\n");
                r.entry().pricesAt(x.at()).estimated().forEach(e.putArray("estimated_classes")::add);
            }
            if (x.period() == null) {
                return;
            }
            String effective = x.period().effectiveFrom() == null ? "always" : x.period().effectiveFrom().toString();
            t.append("  effective  : ").append(effective).append(x.period().asOf() == null ? "" : " (as of " + x.period().asOf() + ")").append('\n');
            e.put("effective_from", x.period().effectiveFrom() == null ? null : x.period().effectiveFrom().toString());
            dev.plutus.pricing.PriceEntry before = x.previousPeriod();
            if (before != null) {
                dev.plutus.pricing.PriceEntry charged = x.previousPrices();
                String was = "input " + charged.input().toPlainString() + ", output " + charged.output().toPlainString()
                        + ", cache_read " + charged.cacheRead().toPlainString() + ", cache_write " + charged.cacheWrite().toPlainString()
                        + " USD per million tokens" + (before.windows().isEmpty() ? "" : " (outside its time-of-day windows)");
                t.append("  changed    : on ").append(x.period().effectiveFrom()).append("; before that (from ")
                        .append(before.effectiveFrom() == null ? "its first price" : before.effectiveFrom().toString())
                        .append("): ").append(was).append('\n');
                ObjectNode b = e.put("changed_on", x.period().effectiveFrom().toString()).putObject("price_before");
                b.put("from", before.effectiveFrom() == null ? null : before.effectiveFrom().toString())
                        .put("input", plain(charged.input())).put("output", plain(charged.output()))
                        .put("cache_read", plain(charged.cacheRead())).put("cache_write", plain(charged.cacheWrite()));
            }
            if (x.window() != null) {
                t.append("  window     : ").append(x.window().label()).append('\n');
                e.put("window", x.window().label());
            }
            t.append("  tier       : ").append(x.tier() == null ? "base" : "above " + x.tier().abovePromptTokens() + " prompt tokens").append('\n');
            e.put("tier_above_prompt_tokens", x.tier() == null ? null : x.tier().abovePromptTokens());
            var lines = e.putArray("lines");
            for (var l : x.lines()) {
                t.append(String.format("  %-15s %,12d x %s %s = $%s%n", l.billedClass(), l.count(), l.unitPrice().toPlainString(),
                        l.unit(), plain(l.usd()).toPlainString()));
                lines.addObject().put("class", l.billedClass()).put("count", l.count()).put("unit_price", plain(l.unitPrice()))
                        .put("unit", l.unit()).put("cost_usd", plain(l.usd()));
            }
            t.append("  total      : $").append(plain(x.totalUsd())).append('\n');
        }

        /** A decimal as JSON prints it plainly: 10, never 1E+1. */
        private static java.math.BigDecimal plain(java.math.BigDecimal d) {
            java.math.BigDecimal s = d.stripTrailingZeros();
            return s.scale() < 0 ? s.setScale(0) : s;
        }
    }

    @Command(name = "hook", mixinStandardHelpOptions = true,
            description = "Handles one Hermes hook event: reads its keyword arguments as JSON on stdin, prints the hook's return value as JSON ({} when none).")
    static final class Hook implements Callable<Integer> {
        /** Exit status when the hook asks for a verdict and none could be computed. */
        static final int VERDICT_UNKNOWN = 3;

        @Mixin HomeOption home;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "EVENT", description = "Hook name, e.g. post_api_request") String event;
        @CommandLine.ParentCommand PlutusCli parent;

        @Override
        public Integer call() throws IOException {
            String in = new String(parent.stdin.readAllBytes(), StandardCharsets.UTF_8);
            JsonNode kwargs;
            try {
                kwargs = in.isBlank() ? JSON.createObjectNode() : JSON.readTree(in);
            } catch (IOException e) {
                spec.commandLine().getErr().println("plutus hook: stdin is not JSON: " + e.getMessage());
                spec.commandLine().getOut().println("{}");
                return 0;
            }
            if (kwargs instanceof com.fasterxml.jackson.databind.node.ObjectNode k && !k.hasNonNull("_plutus_event_id")) {
                // One id for this firing, stamped before the daemon is tried: a daemon that got the event but
                // answered too late, and this process handling it after, then record it once (as the bridge does).
                k.put("_plutus_event_id", java.util.UUID.randomUUID().toString().replace("-", ""));
            }
            java.util.Optional<Integer> viaDaemon = viaDaemon(kwargs);
            if (viaDaemon.isPresent()) {
                return viaDaemon.get();
            }
            HookReply reply;
            try (Engine p = home.open(); HermesHost h = new HermesHost(p)) {
                reply = h.hooks().dispatch(event, kwargs);
            } catch (dev.plutus.engine.VerdictUnknown e) {
                return unknown(e);
            } catch (dev.plutus.store.StoreException e) {
                // The store is unusable: keep the event where the daemon replays from, answer "nothing to do".
                dev.plutus.core.HomeLayout h = home.resolve();
                java.nio.file.Files.createDirectories(h.spoolDir());
                String line = JSON.createObjectNode().put("event", event).set("kwargs", kwargs).toString() + "\n";
                java.nio.file.Files.writeString(h.spoolDir().resolve("cli-" + ProcessHandle.current().pid() + ".jsonl"), line,
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                spec.commandLine().getErr().println("plutus hook: store unavailable (" + e.getMessage() + "); event spooled");
                if (dev.plutus.hermes.HookDispatcher.asksForVerdict(event)) {
                    return unknown(new dev.plutus.engine.VerdictUnknown("store unavailable: " + e.getMessage(), e));
                }
                reply = HookReply.NOTHING;
            }
            spec.commandLine().getOut().println(JSON.writeValueAsString(reply.toJson()));
            spec.commandLine().getOut().flush();
            return 0;
        }

        /**
         * With a daemon running, it handles the event (no cold engine per event, and its counters see it).
         * Empty when none runs or it could not be reached; a refusal other than "verdict unknown" also
         * falls back to handling the event here, so it is never lost.
         */
        private java.util.Optional<Integer> viaDaemon(JsonNode kwargs) throws IOException {
            dev.plutus.core.HomeLayout h = home.resolve();
            java.util.Optional<DaemonInfo> daemon = DaemonInfo.read(h.daemonInfoFile()).filter(DaemonInfo::processAlive);
            if (daemon.isEmpty()) {
                return java.util.Optional.empty();
            }
            DaemonCommandClient.HookAnswer a;
            try {
                a = DaemonCommandClient.hook(daemon.get(), AccessToken.read(h.tokenFile()), event, JSON.writeValueAsString(kwargs));
            } catch (IOException e) {
                spec.commandLine().getErr().println("plutus hook: the daemon (pid " + daemon.get().pid() + ") did not answer ("
                        + e.getMessage() + "); handling the event here");
                return java.util.Optional.empty();
            }
            if (a.status() == 200) {
                spec.commandLine().getOut().println(a.body().isBlank() ? "{}" : a.body().strip());
                spec.commandLine().getOut().flush();
                return java.util.Optional.of(0);
            }
            if ("verdict unknown".equals(a.error())) {
                return java.util.Optional.of(unknown(new dev.plutus.engine.VerdictUnknown(a.body(), null)));
            }
            spec.commandLine().getErr().println("plutus hook: the daemon answered HTTP " + a.status() + " (" + a.body().strip()
                    + "); handling the event here");
            return java.util.Optional.empty();
        }

        /**
         * Not "{}": that reads as "go on". {@code {"budget": {"level": "unknown", ...}}} as /v1/usage says it,
         * and exit 3 for a caller that reads only the status, so its fail mode decides.
         */
        private int unknown(dev.plutus.engine.VerdictUnknown e) {
            spec.commandLine().getErr().println("plutus hook: " + e.getMessage());
            spec.commandLine().getOut().println(JSON.createObjectNode().set("budget", JSON.createObjectNode()
                    .put("level", "unknown").put("message", e.getMessage())).toString());
            spec.commandLine().getOut().flush();
            return VERDICT_UNKNOWN;
        }
    }
}
