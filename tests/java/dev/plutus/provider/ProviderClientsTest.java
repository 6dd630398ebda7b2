package dev.plutus.provider;

import dev.plutus.runway.ProviderFetcher;
import dev.plutus.runway.RunwayConfig;
import dev.plutus.runway.RunwayConfigParser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.provider.ProviderException.Kind;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every provider client against a local fake server serving the recorded responses, failures included. */
class ProviderClientsTest {
    private static final String KEY = "sk-test-secret-0123456789abcdef";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeProviders fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeProviders();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private ProviderRequest req(String prefix, String envName, Map<String, BigDecimal> rates) {
        return new ProviderRequest(http, fake.base(prefix), new ProviderRequest.Credential(envName, KEY), Duration.ofMillis(2_000),
                "probe-model", rates, CLOCK);
    }

    private ProviderRequest req(String prefix) {
        return req(prefix, "X_API_KEY", Map.of());
    }

    @Test
    void deepSeekCountsUsdAndConvertsOtherCurrenciesAtTheConfiguredRate() throws Exception {
        fake.fixture("/ds/user/balance", "deepseek-user-balance-usd-cny.json");
        LiveBalance usdOnly = new DeepSeekClient().read(req("/ds")).balance().orElseThrow();
        assertEquals(12_500_000L, usdOnly.remainingMicros(), "CNY without a rate is left out, USD counted");
        assertTrue(usdOnly.detail().contains("CNY not counted"), usdOnly.detail());
        LiveBalance both = new DeepSeekClient().read(req("/ds", "DEEPSEEK_API_KEY", Map.of("CNY", new BigDecimal("0.14"))))
                .balance().orElseThrow();
        assertEquals(12_500_000L + 4_928_000L, both.remainingMicros(), "35.20 CNY × 0.14 = $4.928");
        assertEquals("Bearer " + KEY, fake.seen.get(0).headers().get("authorization"));
    }

    @Test
    void deepSeekInCnyOnlyWithoutARateSaysWhatToSet() throws Exception {
        fake.fixture("/ds/user/balance", "deepseek-user-balance.json");
        ProviderException e = assertThrows(ProviderException.class, () -> new DeepSeekClient().read(req("/ds")));
        assertEquals(Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("CNY 110.00") && e.getMessage().contains("currency_rates"), e.getMessage());
        LiveBalance b = new DeepSeekClient().read(req("/ds", "K", Map.of("CNY", new BigDecimal("0.1378")))).balance().orElseThrow();
        assertEquals(15_158_000L, b.remainingMicros());
    }

    @Test
    void deepSeekEmptyAccountIsZeroAndUnavailable() throws Exception {
        fake.fixture("/ds/user/balance", "deepseek-user-balance-empty.json");
        LiveBalance b = new DeepSeekClient().read(req("/ds")).balance().orElseThrow();
        assertEquals(0L, b.remainingMicros());
        assertFalse(b.available());
    }

    @Test
    void failuresAreNamedAndNeverCarryTheKey() {
        fake.answer("/bad/user/balance", 401, "{\"error\":{\"message\":\"Authentication Fails, your api key: " + KEY + " is invalid\"}}");
        ProviderException bad = assertThrows(ProviderException.class, () -> new DeepSeekClient().read(req("/bad", "DEEPSEEK_API_KEY", Map.of())));
        assertEquals(Kind.BAD_KEY, bad.kind());
        assertFalse(bad.getMessage().contains(KEY) || bad.getMessage().contains(KEY.substring(0, 12)), bad.getMessage());
        assertTrue(bad.getMessage().contains("DEEPSEEK_API_KEY"), bad.getMessage());

        fake.answer("/exp/key", 401, "{\"error\":{\"message\":\"OAuth token has expired\"}}");
        assertEquals(Kind.EXPIRED_TOKEN, assertThrows(ProviderException.class, () -> new OpenRouterClient().read(req("/exp"))).kind());

        fake.answer("/rl/user/balance", new FakeProviders.Answer(429, Map.of("retry-after", "7"), "{}", 0));
        ProviderException rl = assertThrows(ProviderException.class, () -> new DeepSeekClient().read(req("/rl")));
        assertEquals(Kind.RATE_LIMITED, rl.kind());
        assertTrue(rl.getMessage().contains("retry after 7 s"), rl.getMessage());

        fake.answer("/slow/user/balance", new FakeProviders.Answer(200, Map.of(), "{}", 3000));
        assertEquals(Kind.TIMEOUT, assertThrows(ProviderException.class, () -> new DeepSeekClient().read(req("/slow"))).kind());

        fake.answer("/junk/user/balance", 200, "{\"is_available\": tru");
        assertEquals(Kind.MALFORMED, assertThrows(ProviderException.class, () -> new DeepSeekClient().read(req("/junk"))).kind());
        fake.answer("/junk2/user/balance", 200, "{\"balance_infos\": [{\"currency\": \"USD\", \"total_balance\": \"lots\"}]}");
        assertEquals(Kind.MALFORMED, assertThrows(ProviderException.class, () -> new DeepSeekClient().read(req("/junk2"))).kind());

        fake.answer("/five/user/balance", 503, "upstream down");
        ProviderException five = assertThrows(ProviderException.class, () -> new DeepSeekClient().read(req("/five")));
        assertEquals(Kind.HTTP_STATUS, five.kind());
        assertTrue(five.getMessage().startsWith("HTTP 503"), five.getMessage());

        ProviderRequest nowhere = new ProviderRequest(http, URI.create("http://127.0.0.1:1"), new ProviderRequest.Credential("K", KEY),
                Duration.ofSeconds(2), null, Map.of(), CLOCK);
        assertEquals(Kind.UNREACHABLE, assertThrows(ProviderException.class, () -> new DeepSeekClient().read(nowhere)).kind());
    }

    @Test
    void openRouterKeyWithALimitGivesRemainingLimitAndUsage() throws Exception {
        fake.fixture("/or/key", "openrouter-key.json");
        LiveBalance b = new OpenRouterClient().read(req("/or")).balance().orElseThrow();
        assertEquals(74_500_000L, b.remainingMicros());
        assertEquals(100_000_000L, b.limitMicros());
        assertEquals(25_500_000L, b.usageMicros());
        assertFalse(b.freeTier());
        assertTrue(b.detail().contains("monthly"), b.detail());
    }

    @Test
    void openRouterKeyWithoutALimitFallsBackToAccountCreditsOrSaysWhy() throws Exception {
        fake.fixture("/or/key", "openrouter-key-unlimited.json").fixture("/or/credits", "openrouter-credits.json");
        LiveBalance b = new OpenRouterClient().read(req("/or")).balance().orElseThrow();
        assertEquals(74_750_000L, b.remainingMicros(), "100.5 - 25.75");
        fake.answer("/or/credits", 403, "{\"error\":{\"message\":\"management key required\"}}");
        LiveBalance unlimited = new OpenRouterClient().read(req("/or")).balance().orElseThrow();
        assertNull(unlimited.remainingMicros());
        assertEquals(41_230_763L, unlimited.usageMicros(), "41.2307625 rounded half-up to the micro-dollar");
        assertTrue(unlimited.detail().contains("management key"), unlimited.detail());
    }

    @Test
    void anthropicApiKeyLimitsFromAOneTokenProbe() throws Exception {
        fake.answer("/an/v1/messages", FakeProviders.headerBlock("anthropic-ratelimit-headers.txt", 1, "{\"type\":\"message\"}"));
        RateLimitStatus s = new AnthropicClient().read(req("/an", "ANTHROPIC_API_KEY", Map.of())).limits().orElseThrow();
        assertEquals("ok", s.status());
        RateLimitStatus.Window tokens = s.windows().stream().filter(w -> w.name().equals("tokens")).findFirst().orElseThrow();
        assertEquals(96_000L, tokens.limit());
        assertEquals(96_000L, tokens.remaining());
        assertEquals(Instant.parse("2025-08-21T12:40:59Z"), tokens.resetsAt());
        FakeProviders.Seen sent = fake.seen.get(0);
        assertEquals(KEY, sent.headers().get("x-api-key"));
        assertEquals("2023-06-01", sent.headers().get("anthropic-version"));
        assertTrue(sent.body().contains("\"max_tokens\":1") && sent.body().contains("\"probe-model\""), sent.body());
    }

    @Test
    void anthropicSubscriptionWindowsIncludingARejected429() throws Exception {
        fake.answer("/an/v1/messages", FakeProviders.headerBlock("anthropic-ratelimit-headers.txt", 4, "{}"));
        RateLimitStatus warn = new AnthropicClient().read(req("/an", "CLAUDE_CODE_OAUTH_TOKEN", Map.of())).limits().orElseThrow();
        assertEquals("allowed_warning", warn.status());
        assertEquals(new BigDecimal("0.85"), warn.worstUtilization());
        assertEquals("Bearer " + KEY, fake.seen.get(0).headers().get("authorization"));
        assertTrue(fake.seen.get(0).headers().get("anthropic-beta").startsWith("oauth-"));

        fake.answer("/an/v1/messages", FakeProviders.headerBlock("anthropic-ratelimit-headers.txt", 5,
                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}"));
        RateLimitStatus rejected = new AnthropicClient().read(req("/an", "CLAUDE_CODE_OAUTH_TOKEN", Map.of())).limits().orElseThrow();
        assertEquals("rejected", rejected.status());
        assertEquals(2094L, rejected.retryAfterSeconds());
        RateLimitStatus.Window fiveH = rejected.windows().get(0);
        assertEquals("5h", fiveH.name());
        assertEquals(Instant.ofEpochSecond(1774472400L), fiveH.resetsAt());
    }

    @Test
    void anthropicModelsFollowPages() throws Exception {
        fake.answer("/an/v1/models", 200, "{\"data\":[{\"id\":\"claude-opus-4-7\"}],\"has_more\":false}");
        assertEquals(Set.of("claude-opus-4-7"), new AnthropicClient().models(req("/an")));
        fake.fixture("/an2/v1/models", "anthropic-models.json");
        Set<String> ids = new AnthropicClient().models(req("/an2"));
        assertTrue(ids.contains("claude-sonnet-4-6") && ids.contains("claude-opus-4-6"), ids.toString());
    }

    @Test
    void openAiPerMinuteLimitsWithGoDurations() throws Exception {
        fake.answer("/oa/chat/completions", FakeProviders.headerBlock("openai-ratelimit-headers.txt", 1, "{}"));
        RateLimitStatus s = new OpenAiClient().read(req("/oa")).limits().orElseThrow();
        RateLimitStatus.Window t = s.windows().stream().filter(w -> w.name().equals("tokens")).findFirst().orElseThrow();
        assertEquals(149_984L, t.remaining());
        assertEquals(CLOCK.instant().plus(Duration.ofMinutes(6)), t.resetsAt());
        fake.answer("/oa/chat/completions", FakeProviders.headerBlock("openai-ratelimit-headers.txt", 3, "{\"error\":{}}"));
        RateLimitStatus limited = new OpenAiClient().read(req("/oa")).limits().orElseThrow();
        assertEquals("limited", limited.status());
        assertEquals(20L, limited.retryAfterSeconds());
        assertEquals(Duration.ofMillis(19_664), RateLimitHeaders.goDuration("19.664s").orElseThrow());
        assertEquals(Duration.ofSeconds(3723), RateLimitHeaders.goDuration("1h2m3s").orElseThrow());
        assertTrue(RateLimitHeaders.goDuration("soon").isEmpty());
    }

    @Test
    void modelListsOfDeepSeekOpenAiAndGemini() throws Exception {
        fake.fixture("/ds/models", "deepseek-models.json").fixture("/oa/models", "openai-models.json")
                .fixture("/ge/models", "gemini-models.json");
        assertEquals(Set.of("deepseek-chat", "deepseek-reasoner"), new DeepSeekClient().models(req("/ds")));
        assertTrue(new OpenAiClient().models(req("/oa")).contains("gpt-5"));
        Set<String> gemini = new GeminiClient().models(req("/ge"));
        assertTrue(gemini.contains("gemini-2.5-pro"), gemini.toString());
        FakeProviders.Seen g = fake.seen.get(fake.seen.size() - 1);
        assertEquals(KEY, g.headers().get("x-goog-api-key"));
        assertFalse(g.path().contains(KEY), "the key is never put in a URL");
        assertEquals(2, fake.hits("/ge/models"), "the next page is asked for once; a repeated page token ends the listing");
        assertTrue(g.path().contains("pageToken=Ch5tb2RlbHMvZ2VtaW5pLWVtYmVkZGluZy0wMDE"), g.path());
    }

    @Test
    void fetcherAsksAllAtOnceAndOneFailureBlanksNoOther() throws Exception {
        fake.fixture("/ds/user/balance", "deepseek-user-balance-usd-cny.json")
                .answer("/or/key", new FakeProviders.Answer(200, Map.of(), "{}", 5000))
                .answer("/an/v1/messages", 401, "{\"error\":{\"message\":\"invalid x-api-key\"}}");
        RunwayConfig cfg = RunwayConfigParser.parse("""
                timeout: 1s
                providers:
                  deepseek: {base_url: %s}
                  openrouter: {base_url: %s}
                  anthropic: {base_url: %s}
                  gemini: {base_url: %s, budget_usd: 20}
                """.formatted(fake.base("/ds"), fake.base("/or"), fake.base("/an"), fake.base("/ge")), "runway.yaml", Map.of());
        Credentials creds = new Credentials(Map.of("DEEPSEEK_API_KEY", KEY, "OPENROUTER_API_KEY", KEY, "ANTHROPIC_API_KEY", KEY), Map.of());
        try (ProviderFetcher f = new ProviderFetcher(CLOCK, Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            Map<String, ProviderAnswer> r = f.readAll(cfg.providers(), cfg, creds, false);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs < 4000, "the hanging provider is cut off at the time-out, not waited for: " + tookMs + " ms");
            assertEquals(List.of("deepseek", "openrouter", "anthropic", "gemini"), List.copyOf(r.keySet()));
            assertEquals(12_500_000L, ((ProviderAnswer.Ok) r.get("deepseek")).reading().balance().orElseThrow().remainingMicros());
            assertEquals(Kind.TIMEOUT, ((ProviderAnswer.Failed) r.get("openrouter")).kind());
            assertEquals(Kind.BAD_KEY, ((ProviderAnswer.Failed) r.get("anthropic")).kind());
            assertEquals(Kind.NO_KEY, ((ProviderAnswer.Failed) r.get("gemini")).kind());
            int before = fake.hits("/ds/user/balance");
            f.readAll(cfg.providers(), cfg, creds, false);
            assertEquals(before, fake.hits("/ds/user/balance"), "answered from the 5-minute cache");
            f.readAll(cfg.providers(), cfg, creds, true);
            assertEquals(before + 1, fake.hits("/ds/user/balance"), "refresh asks again");
        }
    }

    @Test
    void dotEnvIsReadAsHermesWritesIt() {
        Map<String, String> m = Credentials.parseDotEnv("""
                # keys
                export DEEPSEEK_API_KEY="sk-ds-1"
                OPENROUTER_API_KEY='sk-or-2'
                ANTHROPIC_API_KEY=sk-ant-3  # main key
                EMPTY=
                """);
        assertEquals("sk-ds-1", m.get("DEEPSEEK_API_KEY"));
        assertEquals("sk-or-2", m.get("OPENROUTER_API_KEY"));
        assertEquals("sk-ant-3", m.get("ANTHROPIC_API_KEY"));
        Credentials c = new Credentials(Map.of("ANTHROPIC_API_KEY", "from-env"), m);
        assertEquals("from-env", c.first(List.of("ANTHROPIC_API_KEY")).orElseThrow().secret(), "the environment wins");
        assertTrue(c.first(List.of("EMPTY")).isEmpty());
        assertFalse(c.first(List.of("OPENROUTER_API_KEY")).orElseThrow().toString().contains("sk-or-2"));
    }
}
