package dev.plutus.http;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.config.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What a running daemon publishes in PLUTUS_HOME so the bridge and `plutus status` can find it;
 * {@code socket} is the hooks' Unix domain socket (HTTP), null when the daemon has none (hooks then use TCP);
 * {@code hookChannel} the bridge's framed verdict socket ({@link HookChannel}), null when it has none.
 */
public record DaemonInfo(long pid, String host, int port, Instant startedAt, String version, String socket, String hookChannel) {
    private static final ObjectMapper JSON = Json.MAPPER;

    public DaemonInfo(long pid, String host, int port, Instant startedAt, String version, String socket) {
        this(pid, host, port, startedAt, version, socket, null);
    }

    public String baseUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port;
    }

    public void write(Path file) throws IOException {
        var o = JSON.createObjectNode().put("pid", pid).put("host", host).put("port", port)
                .put("started_at", startedAt.toString()).put("version", version).put("url", baseUrl());
        if (socket != null) {
            o.put("socket", socket);
        }
        if (hookChannel != null) {
            o.put("hook_channel", hookChannel);
        }
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    }

    public static Optional<DaemonInfo> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return Optional.of(new DaemonInfo(n.path("pid").asLong(), n.path("host").asText("127.0.0.1"),
                    n.path("port").asInt(), Instant.parse(n.path("started_at").asText()), n.path("version").asText(""),
                    n.hasNonNull("socket") ? n.get("socket").asText() : null,
                    n.hasNonNull("hook_channel") ? n.get("hook_channel").asText() : null));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** True when a process with this pid exists on this machine. */
    public boolean processAlive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
