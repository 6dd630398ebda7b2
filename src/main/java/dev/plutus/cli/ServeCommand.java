package dev.plutus.cli;

import dev.plutus.core.HomeLayout;
import dev.plutus.http.InstanceLock;
import dev.plutus.http.PlutusDaemon;
import dev.plutus.http.ServeOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Runs the Plutus daemon: the engine behind the Hermes bridge, on loopback.",
        "Stops cleanly on SIGTERM or Ctrl-C. One daemon per PLUTUS_HOME."})
final class ServeCommand implements Callable<Integer> {
    @Mixin PlutusCli.HomeOption home;
    @Mixin PlutusCli.PriceSources priceSources;
    @Spec CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "${env:PLUTUS_PORT:-8765}",
            description = "Port (default: $PLUTUS_PORT, else 8765; 0 picks a free one)")
    int port;

    @Option(names = "--threads", defaultValue = "16", description = "Requests handled at once (default: ${DEFAULT-VALUE})")
    int threads;

    /** Whether plutus.yaml says a reverse proxy fronts the daemon; a broken file is reported by the start itself. */
    private static boolean behindProxy(HomeLayout h) {
        try {
            return dev.plutus.http.HttpSettings.load(h.settingsFile()).behindProxy();
        } catch (dev.plutus.config.ConfigException e) {
            return false;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        ServeOptions options = new ServeOptions(host, port, threads);
        priceSources.applyTo(home);
        HomeLayout h = home.resolve();
        PlutusCli.logTo(h);
        boolean behindProxy = behindProxy(h);
        if (!options.isLoopback()) {
            err.println("plutus: warning: listening on " + host + ", not loopback. Every endpoint but /healthz and "
                    + "/v1/usage (API keys) needs the token in " + h.tokenFile() + "; keep that file private.");
            err.println(behindProxy
                    ? "plutus: http.behind_proxy is on: X-Forwarded-Proto/-For/-Host are honoured from a proxy on this host only;"
                            + " clients that reach port " + port + " directly speak plain HTTP, so firewall it to the proxy."
                    : "plutus: warning: this is plain HTTP: tokens and API keys cross the network readable. Put a TLS reverse"
                            + " proxy in front and set http.behind_proxy: true in plutus.yaml (README, \"TLS\").");
        }
        PlutusDaemon daemon;
        try {
            // The daemon owns its home (one per home, the instance lock): it acknowledges calls once journaled.
            daemon = PlutusDaemon.start(options, home.config(h).withCallJournal(true));
        } catch (InstanceLock.AlreadyRunning e) {
            err.println("plutus: " + e.getMessage() + ". See `" + h.command("status") + "`.");
            return 3;
        } catch (dev.plutus.config.ConfigException e) {
            err.println("plutus serve: " + e.getMessage());
            return 2;
        } catch (Throwable e) {
            if (causedBy(e, java.net.BindException.class)) {
                err.println("plutus serve: " + host + ":" + port + " is in use by " + listener(h) + "; choose another with --port N"
                        + " (or PLUTUS_PORT), or stop what listens there.");
                err.flush();
                return 1;
            }
            // The daemon closed what it had started; say why and exit non-zero rather than leave it half up.
            err.println("plutus serve: the daemon could not start: " + e);
            e.printStackTrace(err);
            err.flush();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "plutus-shutdown"));
        err.println("plutus: serving " + h.dir() + " on " + daemon.info().baseUrl() + " (pid " + daemon.info().pid()
                + "); log: " + h.logFile());
        if (options.isLoopback() && !behindProxy) {
            err.println("plutus: dashboard at " + daemon.info().baseUrl() + "/");
        } else {
            err.println("plutus: the dashboard " + (behindProxy ? "is reached through the proxy" : "is reachable from other hosts")
                    + ": open it and paste the token in "
                    + h.dashboardTokenFile() + " once per browser.");
        }
        err.flush();
        stopped.await();
        return 0;
    }

    /**
     * Who holds the port, as far as can be told: another Plutus daemon answers /healthz with its pid
     * (this home's own daemon.json names it when it is this home's), anything else is "another program".
     */
    private String listener(HomeLayout h) {
        String target = host.contains(":") ? "[" + host + "]" : host;
        try {
            var client = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(1)).build();
            var answer = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + target + ":" + port + "/healthz"))
                    .timeout(java.time.Duration.ofSeconds(1)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            var j = dev.plutus.core.Json.MAPPER.readTree(answer.body());
            if (j == null || !j.has("pid") || !j.has("version")) {
                return "another program";
            }
            long pid = j.path("pid").asLong();
            boolean ours = dev.plutus.http.DaemonInfo.read(h.daemonInfoFile()).map(d -> d.pid() == pid).orElse(false);
            return ours ? "this home's Plutus daemon (pid " + pid + "; `" + h.command("status") + "` shows it)"
                    : "another Plutus daemon (pid " + pid + ", version " + j.path("version").asText() + ", serving another home)";
        } catch (java.io.IOException | RuntimeException e) {
            return "another program";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "another program";
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
