package dev.plutus.provider;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The provider APIs Plutus knows: where each lives, which environment variables hold its key, what
 * it can tell (a live balance, rate-limit headers, or nothing), and the client that asks it. Adding
 * a provider is one {@link ProviderClient} class and one line here.
 */
public enum ProviderKind {
    DEEPSEEK("deepseek", "https://api.deepseek.com", List.of("DEEPSEEK_API_KEY"), List.of("deepseek"), "deepseek", null,
            new DeepSeekClient()),
    OPENROUTER("openrouter", "https://openrouter.ai/api/v1", List.of("OPENROUTER_API_KEY"), List.of("openrouter"),
            "openrouter", null, new OpenRouterClient()),
    ANTHROPIC("anthropic", "https://api.anthropic.com", List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"),
            List.of("anthropic"), "anthropic", "claude-haiku-4-5", new AnthropicClient()),
    // Not "openai-codex": those calls run on the ChatGPT subscription, another account than the API key's.
    OPENAI("openai", "https://api.openai.com/v1", List.of("OPENAI_API_KEY"), List.of("openai", "openai-api"),
            "openai-api", "gpt-4.1-nano", new OpenAiClient()),
    GEMINI("gemini", "https://generativelanguage.googleapis.com/v1beta", List.of("GEMINI_API_KEY", "GOOGLE_API_KEY"),
            List.of("gemini", "google"), "gemini", null, new GeminiClient()),
    /** No API to ask: runway is the configured budget minus recorded spend. */
    NONE("none", null, List.of(), List.of(), null, null, new NoApiClient());

    private final String label;
    private final URI baseUrl;
    private final List<String> keyEnvs;
    private final List<String> ledgerIds;
    private final String hermesProvider;
    private final String probeModel;
    private final ProviderClient client;

    ProviderKind(String label, String baseUrl, List<String> keyEnvs, List<String> ledgerIds, String hermesProvider,
                 String probeModel, ProviderClient client) {
        this.label = label;
        this.baseUrl = baseUrl == null ? null : URI.create(baseUrl);
        this.keyEnvs = keyEnvs;
        this.ledgerIds = ledgerIds;
        this.hermesProvider = hermesProvider;
        this.probeModel = probeModel;
        this.client = client;
    }

    public String label() { return label; }
    public URI defaultBaseUrl() { return baseUrl; }
    public List<String> defaultKeyEnvs() { return keyEnvs; }
    public List<String> defaultLedgerIds() { return ledgerIds; }
    public String defaultHermesProvider() { return hermesProvider; }
    public String defaultProbeModel() { return probeModel; }
    public ProviderClient client() { return client; }

    /** Whether the provider's API tells the money left (else runway is an estimate the user calibrates). */
    public boolean hasBalanceApi() { return this == DEEPSEEK || this == OPENROUTER; }

    public static Optional<ProviderKind> byLabel(String label) {
        return Arrays.stream(values()).filter(k -> k.label.equalsIgnoreCase(label)).findFirst();
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(ProviderKind::label).toList();
    }
}
