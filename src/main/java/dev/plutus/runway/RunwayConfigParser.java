package dev.plutus.runway;

import dev.plutus.core.HomeLayout;

import dev.plutus.provider.ProviderKind;
import dev.plutus.core.Money;
import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlDoc;
import dev.plutus.config.YamlNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads runway.yaml; every mistake is reported with file, line and field, and unknown fields are errors. */
public final class RunwayConfigParser {
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@\\-]*");
    private static final Duration DEFAULT_CACHE = Duration.ofMinutes(5);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final RunwayConfig.Router DEFAULT_ROUTER = new RunwayConfig.Router(false, Duration.ofHours(1), true);

    private RunwayConfigParser() {}

    /** The file's configuration, or auto-detection of every known provider when the file does not exist. */
    public static RunwayConfig load(Path file, Map<String, String> env) {
        if (!Files.exists(file)) {
            return defaults(env);
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString(), env);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    static RunwayConfig defaults(Map<String, String> env) {
        List<ProviderConfig> all = new ArrayList<>();
        for (ProviderKind k : ProviderKind.values()) {
            if (k != ProviderKind.NONE) {
                all.add(provider(k.label(), k, null));
            }
        }
        return new RunwayConfig(all, true, DEFAULT_CACHE, DEFAULT_TIMEOUT, Map.of(), defaultHermesHome(env), DEFAULT_ROUTER,
                new RunwayConfig.Alerts(null, null, null, null));
    }

    public static RunwayConfig parse(String text, String fileName, Map<String, String> env) {
        YamlNode root = YamlDoc.parse(text, fileName);
        root.requireOnlyKeys(List.of("cache", "timeout", "currency_rates", "hermes_home", "providers", "router", "alerts"));
        Duration cache = duration(root.get("cache"), DEFAULT_CACHE);
        Duration timeout = duration(root.get("timeout"), DEFAULT_TIMEOUT);
        Map<String, BigDecimal> rates = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : root.get("currency_rates").entries().entrySet()) {
            BigDecimal rate = e.getValue().nonNegativeDecimal()
                    .orElseThrow(() -> e.getValue().error("needs a rate (USD per " + e.getKey() + ")"));
            if (rate.signum() == 0) {
                throw e.getValue().error("a rate of 0 would count the balance as nothing");
            }
            rates.put(e.getKey().toUpperCase(), rate);
        }
        Path hermesHome = root.get("hermes_home").text().map(h -> expandHome(h, env)).orElseGet(() -> defaultHermesHome(env));
        List<ProviderConfig> providers = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : root.get("providers").entries().entrySet()) {
            providers.add(providerFrom(e.getKey(), e.getValue()));
        }
        YamlNode r = root.get("router");
        r.requireOnlyKeys(List.of("apply", "every", "verify_models"));
        RunwayConfig.Router router = new RunwayConfig.Router(r.get("apply").bool().orElse(false),
                duration(r.get("every"), DEFAULT_ROUTER.every()), r.get("verify_models").bool().orElse(true));
        if (router.every().compareTo(Duration.ofMinutes(1)) < 0) {
            throw r.get("every").error("must be at least 1m");
        }
        YamlNode a = root.get("alerts");
        a.requireOnlyKeys(List.of("balance_below_usd", "days_left_below", "webhook", "command", "webhook_auth_env", "webhook_auth_header"));
        String authEnv = a.get("webhook_auth_env").text().map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        String authHeader = a.get("webhook_auth_header").text().map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        if (authHeader != null && authEnv == null) {
            throw a.get("webhook_auth_header").error("needs webhook_auth_env: the variable that holds the header's value");
        }
        if (authHeader != null && !authHeader.matches("[A-Za-z0-9-]+")) {
            throw a.get("webhook_auth_header").error("'" + authHeader + "' is not a header name");
        }
        RunwayConfig.Alerts alerts = new RunwayConfig.Alerts(usd(a.get("balance_below_usd")),
                a.get("days_left_below").nonNegativeDecimal().orElse(null), a.get("webhook").text().map(u -> url(a.get("webhook"), u)).orElse(null),
                a.get("command").text().filter(s -> !s.isBlank()).orElse(null), authEnv,
                authEnv == null ? null : authHeader == null ? "Authorization" : authHeader);
        return new RunwayConfig(providers, false, cache, timeout, rates, hermesHome, router, alerts);
    }

    private static ProviderConfig providerFrom(String name, YamlNode n) {
        n.requireOnlyKeys(List.of("kind", "base_url", "key_env", "budget_usd", "ledger", "flagship", "fast", "hermes_provider",
                "probe", "probe_model", "balance_below_usd", "days_left_below"));
        ProviderKind kind = n.get("kind").text()
                .map(k -> ProviderKind.byLabel(k).orElseThrow(() -> n.get("kind").error("unknown kind '" + k + "' (expected one of "
                        + String.join(", ", ProviderKind.labels()) + ")")))
                .orElseGet(() -> ProviderKind.byLabel(name).orElseThrow(() -> n.keyError("'" + name
                        + "' is not a provider Plutus knows; add kind: (one of " + String.join(", ", ProviderKind.labels()) + ")")));
        ProviderConfig base = provider(name, kind, null);
        URI baseUrl = n.get("base_url").text().map(u -> url(n.get("base_url"), u)).orElse(base.baseUrl());
        List<String> keyEnvs = n.get("key_env").isMissing() ? base.keyEnvs() : listOrOne(n.get("key_env"));
        List<String> ledger = n.get("ledger").isMissing() ? base.ledger() : listOrOne(n.get("ledger"));
        String flagship = model(n.get("flagship"));
        String fast = model(n.get("fast"));
        if ((flagship == null) != (fast == null)) {
            throw n.get(flagship == null ? "flagship" : "fast").error("the router needs both flagship and fast, or neither");
        }
        boolean probe = n.get("probe").bool().orElse(true);
        String probeModel = probe ? n.get("probe_model").text().map(s -> model(n.get("probe_model"))).orElse(base.probeModel()) : null;
        return new ProviderConfig(name, kind, baseUrl, keyEnvs, usd(n.get("budget_usd")), ledger, flagship, fast,
                n.get("hermes_provider").text().orElse(base.hermesProvider()), probeModel, usd(n.get("balance_below_usd")),
                n.get("days_left_below").nonNegativeDecimal().orElse(null));
    }

    private static ProviderConfig provider(String name, ProviderKind kind, Long budget) {
        LinkedHashSet<String> ledger = new LinkedHashSet<>();
        ledger.add(name.toLowerCase());
        ledger.addAll(kind.defaultLedgerIds());
        return new ProviderConfig(name, kind, kind.defaultBaseUrl(), kind.defaultKeyEnvs(), budget, List.copyOf(ledger), null, null,
                kind.defaultHermesProvider() != null ? kind.defaultHermesProvider() : name, kind.defaultProbeModel(), null, null);
    }

    private static String model(YamlNode n) {
        String m = n.text().map(String::strip).orElse(null);
        if (m != null && !MODEL_ID.matcher(m).matches()) {
            throw n.error("'" + m + "' is not a model id");
        }
        return m;
    }

    private static List<String> listOrOne(YamlNode n) {
        if (n.isNull()) {
            return List.of();
        }
        try {
            return List.of(n.text().orElseThrow().strip());
        } catch (ConfigException notScalar) {
            return n.items().stream().map(i -> i.text().orElseThrow(() -> i.error("must not be empty")).strip()).toList();
        }
    }

    private static Long usd(YamlNode n) {
        return n.nonNegativeDecimal().map(d -> {
            try {
                return Money.usdToMicros(d);
            } catch (IllegalArgumentException e) {
                throw n.error(e.getMessage());
            }
        }).orElse(null);
    }

    private static URI url(YamlNode n, String text) {
        try {
            URI u = URI.create(text.strip());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw n.error("expected an http(s) URL, got '" + text + "'");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw n.error("expected an http(s) URL, got '" + text + "'");
        }
    }

    static Duration duration(YamlNode n, Duration fallback) {
        return n.duration().orElse(fallback);
    }

    static Path defaultHermesHome(Map<String, String> env) {
        String h = env.get("HERMES_HOME");
        return h != null && !h.isBlank() ? expandHome(h, env) : HomeLayout.userHome(env).resolve(".hermes");
    }

    private static Path expandHome(String p, Map<String, String> env) {
        String s = p.strip();
        if (s.equals("~") || s.startsWith("~/")) {
            return Path.of(HomeLayout.userHome(env) + s.substring(1));
        }
        return Path.of(s).toAbsolutePath();
    }
}
