package dev.plutus.cli;

import dev.plutus.core.Json;
import dev.plutus.store.ApiKeyStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.plutus.engine.Engine;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.report.TextTable;
import dev.plutus.store.ApiKey;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plutus keys create|list|revoke}: API keys for POST /v1/usage. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "API keys for POST /v1/usage.",
        subcommands = {KeysCommand.Create.class, KeysCommand.List.class, KeysCommand.Revoke.class})
final class KeysCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.MAPPER;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a key and prints its secret once; only its SHA-256 is stored.")
    static final class Create implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @Spec CommandSpec spec;
        @Option(names = "--name", required = true, description = "What the key is for, e.g. \"prod agent\"") String name;
        @Option(names = "--json", description = "Print key_id, name and secret as JSON") boolean json;

        @Override
        public Integer call() throws Exception {
            ApiKeys.Created created;
            try (Engine p = home.open()) {
                created = new ApiKeys(new ApiKeyStore(p.jdbc()), p.clock()).create(name);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("plutus keys create: " + e.getMessage());
                return 2;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(JSON.createObjectNode().put("key_id", created.key().keyId())
                        .put("name", created.key().name()).put("secret", created.secret())));
            } else {
                out.println("Created " + created.key().keyId() + " (" + created.key().name() + ").");
                out.println("Secret (shown once, copy it now): " + created.secret());
                out.println("Use it as: Authorization: Bearer " + created.secret());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists keys: id, name, hint, created, last used, revoked.")
    static final class List implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "Print as JSON") boolean json;

        @Override
        public Integer call() throws Exception {
            java.util.List<ApiKey> keys;
            try (Engine p = home.open()) {
                keys = new ApiKeys(new ApiKeyStore(p.jdbc()), p.clock()).list();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode a = JSON.createArrayNode();
                for (ApiKey k : keys) {
                    a.addObject().put("key_id", k.keyId()).put("name", k.name()).put("hint", k.hint())
                            .put("created_at", k.createdAt().toString()).put("last_used_at", text(k.lastUsedAt()))
                            .put("revoked_at", text(k.revokedAt()));
                }
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(a));
            } else if (keys.isEmpty()) {
                out.println("No API keys yet. Create one with: plutus keys create --name \"prod agent\"");
            } else {
                TextTable t = new TextTable(new String[] {"Key", "Name", "Secret starts", "Created", "Last used", "Status"},
                        new boolean[6]);
                for (ApiKey k : keys) {
                    t.add(k.keyId(), k.name(), k.hint(), k.createdAt().toString(), orDash(k.lastUsedAt()),
                            k.revoked() ? "revoked " + k.revokedAt() : "active");
                }
                out.print(t.render());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a key; a running daemon refuses it from the next request.")
    static final class Revoke implements Callable<Integer> {
        @Mixin PlutusCli.HomeOption home;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "KEY_ID", description = "The key's id (key_…), from plutus keys list") String keyId;

        @Override
        public Integer call() {
            boolean found;
            try (Engine p = home.open()) {
                found = new ApiKeys(new ApiKeyStore(p.jdbc()), p.clock()).revoke(keyId);
            }
            if (!found) {
                spec.commandLine().getErr().println("plutus keys revoke: no key " + keyId + " (see `" + home.resolve().command("keys list") + "`)");
                return 2;
            }
            spec.commandLine().getOut().println("Revoked " + keyId + ".");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private static String orDash(Instant i) {
        return i == null ? "-" : i.toString();
    }
}
