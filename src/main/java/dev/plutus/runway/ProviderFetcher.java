package dev.plutus.runway;

import dev.plutus.core.PlutusThreads;
import dev.plutus.provider.Credentials;
import dev.plutus.provider.ProviderKind;
import dev.plutus.provider.ProviderAnswer;
import dev.plutus.provider.ProviderException;
import dev.plutus.provider.ProviderReading;
import dev.plutus.provider.ProviderRequest;
import dev.plutus.store.RunwayStore;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks every provider at once, each bounded by the configured time-out, and keeps answers for the
 * cache period (failures for at most a minute, so a fixed key shows soon). One provider failing,
 * hanging or throwing never affects the others' rows. Answers are also kept in the store, so the
 * cache spans processes: a {@code plutus runway} from a shell uses the daemon's answers and the
 * daemon uses the shell's. A reading that asks a model for one token (Anthropic's and OpenAI's
 * rate-limit probes) runs only when probing is allowed; otherwise the last probe's answer is shown,
 * whatever its age.
 */
public final class ProviderFetcher implements AutoCloseable {
    private static final Duration FAILURE_TTL = Duration.ofMinutes(1);

    private final HttpClient http;
    private final Clock clock;
    private final ExecutorService pool;
    private final Map<String, ProviderAnswer> readings = new ConcurrentHashMap<>();
    private final Map<String, CachedModels> models = new ConcurrentHashMap<>();
    private final RunwayStore store;

    private record CachedModels(Set<String> ids, Instant at) {}

    public ProviderFetcher(Clock clock, Duration connectTimeout) {
        this(clock, connectTimeout, null);
    }

    /** {@code store}: where answers are kept for other processes (null: this process only). */
    public ProviderFetcher(Clock clock, Duration connectTimeout, RunwayStore store) {
        this.clock = clock;
        this.store = store;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.pool = Executors.newCachedThreadPool(PlutusThreads.named("runway-fetch"));
    }

    /** Readings of every provider in {@code providers}, in their order; {@code refresh} skips the cache. */
    public Map<String, ProviderAnswer> readAll(List<ProviderConfig> providers, RunwayConfig cfg, Credentials creds, boolean refresh) {
        return readAll(providers, cfg, creds, refresh, true);
    }

    /** As {@link #readAll(List, RunwayConfig, Credentials, boolean)}; without {@code probe} no reading that costs tokens runs. */
    public Map<String, ProviderAnswer> readAll(List<ProviderConfig> providers, RunwayConfig cfg, Credentials creds, boolean refresh,
                                               boolean probe) {
        Map<String, Future<ProviderAnswer>> pending = new LinkedHashMap<>();
        Map<String, ProviderAnswer> out = new LinkedHashMap<>();
        Instant now = clock.instant();
        for (ProviderConfig p : providers) {
            String key = cacheKey(p, creds);
            ProviderAnswer cached = refresh && probe ? null : cached(key);
            if (!refresh && cached != null && fresh(cached, now, cfg.cacheTtl())) {
                out.put(p.name(), cached);
            } else if (!probe && costsTokens(p, creds)) {
                // The last probe's answer, however old, or nothing: a token is spent only when asked for.
                out.put(p.name(), cached != null ? cached : new ProviderAnswer.Ok(ProviderReading.nothing(), now,
                        creds.present(p.keyEnvs()).map(ProviderRequest.Credential::envName).orElse(null)));
            } else {
                pending.put(p.name(), pool.submit(() -> readNow(p, cfg, creds)));
            }
        }
        long deadline = System.nanoTime() + cfg.timeout().plusSeconds(1).toNanos();
        for (ProviderConfig p : providers) {
            Future<ProviderAnswer> f = pending.get(p.name());
            if (f == null) {
                continue;
            }
            ProviderAnswer result;
            try {
                result = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                result = new ProviderAnswer.Failed(ProviderException.Kind.TIMEOUT, "no answer within " + cfg.timeout().toSeconds() + " s",
                        clock.instant());
            } catch (ExecutionException e) {
                result = new ProviderAnswer.Failed(ProviderException.Kind.MALFORMED, "reading failed: " + e.getCause(), clock.instant());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = new ProviderAnswer.Failed(ProviderException.Kind.TIMEOUT, "interrupted", clock.instant());
            }
            keep(cacheKey(p, creds), result);
            out.put(p.name(), result);
        }
        // Keep the configured order even when some came from the cache.
        Map<String, ProviderAnswer> ordered = new LinkedHashMap<>();
        providers.forEach(p -> ordered.put(p.name(), out.get(p.name())));
        return ordered;
    }

    /** The answer this process holds, or the store's when it is newer. */
    private ProviderAnswer cached(String key) {
        ProviderAnswer mine = readings.get(key);
        if (store == null) {
            return mine;
        }
        Optional<RunwayStore.StoredReading> stored = store.reading(key);
        if (stored.isPresent() && (mine == null || stored.get().at().isAfter(mine.at()))) {
            Optional<ProviderAnswer> a = StoredAnswers.read(stored.get().answer(), stored.get().at());
            if (a.isPresent()) {
                readings.put(key, a.get());
                return a.get();
            }
        }
        return mine;
    }

    private void keep(String key, ProviderAnswer a) {
        readings.put(key, a);
        if (store != null) {
            try {
                store.putReading(key, a.at(), StoredAnswers.write(a));
            } catch (RuntimeException e) {
                // The answer is still shown and kept in memory; the next reading tries the store again.
            }
        }
    }

    /** Anthropic's and OpenAI's readings ask a model for a token; the others read a free endpoint or nothing. */
    private static boolean costsTokens(ProviderConfig p, Credentials creds) {
        return p.probeModel() != null && (p.kind() == ProviderKind.ANTHROPIC || p.kind() == ProviderKind.OPENAI)
                && creds.present(p.keyEnvs()).isPresent();
    }

    private ProviderAnswer readNow(ProviderConfig p, RunwayConfig cfg, Credentials creds) {
        // Looked at first, taken to send only when something is sent: a login is refreshed only for a request that uses it.
        Optional<ProviderRequest.Credential> seen = creds.present(p.keyEnvs());
        try {
            if (p.kind() == ProviderKind.NONE) {
                return new ProviderAnswer.Ok(ProviderReading.nothing(), clock.instant(), null);
            }
            if (seen.isEmpty()) {
                throw new ProviderException(ProviderException.Kind.NO_KEY, "no key in " + String.join(" or ", p.keyEnvs())
                        + " (environment or Hermes .env)");
            }
            if (p.probeModel() == null && (p.kind() == ProviderKind.ANTHROPIC || p.kind() == ProviderKind.OPENAI)) {
                return new ProviderAnswer.Ok(ProviderReading.nothing(), clock.instant(), seen.get().envName());
            }
            ProviderRequest.Credential key = creds.first(p.keyEnvs()).orElse(seen.get());
            ProviderReading r = p.kind().client().read(request(p, cfg, key));
            return new ProviderAnswer.Ok(r, clock.instant(), key.envName());
        } catch (ProviderException e) {
            return new ProviderAnswer.Failed(e.kind(), e.getMessage(), clock.instant());
        } catch (RuntimeException e) {
            return new ProviderAnswer.Failed(ProviderException.Kind.MALFORMED, "unexpected answer: " + e.getClass().getSimpleName(),
                    clock.instant());
        }
    }

    /** The provider's live model ids, cached like readings. */
    public Set<String> models(ProviderConfig p, RunwayConfig cfg, Credentials creds) throws ProviderException {
        String k = cacheKey(p, creds);
        CachedModels c = models.get(k);
        Instant now = clock.instant();
        if (c != null && Duration.between(c.at(), now).compareTo(cfg.cacheTtl()) < 0) {
            return c.ids();
        }
        Optional<ProviderRequest.Credential> key = creds.first(p.keyEnvs());
        if (key.isEmpty() && p.kind() != ProviderKind.NONE) {
            throw new ProviderException(ProviderException.Kind.NO_KEY, "no key in " + String.join(" or ", p.keyEnvs()));
        }
        Set<String> ids = Set.copyOf(p.kind().client().models(request(p, cfg, key.orElse(null))));
        models.put(k, new CachedModels(ids, now));
        return ids;
    }

    private ProviderRequest request(ProviderConfig p, RunwayConfig cfg, ProviderRequest.Credential key) {
        return new ProviderRequest(http, p.baseUrl(), key, cfg.timeout(), p.probeModel(), cfg.usdPerUnit(), clock);
    }

    private static boolean fresh(ProviderAnswer f, Instant now, Duration ttl) {
        Duration keep = f instanceof ProviderAnswer.Failed && FAILURE_TTL.compareTo(ttl) < 0 ? FAILURE_TTL : ttl;
        return Duration.between(f.at(), now).compareTo(keep) < 0;
    }

    private static String cacheKey(ProviderConfig p, Credentials creds) {
        return p.name() + "|" + p.kind() + "|" + p.baseUrl() + "|" + creds.present(p.keyEnvs()).map(c -> c.envName() + ":"
                + Integer.toHexString(c.secret().hashCode())).orElse("-") + "|" + p.probeModel();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
