package dev.plutus.cli;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.core.HomeLayout;
import dev.plutus.http.AccessToken;
import dev.plutus.http.DaemonInfo;
import dev.plutus.http.DaemonStatusClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Tells whether the daemon runs, where, since when, and what it has handled. Exit code 3 when it does not run.")
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.MAPPER;

    @Mixin PlutusCli.HomeOption home;
    @Spec CommandSpec spec;
    @Option(names = "--json", description = "Print JSON") boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        HomeLayout h = home.resolve();
        if (PlutusCli.refuseMissingHome(spec, h)) {
            return 1;
        }
        Optional<DaemonInfo> info = DaemonInfo.read(h.daemonInfoFile());
        if (info.isEmpty() || !info.get().processAlive()) {
            String why = info.isEmpty() ? "no daemon.json in " + h.dir()
                    : "daemon.json names pid " + info.get().pid() + ", which is not running";
            if (json) {
                out.println(JSON.createObjectNode().put("running", false).put("home", h.dir().toString()).put("reason", why));
            } else {
                out.println("plutus daemon: not running (" + why + "). Start it with `" + h.command("serve") + "`.");
            }
            return 3;
        }
        DaemonInfo d = info.get();
        JsonNode status;
        try {
            status = DaemonStatusClient.fetch(d, AccessToken.read(h.tokenFile()));
        } catch (IOException e) {
            out.println("plutus daemon: pid " + d.pid() + " runs but does not answer at " + d.baseUrl() + ": " + e.getMessage());
            return 4;
        }
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                    ((com.fasterxml.jackson.databind.node.ObjectNode) status).put("running", true).put("home", h.dir().toString())));
            return 0;
        }
        out.printf("plutus daemon: running, pid %d, %s, since %s (up %s)%n", d.pid(), d.baseUrl(), d.startedAt(),
                Duration.ofSeconds(status.path("uptime_seconds").asLong()).toString().substring(2).toLowerCase());
        out.printf("home: %s%n", h.dir());
        JsonNode lat = status.path("hook_latency_us");
        long requests = lat.path("count").asLong();
        if (requests == 0) {
            out.println("hook requests: 0");
        } else {
            out.printf("hook requests: %d (p50 ≤ %d µs, p99 ≤ %d µs)%n", requests,
                    lat.path("p50_at_most").asLong(), lat.path("p99_at_most").asLong());
        }
        StringBuilder events = new StringBuilder();
        status.path("hook_events").properties().forEach(e -> events.append("  ").append(e.getKey()).append(": ")
                .append(e.getValue().asLong()).append('\n'));
        out.print(events);
        out.printf("spool: %d replayed, %d set aside; unauthorized requests: %d%n",
                status.path("spool").path("replayed").asLong(), status.path("spool").path("set_aside").asLong(),
                status.path("unauthorized").asLong());
        JsonNode remote = status.path("remote");
        if (remote.isObject()) {
            out.printf("remote: %s (workspace %s): %d pending, %d refused; central verdict %s%s%n", remote.path("url").asText(),
                    remote.path("workspace").asText(), remote.path("pending").asLong(), remote.path("rejected").asLong(),
                    remote.path("verdict").asText(), remote.path("last_error").isTextual() ? "; last error: " + remote.path("last_error").asText() : "");
        }
        return 0;
    }
}
