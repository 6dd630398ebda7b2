package dev.plutus.hermes;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.HomeLayout;
import dev.plutus.config.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Installs Plutus into a Hermes home: the plugin directory (Hermes's plugin.yaml, the bridge,
 * bridge.json) and the name in config.yaml's plugins.enabled, edited in place after a backup.
 * Installing again is a no-op when nothing changed, else a clean upgrade; uninstall undoes both.
 */
public final class HermesInstaller {
    private static final String BRIDGE_RESOURCE = "/dev/plutus/hermes/plutus_bridge/__init__.py";
    private static final String SHELL_HOOK_RESOURCE = "/dev/plutus/hermes/plutus_bridge/shell_hook.py";
    private static final String TRANSPORT_RESOURCE = "/dev/plutus/hermes/plutus_bridge/transport.py";
    private static final ObjectMapper JSON = Json.MAPPER;

    /** How the bridge behaves; written to bridge.json. */
    public record BridgeSettings(int timeoutMillis, String failMode, boolean autostart, String launcher) {
        public BridgeSettings {
            if (timeoutMillis < 10 || timeoutMillis > 30_000) {
                throw new IllegalArgumentException("timeout must be 10..30000 ms, got " + timeoutMillis);
            }
            if (!failMode.equals("open") && !failMode.equals("closed")) {
                throw new IllegalArgumentException("fail_mode must be open or closed, got '" + failMode + "'");
            }
        }
    }

    private final Path hermesHome;
    private final HomeLayout plutusHome;
    private final PluginManifest manifest;
    private final Clock clock;

    public HermesInstaller(Path hermesHome, HomeLayout plutusHome, PluginManifest manifest, Clock clock) {
        this.hermesHome = hermesHome;
        this.plutusHome = plutusHome;
        this.manifest = manifest;
        this.clock = clock;
    }

    public Path pluginDir() {
        return hermesHome.resolve("plugins").resolve(manifest.name());
    }

    public Path configFile() {
        return hermesHome.resolve("config.yaml");
    }

    /** Where {@code install hermes --shell-hooks} leaves its merged config.yaml for the user to review. */
    public Path mergeProposalFile() {
        return hermesHome.resolve("config.yaml.plutus-merged");
    }

    /** Writes what differs and says what it did, one line per action. */
    public List<String> install(BridgeSettings settings) throws IOException {
        List<String> done = writePluginFiles(settings);
        String config = Files.exists(configFile()) ? Files.readString(configFile(), StandardCharsets.UTF_8) : "";
        String edited = PluginList.enable(config, manifest.name());
        if (edited.equals(config)) {
            done.add("'" + manifest.name() + "' is already in plugins.enabled of " + configFile() + ".");
        } else {
            Path backup = backUp();
            AtomicFiles.write(configFile(), edited);
            done.add("Enabled '" + manifest.name() + "' in " + configFile()
                    + (backup == null ? " (new file)." : " (backup: " + backup.getFileName() + ")."));
        }
        if (PluginList.disabledNames(edited).contains(manifest.name())) {
            done.add("Warning: '" + manifest.name() + "' is also in plugins.disabled, which wins; remove it there.");
        }
        hookTimeoutWarning(edited, settings).ifPresent(done::add);
        return done;
    }

    /**
     * A hook can take two attempts of the bridge's timeout and then a spool write; the bridge holds its
     * timeout to a quarter of Hermes's (plutus_bridge.HOOK_TIMEOUT_SHARE) so it never outlasts it.
     */
    static final int HOOK_TIMEOUT_SHARE = 4;

    /** Hermes's hook timeout where plugins.hook_callback_timeout is unset, null, negative or not a number. */
    static final java.math.BigDecimal HERMES_DEFAULT_HOOK_TIMEOUT_S = java.math.BigDecimal.valueOf(30);

    /**
     * A warning when Hermes's {@code plugins.hook_callback_timeout} is below the bridge's worst case:
     * newer Hermes then skips the plugin's callbacks for 60 s after one slow call, and spend goes unrecorded.
     */
    static java.util.Optional<String> hookTimeoutWarning(String config, BridgeSettings settings) {
        java.math.BigDecimal seconds;
        try {
            seconds = dev.plutus.config.YamlDoc.parse(config, "config.yaml").get("plugins").get("hook_callback_timeout")
                    .decimal().orElse(null);
        } catch (RuntimeException e) {
            seconds = null;   // a config Hermes could not read either: it runs on its default
        }
        String is;
        if (seconds == null || seconds.signum() < 0) {
            seconds = HERMES_DEFAULT_HOOK_TIMEOUT_S;   // unset, null, text or negative: Hermes uses its default
            is = "is not set to a usable value, so Hermes's default of 30 s applies";
        } else {
            is = "is " + seconds.stripTrailingZeros().toPlainString() + " s in config.yaml";
        }
        if (seconds.signum() == 0) {
            return java.util.Optional.empty();   // 0: Hermes sets no limit
        }
        long hermesMillis = seconds.multiply(java.math.BigDecimal.valueOf(1000)).longValue();
        long worstMillis = (long) settings.timeoutMillis() * HOOK_TIMEOUT_SHARE;
        if (hermesMillis >= worstMillis) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("Warning: plugins.hook_callback_timeout " + is + ", below the bridge's worst case of " + worstMillis + " ms (two attempts of --timeout-ms "
                + settings.timeoutMillis() + " and a spool write). Hermes skips a plugin's callbacks for 60 s after one that"
                + " times out, so spend would go unrecorded: the bridge holds its own timeout to "
                + Math.max(1, hermesMillis / HOOK_TIMEOUT_SHARE) + " ms (events it cannot send in time are spooled);"
                + " raise hook_callback_timeout to at least " + (worstMillis + 999) / 1000 + " s to keep --timeout-ms.");
    }

    /**
     * For Hermes setups that cannot load Python plugins: writes the plugin files (the shell-hook entry
     * uses the same bridge) but leaves config.yaml alone, since enabling the plugin as well would send
     * every event twice. The caller prints {@link #shellHooksSnippet} for the user to paste.
     */
    public List<String> installForShellHooks(BridgeSettings settings) throws IOException {
        List<String> done = writePluginFiles(settings);
        String config = Files.exists(configFile()) ? Files.readString(configFile(), StandardCharsets.UTF_8) : "";
        if (PluginList.enabledNames(config).contains(manifest.name())) {
            done.add("Warning: '" + manifest.name() + "' is in plugins.enabled of " + configFile()
                    + "; with shell hooks too every event would arrive twice. Run `" + plutusHome.command("uninstall hermes") + "` first.");
        }
        return done;
    }

    /** The {@code hooks:} and {@code quick_commands:} block that forwards every manifest hook through shell_hook.py. */
    public String shellHooksSnippet(String python, String launcher) {
        return shellHooksSnippet(python, launcher, "");
    }

    /** The same, with {@code launcherArgs} (already shell-quoted, such as {@code --home DIR}) after each quick command. */
    public String shellHooksSnippet(String python, String launcher, String launcherArgs) {
        StringBuilder y = new StringBuilder();
        y.append("# Plutus through Hermes shell hooks (paste at the top level of ").append(configFile()).append(").\n")
                .append("# Gateway and cron processes register new shell hooks only with hooks_auto_accept: true.\n")
                .append("hooks:\n");
        String command = yamlQuoted(shellQuoted(python) + " " + shellQuoted(pluginDir().resolve("shell_hook.py").toString()));
        for (String hook : manifest.hooks()) {
            y.append("  ").append(hook).append(":\n")
                    .append("    - command: ").append(command).append("\n")
                    .append("      timeout: 5\n");
        }
        y.append("quick_commands:\n");
        for (PluginManifest.Command c : manifest.commands()) {
            y.append("  ").append(c.name()).append(":\n")
                    .append("    type: exec\n")
                    .append("    command: ").append(yamlQuoted(shellQuoted(launcher) + " " + c.name() + launcherArgs)).append("\n");
        }
        return y.toString();
    }

    /**
     * config.yaml with the shell hooks and quick commands merged into the user's own {@code hooks:}
     * and {@code quick_commands:} (their entries kept, comments and other lines untouched); empty when
     * the file has neither key, so the block can be pasted at the top level as it is. A quick command
     * of the user's with one of Plutus's names is kept, and named in {@code skipped}.
     */
    public java.util.Optional<String> mergedShellHooksConfig(String python, String launcher, String launcherArgs, List<String> skipped)
            throws IOException {
        String text = Files.exists(configFile()) ? Files.readString(configFile(), StandardCharsets.UTF_8) : "";
        dev.plutus.config.YamlEditor doc = dev.plutus.config.YamlEditor.of(text, configFile().toString());
        if (doc.root().get("hooks").isMissing() && doc.root().get("quick_commands").isMissing()) {
            return java.util.Optional.empty();
        }
        String command = shellQuoted(python) + " " + shellQuoted(pluginDir().resolve("shell_hook.py").toString());
        for (String hook : manifest.hooks()) {
            dev.plutus.config.YamlNode existing = doc.root().get("hooks").get(hook);
            List<dev.plutus.config.YamlEditor.Item> items = new ArrayList<>();
            if (existing.isList()) {
                boolean already = false;
                for (int i = 0; i < existing.items().size(); i++) {
                    items.add(new dev.plutus.config.YamlEditor.Kept(i));
                    already |= existing.items().get(i).get("command").textOr("").equals(command);
                }
                if (already) {
                    continue;
                }
            }
            java.util.LinkedHashMap<String, String> fields = new java.util.LinkedHashMap<>();
            fields.put("command", command);
            items.add(new dev.plutus.config.YamlEditor.NewMapping(fields));
            doc = doc.rewriteList(dev.plutus.config.YamlPath.of(List.of("hooks", hook)), items,
                    dev.plutus.config.YamlEditor.Placement.END);
        }
        for (PluginManifest.Command c : manifest.commands()) {
            String wanted = shellQuoted(launcher) + " " + c.name() + launcherArgs;
            dev.plutus.config.YamlNode existing = doc.root().get("quick_commands").get(c.name());
            if (!existing.isMissing()) {
                String had = existing.get("command").textOr("");
                if (isOwnQuickCommand(c.name(), had, List.of(launcher))) {
                    if (!had.equals(wanted)) {
                        // Plutus's own entry from an install for another home (or launcher): point it here.
                        doc = doc.setScalar(dev.plutus.config.YamlPath.of(List.of("quick_commands", c.name(), "command")), wanted);
                    }
                } else {
                    skipped.add(c.name());
                }
                continue;
            }
            java.util.LinkedHashMap<String, String> fields = new java.util.LinkedHashMap<>();
            fields.put("type", "exec");
            fields.put("command", wanted);
            doc = doc.replaceWithMapping(dev.plutus.config.YamlPath.of(List.of("quick_commands", c.name())), fields);
        }
        return java.util.Optional.of(doc.text());
    }

    /** config.yaml as it is now ("" when absent): the caller writes a merge only when it differs. */
    public String currentConfig() throws IOException {
        return Files.exists(configFile()) ? Files.readString(configFile(), StandardCharsets.UTF_8) : "";
    }

    /**
     * Whether a quick command is one Plutus wrote: {@code <launcher> <name>}, optionally followed by
     * {@code --home DIR}, where the launcher is one of {@code launchers} or any program named plutus.
     */
    static boolean isOwnQuickCommand(String name, String command, List<String> launchers) {
        String c = command.strip();
        for (String launcher : launchers) {
            String prefix = shellQuoted(launcher) + " " + name;
            if (c.equals(prefix) || c.startsWith(prefix + " --home ")) {
                return true;
            }
        }
        return c.matches("(?:\\S*/)?plutus " + java.util.regex.Pattern.quote(name) + "(?: --home .+)?");
    }

    /** Whether a shell hook runs this install's shell_hook.py. */
    private boolean isOwnHookCommand(String command) {
        return command.contains(pluginDir().resolve("shell_hook.py").toString());
    }

    /**
     * {@code text} without the shell hooks and quick commands Plutus put in it; the user's own entries
     * and every other line stay as they are. A hook event or the {@code hooks:}/{@code quick_commands:}
     * key left with nothing of the user's goes too. Adds one line per removal to {@code done}.
     */
    String withoutShellHooks(String text, List<String> launchers, List<String> done) {
        dev.plutus.config.YamlEditor doc = dev.plutus.config.YamlEditor.of(text, configFile().toString());
        int hooks = 0;
        dev.plutus.config.YamlNode hookMap = doc.root().get("hooks");
        if (hookMap.isMapping()) {
            for (var e : hookMap.entries().entrySet()) {
                if (!e.getValue().isList()) {
                    continue;
                }
                List<dev.plutus.config.YamlNode> items = e.getValue().items();
                List<dev.plutus.config.YamlEditor.Item> keep = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    if (!isOwnHookCommand(items.get(i).get("command").textOr(""))) {
                        keep.add(new dev.plutus.config.YamlEditor.Kept(i));
                    }
                }
                if (keep.size() == items.size()) {
                    continue;
                }
                hooks += items.size() - keep.size();
                dev.plutus.config.YamlPath at = dev.plutus.config.YamlPath.of(List.of("hooks", e.getKey()));
                doc = keep.isEmpty() ? doc.removeKey(at) : doc.rewriteList(at, keep, dev.plutus.config.YamlEditor.Placement.END);
            }
            if (hooks > 0 && doc.root().get("hooks").entries().isEmpty()) {
                doc = doc.removeKey(dev.plutus.config.YamlPath.of("hooks"));
            }
        }
        List<String> commands = new ArrayList<>();
        dev.plutus.config.YamlNode quick = doc.root().get("quick_commands");
        if (quick.isMapping()) {
            for (PluginManifest.Command c : manifest.commands()) {
                if (isOwnQuickCommand(c.name(), quick.get(c.name()).get("command").textOr(""), launchers)) {
                    doc = doc.removeKey(dev.plutus.config.YamlPath.of(List.of("quick_commands", c.name())));
                    commands.add(c.name());
                }
            }
            if (!commands.isEmpty() && doc.root().get("quick_commands").entries().isEmpty()) {
                doc = doc.removeKey(dev.plutus.config.YamlPath.of("quick_commands"));
            }
        }
        String out = doc.text();
        if (hooks > 0 && doc.root().get("hooks").isMissing()) {
            // The two comment lines the printed block starts with, pasted with it: Plutus's too.
            out = out.replaceFirst("(?m)^# Plutus through Hermes shell hooks \\(paste at the top level of [^\\n]*\\)\\.\\r?\\n"
                    + "# Gateway and cron processes register new shell hooks only with hooks_auto_accept: true\\.\\r?\\n", "");
        }
        if (hooks > 0) {
            done.add("Removed Plutus's " + hooks + " shell hook" + (hooks == 1 ? "" : "s") + " from hooks: of " + configFile() + ".");
        }
        if (!commands.isEmpty()) {
            done.add("Removed Plutus's quick commands " + String.join(", ", commands) + " from quick_commands: of " + configFile() + ".");
        }
        return out;
    }

    /** What to remove by hand when config.yaml cannot be edited safely: Plutus's hooks and quick commands, named. */
    private String removeByHand(String text, List<String> launchers) {
        List<String> what = new ArrayList<>();
        try {
            dev.plutus.config.YamlNode root = dev.plutus.config.YamlDoc.parse(text, configFile().toString());
            root.get("hooks").entries().forEach((event, list) -> {
                if (list.isList() && list.items().stream().anyMatch(i -> isOwnHookCommand(i.get("command").textOr("")))) {
                    what.add("hooks." + event);
                }
            });
            for (PluginManifest.Command c : manifest.commands()) {
                if (isOwnQuickCommand(c.name(), root.get("quick_commands").get(c.name()).get("command").textOr(""), launchers)) {
                    what.add("quick_commands." + c.name());
                }
            }
        } catch (RuntimeException e) {
            return "remove by hand every hooks: entry whose command runs " + pluginDir().resolve("shell_hook.py")
                    + " and Plutus's quick_commands (" + String.join(", ", manifest.commands().stream().map(PluginManifest.Command::name).toList()) + ")";
        }
        return what.isEmpty() ? "" : "remove by hand the entries that run " + pluginDir().resolve("shell_hook.py") + " or plutus under "
                + String.join(", ", what);
    }

    /** Writes {@code merged} over config.yaml after a backup; the line to report. */
    public String writeConfig(String merged) throws IOException {
        Path backup = backUp();
        AtomicFiles.write(configFile(), merged);
        return "Merged the shell hooks and quick commands into " + configFile()
                + (backup == null ? " (new file)." : " (backup: " + backup.getFileName() + ").");
    }

    /** Hermes splits shell-hook commands with shlex (and quick commands run in a shell): quote what needs it. */
    public static String shellQuoted(String word) {
        return HomeLayout.shellQuoted(word);
    }

    private static String yamlQuoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private List<String> writePluginFiles(BridgeSettings settings) throws IOException {
        List<String> done = new ArrayList<>();
        Path dir = pluginDir();
        boolean existed = Files.isDirectory(dir);
        java.util.Optional<Path> before = recordedPlutusHome();
        Files.createDirectories(dir);
        int changed = 0;
        changed += writeIfDifferent(dir.resolve("plugin.yaml"), manifest.hermesPluginYaml());
        changed += writeIfDifferent(dir.resolve("__init__.py"), bridgeSource());
        changed += writeIfDifferent(dir.resolve("shell_hook.py"), resource(SHELL_HOOK_RESOURCE));
        changed += writeIfDifferent(dir.resolve("transport.py"), resource(TRANSPORT_RESOURCE));
        changed += writeIfDifferent(dir.resolve("bridge.json"), bridgeJson(settings));
        if (changed == 0) {
            done.add("Plugin files in " + dir + " are up to date.");
        } else {
            done.add((existed ? "Upgraded" : "Installed") + " the Plutus plugin in " + dir + " (" + changed + " file"
                    + (changed == 1 ? "" : "s") + " written).");
        }
        Path now = plutusHome.dir().toAbsolutePath().normalize();
        if (before.isPresent() && !before.get().equals(now)) {
            done.add("Hermes's calls are now recorded into " + now + ", no longer into " + before.get() + "; that home keeps its"
                    + " data (`" + new HomeLayout(before.get()).command("stats") + "` still reads it).");
        }
        done.addAll(recordHermesHome());
        return done;
    }

    /** The Plutus home an earlier install's bridge.json sends events to, if there was one. */
    private java.util.Optional<Path> recordedPlutusHome() {
        try {
            Path json = pluginDir().resolve("bridge.json");
            if (!Files.exists(json)) {
                return java.util.Optional.empty();
            }
            String home = JSON.readTree(json.toFile()).path("plutus_home").asText("");
            return home.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(home).toAbsolutePath().normalize());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Notes this Hermes home in the Plutus home ({@link HomeLayout#hermesHomeFile()}), so the daemon
     * and the CLI read its .env and cron/jobs.json whatever HERMES_HOME their own environment has.
     */
    private List<String> recordHermesHome() throws IOException {
        Path file = plutusHome.hermesHomeFile();
        String wanted = hermesHome.toAbsolutePath().normalize().toString();
        String current = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : null;
        if (wanted.equals(current)) {
            return List.of();
        }
        Files.createDirectories(plutusHome.dir());
        AtomicFiles.write(file, wanted + "\n");
        return List.of("Recorded the Hermes home " + wanted + " in " + file + ": runway reads keys from its .env and cron job"
                + " names from its cron/jobs.json" + (current == null ? "." : " (it was " + current + ")."));
    }

    /**
     * Removes the plugin directory, the plugins.enabled entry and the shell hooks and quick commands
     * Plutus put in config.yaml (the user's own stay; backup first). When config.yaml cannot be edited
     * safely, the last line says exactly what to remove by hand.
     */
    public List<String> uninstall() throws IOException {
        List<String> done = new ArrayList<>();
        if (Files.exists(configFile())) {
            String config = Files.readString(configFile(), StandardCharsets.UTF_8);
            String edited = PluginList.disable(config, manifest.name());
            boolean disabled = !edited.equals(config);
            List<String> hookLines = new ArrayList<>();
            List<String> launchers = installedLaunchers();
            String byHand = "";
            try {
                edited = withoutShellHooks(edited, launchers, hookLines);
            } catch (dev.plutus.config.ConfigException e) {
                byHand = removeByHand(edited, launchers);
                if (!byHand.isEmpty()) {
                    byHand = "config.yaml could not be edited safely (" + e.getMessage() + "): " + byHand + ".";
                }
            }
            if (!edited.equals(config)) {
                Path backup = backUp();
                AtomicFiles.write(configFile(), edited);
                if (disabled) {
                    done.add("Removed '" + manifest.name() + "' from plugins.enabled of " + configFile() + " (backup: "
                            + backup.getFileName() + ").");
                } else {
                    done.add("Edited " + configFile() + " (backup: " + backup.getFileName() + ").");
                }
                done.addAll(hookLines);
            }
            if (!byHand.isEmpty()) {
                done.add(byHand);
            }
        }
        Path proposal = mergeProposalFile();
        if (Files.deleteIfExists(proposal)) {
            // It was written for the hooks being removed: moved over config.yaml later, it would point at a deleted script.
            done.add("Removed " + proposal + " (the merge an earlier --shell-hooks install proposed; its hooks ran the plugin).");
        }
        Path dir = pluginDir();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            done.add("Removed " + dir + ".");
        }
        if (done.isEmpty()) {
            done.add("Plutus was not installed in " + hermesHome + "; nothing to do.");
        }
        return done;
    }

    /** The launcher bridge.json names (quick commands run it), besides the usual plutus. */
    private List<String> installedLaunchers() {
        List<String> out = new ArrayList<>(List.of("plutus"));
        try {
            Path json = pluginDir().resolve("bridge.json");
            if (Files.exists(json)) {
                String launcher = JSON.readTree(Files.readString(json, StandardCharsets.UTF_8)).path("launcher").asText("");
                if (!launcher.isBlank()) {
                    out.add(launcher);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Without bridge.json the usual names still match.
        }
        return out;
    }

    private Path backUp() throws IOException {
        return dev.plutus.config.Backups.backUp(configFile(), clock);
    }

    private static int writeIfDifferent(Path file, String content) throws IOException {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
            return 0;
        }
        AtomicFiles.write(file, content);
        return 1;
    }

    static String bridgeSource() throws IOException {
        return resource(BRIDGE_RESOURCE);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = HermesInstaller.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("bridge missing from the build: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String bridgeJson(BridgeSettings s) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("plutus_home", plutusHome.dir().toString()).put("launcher", s.launcher())
                .put("timeout_ms", s.timeoutMillis()).put("fail_mode", s.failMode()).put("autostart", s.autostart());
        ArrayNode hooks = o.putArray("hooks");
        manifest.hooks().forEach(hooks::add);
        ArrayNode commands = o.putArray("commands");
        manifest.commands().forEach(c -> commands.addObject().put("name", c.name()).put("description", c.description())
                .put("args_hint", c.argsHint()));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    }
}
