package dev.plutus.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.Plutus;
import dev.plutus.PlutusConfig;
import dev.plutus.PlutusHome;
import dev.plutus.cli.PlutusCli;
import dev.plutus.core.TokenUsage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine;

/** What the adapter tests share: a Plutus on a temp home with a budget, the outcomes it saw, and {@code plutus price}. */
public final class AdapterFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdapterFixture() {}

    /** A Plutus on {@code home} with {@code budgetYaml} in force, no background upkeep. */
    public static Plutus open(Path home, String budgetYaml) throws IOException {
        Files.writeString(home.resolve("budget.yaml"), budgetYaml);
        return Plutus.open(PlutusConfig.builder(new PlutusHome(home)).environment(Map.of()).upkeep(false).build());
    }

    /** Every outcome a guard reports, in order. */
    public static final class Outcomes implements CallObserver {
        public final List<CallOutcome> all = new CopyOnWriteArrayList<>();

        @Override
        public void observe(CallOutcome outcome) {
            all.add(outcome);
        }

        public List<CallOutcome.Recorded> recorded() {
            List<CallOutcome.Recorded> out = new ArrayList<>();
            all.forEach(o -> {
                if (o instanceof CallOutcome.Recorded r) {
                    out.add(r);
                }
            });
            return out;
        }

        public long count(Class<? extends CallOutcome> kind) {
            return all.stream().filter(kind::isInstance).count();
        }
    }

    /** What {@code plutus price --json} says the tokens cost, in micro-dollars. */
    public static long priceMicros(Path home, String provider, String model, TokenUsage u) throws IOException {
        JsonNode j = JSON.readTree(cli(home, "price", "--provider", provider, "--model", model, "--input", Long.toString(u.input()),
                "--output", Long.toString(u.output()), "--cache-read", Long.toString(u.cacheRead()), "--cache-write",
                Long.toString(u.cacheWrite()), "--reasoning", Long.toString(u.reasoning()), "--json"));
        if (!j.path("priced").asBoolean()) {
            throw new AssertionError("plutus price did not price " + model + ": " + j);
        }
        return j.get("cost_usd").decimalValue().movePointRight(6).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
    }

    /** The calls {@code plutus stats raw --json} lists, newest first. */
    public static JsonNode rawCalls(Path home) throws IOException {
        return JSON.readTree(cli(home, "stats", "raw", "50", "--json")).get("calls");
    }

    private static String cli(Path home, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, home.toString());
        all.add(1, "--home");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PlutusCli.commandLine(new ByteArrayInputStream(new byte[0]));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        if (exit != 0) {
            throw new AssertionError("plutus " + String.join(" ", args) + " exited " + exit + ": " + err);
        }
        return out.toString();
    }

    public static long micros(BigDecimal usd) {
        return usd.movePointRight(6).longValueExact();
    }
}
