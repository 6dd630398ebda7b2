package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.TestSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a user runs it: real files under a temp PLUTUS_HOME, a real local HTTP server. */
@org.junit.jupiter.api.Tag("store")
class PlutusCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    /** Runs the CLI in this JVM; the home it names is put on the store of this test pass first. */
    static Result run(String stdin, String... args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--home") && java.nio.file.Files.isDirectory(Path.of(args[i + 1]))) {
                TestSupport.onTestStore(Path.of(args[i + 1]));
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PlutusCli.commandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static Result run(Path home, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, home.toString());
        all.add(1, "--home");
        return run("", all.toArray(String[]::new));
    }

    @Test
    void anUnreachableStoreIsOneClearLineAndExit2(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("plutus.yaml"), "store:\n  url: jdbc:postgresql://127.0.0.1:1/plutus\n  user: plutus\n");
        Result r = run(home, "stats");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("plutus stats: cannot connect to jdbc:postgresql://127.0.0.1:1/plutus"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void priceJsonNamesTheEntryAndTheExactCost(@TempDir Path home) throws Exception {
        Result r = run(home, "price", "--model", "anthropic/claude-sonnet-4.5-20250929", "--input", "1000", "--output", "2000",
                "--cache-read", "10000", "--cache-write", "400", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("claude-sonnet-4-5", j.get("price_entry").asText());
        assertFalse(j.get("estimated_tokens").asBoolean());
        assertFalse(j.get("maker_price_fallback").asBoolean());
        assertTrue(j.get("priced").asBoolean());
        // 1000*3 + 2000*15 + 10000*0.3 + 400*3.75 = 37,500 USD per million tokens
        assertEquals(new BigDecimal("0.0375"), j.get("cost_usd").decimalValue().stripTrailingZeros());
        assertTrue(j.get("cost_usd").isNumber(), "cost_usd is a JSON number");

        Result unknown = run(home, "price", "--model", "gpt-4.1-turbo-nonexistent", "--input", "5", "--json");
        assertFalse(unknown.json().get("priced").asBoolean());
        assertTrue(unknown.json().get("price_entry").isNull());

        // A tiny cost reads as people write it (found by the independent test: 7.5E-7).
        Result tiny = run(home, "price", "--provider", "openai", "--model", "gpt-4o-mini", "--input", "1", "--output", "1", "--json");
        assertEquals(0, tiny.exit(), tiny.err());
        assertFalse(tiny.out().contains("E-"), tiny.out());
        assertTrue(tiny.out().contains("\"cost_usd\" : 0.00000075"), tiny.out());

        Result negative = run(home, "price", "--model", "gpt-4.1", "--input", "-5");
        assertEquals(2, negative.exit());
        assertTrue(negative.err().contains("input"), negative.err());
    }

    @Test
    void hookReadsStdinAndTheCallShowsInStatsWithThePriceCommandsCost(@TempDir Path home) throws Exception {
        double now = System.currentTimeMillis() / 1000.0;
        ObjectNode kwargs = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        kwargs.put("started_at", now - 3).put("ended_at", now);
        Result hook = run(kwargs.toString(), "hook", "--home", home.toString(), "post_api_request");
        assertEquals(0, hook.exit(), hook.err());
        assertEquals("{}", hook.out().strip());

        JsonNode usage = kwargs.get("usage");
        Result price = run(home, "price", "--provider", "anthropic", "--model", kwargs.get("model").asText(),
                "--input", usage.get("input_tokens").asText(), "--output", usage.get("output_tokens").asText(),
                "--cache-read", usage.get("cache_read_tokens").asText(), "--cache-write", usage.get("cache_write_tokens").asText(),
                "--reasoning", usage.get("reasoning_tokens").asText(), "--json");
        BigDecimal expected = price.json().get("cost_usd").decimalValue();

        JsonNode raw = run(home, "stats", "raw", "5", "--json").json();
        JsonNode call = raw.get("calls").get(0);
        assertEquals(kwargs.get("session_id").asText(), call.get("session_id").asText());
        assertEquals(0, expected.setScale(6, java.math.RoundingMode.HALF_EVEN).compareTo(call.get("cost_usd").decimalValue()),
                "stored cost " + call.get("cost_usd") + " vs priced " + expected);
        assertEquals(usage.get("cache_read_tokens").asLong(), call.get("cache_read_tokens").asLong());

        JsonNode sessions = run(home, "stats", "sessions", "today", "--json").json();
        assertEquals(1, sessions.get("sessions").size());
        assertEquals(1, sessions.get("sessions").get(0).get("calls").asInt());

        // A replay of the same event (same api_request_id) is not counted twice.
        run(kwargs.toString(), "hook", "--home", home.toString(), "post_api_request");
        JsonNode models = run(home, "stats", "models", "today", "--json").json();
        assertEquals(1, models.get("models").get(0).get("calls").asInt());
    }

    @Test
    void pricingYamlWithoutModelsKeyIsReportedWithItsLine(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("pricing.yaml"), "# mine\nmy-model:\n  input: 1\n  output: 2\n");
        Result r = run(home, "price", "--model", "my-model", "--input", "10");
        assertTrue(r.err().contains("pricing.yaml:2:") && r.err().contains("models:"), r.err());
        assertTrue(r.out().contains("unpriced"), r.out());
    }

    @Test
    void hookWithBrokenStdinAnswersEmptyAndExplains(@TempDir Path home) {
        Result r = run("{not json", "hook", "--home", home.toString(), "pre_tool_call");
        assertEquals(0, r.exit());
        assertEquals("{}", r.out().strip());
        assertTrue(r.err().contains("not JSON"), r.err());
    }

    @Test
    void hookWhoseVerdictIsUnknownExits3AndSaysUnknownNeverEmpty(@TempDir Path home) throws Exception {
        // A first start on a refused budget.yaml (a key written twice): the budget meant is not known.
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1\n    daily_usd: 500\n");
        for (String event : List.of("pre_tool_call", "pre_llm_call")) {
            Result r = run("{\"session_id\": \"s1\"}", "hook", "--home", home.toString(), event);
            assertEquals(3, r.exit(), event + ": " + r.out() + r.err());
            JsonNode budget = r.json().path("budget");
            assertEquals("unknown", budget.path("level").asText(), r.out());
            assertTrue(budget.path("message").asText().contains("budget.yaml is refused and no earlier good budget is known"), r.out());
            assertTrue(budget.path("message").asText().contains("apply your fail mode"), r.out());
            assertTrue(r.err().startsWith("plutus hook: Plutus could not compute the budget verdict"), r.err());
        }
        // Recording asks for no verdict: it goes in and exits 0 with "nothing to do".
        double now = System.currentTimeMillis() / 1000.0;
        ObjectNode kwargs = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        kwargs.put("started_at", now - 3).put("ended_at", now);
        Result rec = run(kwargs.toString(), "hook", "--home", home.toString(), "post_api_request");
        assertEquals(0, rec.exit(), rec.err());
        assertEquals("{}", rec.out().strip());
    }

    @Test
    void toolStatsCountFailures(@TempDir Path home) throws Exception {
        for (String fixture : List.of("post_tool_call.json", "post_tool_call-error.json")) {
            Result r = run(TestSupport.hermesJson(fixture).toString(), "hook", "--home", home.toString(), "post_tool_call");
            assertEquals("{}", r.out().strip(), r.err());
        }
        // Tool stats use the time each hook arrived, so they show in today's window.
        JsonNode tools = run(home, "stats", "tools", "today", "--json").json().get("tools");
        int calls = 0;
        int failures = 0;
        for (JsonNode t : tools) {
            calls += t.get("calls").asInt();
            failures += t.get("failures").asInt();
        }
        assertEquals(2, calls, tools.toString());
        assertEquals(1, failures, tools.toString());
    }

    @Test
    void budgetJsonListsEveryScopeWithItsLevel(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), """
                budgets:
                  global:
                    daily_usd: 0.01
                  per_provider:
                    overrides:
                      anthropic:
                        rolling_24h_usd: 100
                timezone: UTC
                """);
        double now = System.currentTimeMillis() / 1000.0;
        ObjectNode kwargs = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        kwargs.put("started_at", now - 3).put("ended_at", now);
        run(kwargs.toString(), "hook", "--home", home.toString(), "post_api_request");

        JsonNode scopes = run(home, "budget", "--json").json().get("scopes");
        assertEquals(2, scopes.size(), scopes.toString());
        JsonNode global = scopes.get(0);
        assertEquals("global", global.get("scope").asText());
        assertEquals("daily", global.get("window").asText());
        assertEquals("hard", global.get("level").asText());
        assertEquals(0, new BigDecimal("0.01").compareTo(global.get("limit_usd").decimalValue()));
        JsonNode provider = scopes.get(1);
        assertEquals("provider", provider.get("scope").asText());
        assertEquals("anthropic", provider.get("id").asText());
        assertEquals("ok", provider.get("level").asText());
        assertEquals(0, global.get("spent_usd").decimalValue().compareTo(provider.get("spent_usd").decimalValue()));

        Result set = run(home, "budget", "set", "global", "daily", "50");
        assertEquals(0, set.exit(), set.err());
        assertTrue(set.out().startsWith("Set global daily limit to $50.00. Saved in budget.yaml; no daemon runs for " + home
                + ", so nothing enforces it until one does: start it with plutus serve --home " + home + "."), set.out());
        assertFalse(set.out().contains("in force now"), "nothing enforces it while no daemon runs: " + set.out());
        Result refused = run(home, "budget", "set", "global", "fortnightly", "50");
        assertEquals(1, refused.exit(), "a refusal exits non-zero: " + refused.out());
        assertEquals("", refused.out(), "a refusal goes to stderr");
        assertTrue(refused.err().startsWith("plutus budget: unknown window 'fortnightly'"), refused.err());
        Result typo = run(home, "budget", "set", "global", "dayly", "5");
        assertEquals(1, typo.exit(), typo.out());
        assertTrue(typo.err().contains("unknown window 'dayly' (did you mean 'daily'?)"), typo.err());
        JsonNode after = run(home, "budget", "--json").json().get("scopes").get(0);
        assertEquals("ok", after.get("level").asText());
        assertTrue(Files.readString(home.resolve("budget.yaml")).contains("daily_usd: 50"));
    }

    @Test
    void setupPricingAutoFetchesOnceADayAndNeverTouchesPricingYaml(@TempDir Path home) throws Exception {
        byte[] catalog = Files.readAllBytes(TestSupport.fixtures().resolve("pricing/openrouter-models.json"));
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/models", ex -> {
            requests.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, catalog.length);
            ex.getResponseBody().write(catalog);
            ex.close();
        });
        byte[] litellm = Files.readAllBytes(TestSupport.fixtures().resolve("pricing/litellm-model-prices.json"));
        server.createContext("/litellm.json", ex -> {
            ex.sendResponseHeaders(200, litellm.length);
            ex.getResponseBody().write(litellm);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
            String litellmUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/litellm.json";
            String userPrices = """
                    # my negotiated price; setup must keep it
                    models:
                      openrouter/qwen/qwen3.8-max:
                        input: 1.00
                        output: 1.00
                    """;
            Files.writeString(home.resolve("pricing.yaml"), userPrices);

            // Before any fetch the shipped snapshot of OpenRouter's prices holds.
            Result before = run(home, "price", "--provider", "openrouter", "--model", "qwen/qwen3.7-max",
                    "--input", "1000000", "--json");
            assertEquals("openrouter_shipped", before.json().get("origin").asText(), before.out());

            Result setup = run(home, "setup", "pricing", "auto", "--openrouter-url", url, "--litellm-url", litellmUrl);
            assertEquals(0, setup.exit(), setup.err());
            assertTrue(setup.out().contains("OpenRouter: 400 models now in force ("), setup.out());
            assertTrue(setup.out().contains("LiteLLM: 2352 models now in force ("), setup.out());
            assertEquals(1, requests.get());
            assertEquals(userPrices, Files.readString(home.resolve("pricing.yaml")));

            JsonNode fetched = run(home, "price", "--provider", "openrouter", "--model", "qwen/qwen3.7-max",
                    "--input", "1000000", "--json").json();
            assertTrue(fetched.get("priced").asBoolean());
            assertEquals(0, new BigDecimal("1.475").compareTo(fetched.get("cost_usd").decimalValue()));
            assertEquals("fetched", fetched.get("origin").asText());

            JsonNode mine = run(home, "price", "--provider", "openrouter", "--model", "qwen/qwen3.8-max",
                    "--input", "1000000", "--json").json();
            assertEquals(0, BigDecimal.ONE.compareTo(mine.get("cost_usd").decimalValue()), mine.toString());
            assertEquals("user", mine.get("origin").asText());

            Result again = run(home, "setup", "pricing", "auto", "--openrouter-url", url, "--litellm-url", "none");
            assertTrue(again.out().contains("at most daily"), again.out());
            assertEquals(1, requests.get(), "a second run the same day does not fetch");

            run(home, "setup", "pricing", "auto", "force", "--openrouter-url", url, "--litellm-url", "none");
            assertEquals(2, requests.get());

            Result status = run(home, "setup", "--json");
            assertEquals(400, status.json().get("fetched_prices").asInt());
            assertEquals(1, status.json().get("user_prices").asInt());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void setupPricingAutoWithTheServerDownChangesNothing(@TempDir Path home) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/models", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
            Result r = run(home, "setup", "pricing", "auto", "--openrouter-url", url, "--litellm-url", "none");
            // No source in force: the reason on stderr, and a non-zero exit a script can see.
            assertTrue(r.err().contains("could not fetch prices from OpenRouter"), r.err());
            assertEquals(1, r.exit(), r.out() + r.err());
            assertFalse(Files.exists(home.resolve("pricing.fetched.yaml")));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("stats", "budget", "setup", "price", "hook", "bench")) {
            Result r = run("", cmd, "--help");
            assertEquals(0, r.exit(), cmd);
            assertTrue(r.out().startsWith("Usage: plutus " + cmd), r.out());
        }
    }

    @Test
    void installHermesEnablesThePluginOrPrintsShellHooksAndUninstallRestoresTheConfig(@TempDir Path tmp) throws Exception {
        Path hermes = tmp.resolve("hermes");
        Files.createDirectories(hermes);
        String original = Files.readString(TestSupport.hermesFixture("config.example.yaml"));
        Files.writeString(hermes.resolve("config.yaml"), original);
        String home = tmp.resolve("plutus").toString();

        // A config with no hooks: or quick_commands: of its own gets the block to paste (CliBehaviourTest covers the merge).
        Path bare = tmp.resolve("hermes-bare");
        Files.createDirectories(bare);
        Files.writeString(bare.resolve("config.yaml"), "model: anthropic/claude-sonnet-4-6\n");
        Result shell = run("", "install", "hermes", "--home", home, "--hermes-home", bare.toString(), "--shell-hooks",
                "--launcher", "/opt/plutus dir/bin/plutus");
        assertEquals(0, shell.exit(), shell.err());
        assertTrue(shell.out().contains("hooks:\n  on_session_start:\n"), shell.out());
        assertTrue(shell.out().contains("command: \"python3 " + bare.resolve("plugins/plutus/shell_hook.py")), shell.out());
        assertTrue(shell.out().contains("command: \"'/opt/plutus dir/bin/plutus' budget --home " + home + "\""),
                "quoted for the shell, with the home a bare command would not find: " + shell.out());
        assertTrue(shell.out().contains("`'/opt/plutus dir/bin/plutus' serve --home " + home + "`"), "quoted, so it runs as printed: " + shell.out());
        assertEquals("model: anthropic/claude-sonnet-4-6\n", Files.readString(bare.resolve("config.yaml")));
        assertTrue(Files.exists(bare.resolve("plugins/plutus/shell_hook.py")));

        Result plugin = run("", "install", "hermes", "--home", home, "--hermes-home", hermes.toString());
        assertEquals(0, plugin.exit(), plugin.err());
        assertTrue(plugin.out().contains("Enabled 'plutus'"), plugin.out());
        assertTrue(plugin.out().contains("Next: run `"), plugin.out());
        assertTrue(Files.readString(hermes.resolve("config.yaml")).contains("- plutus"));

        Result again = run("", "install", "hermes", "--home", home, "--hermes-home", hermes.toString());
        assertTrue(again.out().contains("up to date") && again.out().contains("already in plugins.enabled"), again.out());

        Result removed = run("", "uninstall", "hermes", "--home", home, "--hermes-home", hermes.toString());
        assertEquals(0, removed.exit(), removed.err());
        assertEquals(original, Files.readString(hermes.resolve("config.yaml")));
        assertFalse(Files.exists(hermes.resolve("plugins/plutus")));

        Result bad = run("", "install", "hermes", "--home", home, "--hermes-home", hermes.toString(), "--fail-mode", "ajar");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("ajar"), bad.err());
    }

    @Test
    void keysCreatePrintsTheSecretOnceListShowsOnlyItsStartAndRevokeNamesUnknownKeys(@TempDir Path home) throws Exception {
        Result created = keys(home, "create", "--name", "prod agent", "--json");
        assertEquals(0, created.exit(), created.err());
        String secret = created.json().get("secret").asText();
        String keyId = created.json().get("key_id").asText();
        assertTrue(secret.startsWith("plutus_sk_") && secret.length() == 50, secret);

        Result list = keys(home, "list");
        assertTrue(list.out().contains(keyId) && list.out().contains("prod agent") && list.out().contains("active"), list.out());
        assertTrue(list.out().contains(secret.substring(0, 14) + "…"), list.out());
        assertFalse(list.out().contains(secret), "the secret is shown at creation only");

        assertEquals(0, keys(home, "revoke", keyId).exit());
        assertTrue(keys(home, "list", "--json").json().get(0).get("revoked_at").isTextual());
        Result unknown = keys(home, "revoke", "key_nope");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("no key key_nope"), unknown.err());
        assertEquals(2, keys(home, "create", "--name", " ").exit());
    }

    @Test
    void serveRefusesABrokenPlutusYamlNamingFileLineAndField(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("plutus.yaml"), "ingest:\n  tracked_limit: 1000\n  blok_over_free_limit: true\n");
        Result r = run(home, "serve", "--port", "0");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("plutus.yaml:3: ingest.blok_over_free_limit: unknown field"), r.err());
        assertFalse(Files.exists(home.resolve("daemon.json")), "nothing was started");
    }

    @Test
    void aMisspeltSectionOfPlutusYamlIsAnErrorNotASilentSqliteFile(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("plutus.yaml"), "# shared store\nstroe:\n  url: jdbc:postgresql://db.internal/plutus\n");
        Result r = run(home, "stats");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("plutus.yaml:2: stroe: unknown field (expected one of store, ingest, http)"), r.err());
        assertFalse(Files.exists(home.resolve("plutus.db")), "no SQLite file was made in its place");
    }

    private static Result keys(Path home, String... args) {
        List<String> all = new ArrayList<>(List.of("keys"));
        all.addAll(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return run("", all.toArray(String[]::new));
    }
}
