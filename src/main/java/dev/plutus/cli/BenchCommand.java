package dev.plutus.cli;

import dev.plutus.bench.EngineBenchmark;
import dev.plutus.bench.FrontBenchmark;
import dev.plutus.bench.HookBenchmark;
import dev.plutus.bench.IngestBenchmark;
import dev.plutus.bench.ReservationBenchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true, description = {
        "Benchmarks the engine on a scratch database (never on PLUTUS_HOME):",
        "recorded calls/s with 1 and 4 threads, verdict p50/p99 and 'stats week' latency",
        "at each size, and database bytes per million calls (suite engine); the Hermes",
        "bridge -> daemon hook round trip, hook events/s with 4 sessions and the daemon's",
        "memory after many recorded calls (suite hooks; needs python3); POST /v1/usage",
        "requests/s and batched events/s with p50/p99 (suite ingest); POST /v1/traces GenAI spans/s (suite otlp); reservation + verdict",
        "p50/p99 in memory and shared, and the overshoot of sessions racing one cap (suite reserve);",
        "hook p50/p99/max over the Unix socket and TCP while slowloris clients trickle requests,",
        "and while threads stream /v1/usage batches (suite front)."})
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory (default: a new temp dir, deleted afterwards)")
    Path dir;

    @Option(names = "--sizes", split = ",", paramLabel = "N", defaultValue = "10000,1000000,10000000",
            description = "Stored-call counts to measure at (default: ${DEFAULT-VALUE})")
    List<Long> sizes;

    @Option(names = "--writes", defaultValue = "40000", description = "Calls recorded in each throughput run (default: ${DEFAULT-VALUE})")
    int writes;

    @Option(names = "--suite", defaultValue = "all", description = "engine, hooks, ingest, otlp, reserve, front or all (default: ${DEFAULT-VALUE})")
    String suite;

    @Option(names = "--hook-events", defaultValue = "100000", description = "Timed events per hook in the hooks suite (default: ${DEFAULT-VALUE})")
    int hookEvents;

    @Option(names = "--rss-calls", defaultValue = "200000",
            description = "Calls the daemon records before its memory is read, at most; the phase stops after 2 minutes and says how many it sent (default: ${DEFAULT-VALUE})")
    long rssCalls;

    @Option(names = "--ingest-requests", defaultValue = "50000", description = "Single-event /v1/usage requests (default: ${DEFAULT-VALUE})")
    int ingestRequests;

    @Option(names = "--ingest-batches", defaultValue = "300", description = "1,000-event /v1/usage batches (default: ${DEFAULT-VALUE})")
    int ingestBatches;

    @Option(names = "--ingest-threads", defaultValue = "16", description = "Client threads sending /v1/usage requests (default: ${DEFAULT-VALUE})")
    int ingestThreads;

    @Option(names = "--reservations", defaultValue = "200000", description = "Timed reservations per run in the reserve suite (default: ${DEFAULT-VALUE})")
    int reservations;

    @Option(names = "--front-hooks", defaultValue = "2000",
            description = "Timed hooks per transport and hook in the front suite (default: ${DEFAULT-VALUE})")
    int frontHooks;

    @Option(names = "--hermes-src", paramLabel = "DIR",
            description = "Hermes's source with hermes_cli/plugins.py, for the hooks suite (default: $PLUTUS_HERMES_SRC)")
    Path hermesSrc;

    @Option(names = "--pg-url", paramLabel = "URL",
            description = "Also measure on this PostgreSQL database (jdbc:postgresql://host/db?user=…&password=…); each run uses a new schema")
    String pgUrl;

    @Override
    public Integer call() throws Exception {
        dev.plutus.bench.BenchScratch scratch = dir == null ? dev.plutus.bench.BenchScratch.create() : null;
        Path work = scratch != null ? scratch.dir() : dir;
        PlutusCli.logTo(new dev.plutus.core.HomeLayout(work));
        try {
            if (!List.of("engine", "hooks", "ingest", "otlp", "reserve", "front", "all").contains(suite)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--suite must be engine, hooks, ingest, otlp, reserve, front or all");
            }
            boolean all = suite.equals("all");
            if (all || suite.equals("engine")) {
                new EngineBenchmark(work.resolve("engine"), spec.commandLine().getOut()).run(writes, sizes.stream().sorted().toList());
            }
            if (all || suite.equals("hooks")) {
                Path hermes = hermesSrc != null ? hermesSrc
                        : System.getenv("PLUTUS_HERMES_SRC") == null ? null : Path.of(System.getenv("PLUTUS_HERMES_SRC"));
                new HookBenchmark(work.resolve("hooks"), spec.commandLine().getOut()).run(hermes, hookEvents, 4, 10_000, rssCalls);
            }
            if (all || suite.equals("reserve")) {
                new ReservationBenchmark(work.resolve("reserve"), spec.commandLine().getOut()).run(reservations, pgUrl);
            }
            if (all || suite.equals("ingest")) {
                new IngestBenchmark(work.resolve("ingest"), spec.commandLine().getOut()).run(ingestRequests, ingestBatches, ingestThreads);
            }
            if (all || suite.equals("otlp")) {
                new dev.plutus.bench.OtlpBenchmark(work.resolve("otlp"), spec.commandLine().getOut()).run(400, 100, 2);
            }
            if (all || suite.equals("front")) {
                new FrontBenchmark(work.resolve("front"), spec.commandLine().getOut(), java.time.Clock.systemUTC()).run(frontHooks, 6);
            }
        } catch (dev.plutus.bench.BenchmarkRefused e) {
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().println("plutus bench: no figure printed for what follows: " + e.getMessage());
            return 2;
        } finally {
            if (scratch != null) {
                scratch.close();
            }
        }
        return 0;
    }
}
