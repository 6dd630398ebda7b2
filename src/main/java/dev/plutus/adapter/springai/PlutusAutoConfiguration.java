package dev.plutus.adapter.springai;

import dev.plutus.Plutus;
import dev.plutus.PlutusConfig;
import dev.plutus.PlutusHome;
import dev.plutus.adapter.CallObserver;
import dev.plutus.adapter.ChatGuard;
import dev.plutus.adapter.SoftVerdictListener;
import dev.plutus.adapter.otel.PlutusTelemetry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Plutus in a Spring Boot application with Spring AI: one {@link Plutus} on the configured home, a
 * {@link ChatGuard} (soft verdicts to any {@link SoftVerdictListener} bean, outcomes to any
 * {@link CallObserver} bean) and a {@link PlutusAdvisor} put on every {@code ChatClient} the
 * auto-configured builder makes. On as soon as {@code plutus.home}, {@code plutus.remote-url} or
 * {@code plutus.budget-file} is set.
 */
@AutoConfiguration
@ConditionalOnClass(ChatClient.class)
@Conditional(PlutusAutoConfiguration.Configured.class)
@EnableConfigurationProperties(PlutusProperties.class)
public class PlutusAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(PlutusAutoConfiguration.class);

    static final class Configured extends AnyNestedCondition {
        Configured() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "plutus", name = "home")
        static final class Home {}

        @ConditionalOnProperty(prefix = "plutus", name = "remote-url")
        static final class Remote {}

        @ConditionalOnProperty(prefix = "plutus", name = "budget-file")
        static final class BudgetFile {}
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Plutus plutus(PlutusProperties props) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (props.remoteUrl() != null) {
            env.put("PLUTUS_REMOTE_URL", props.remoteUrl());
        }
        if (props.apiKey() != null) {
            env.put("PLUTUS_API_KEY", props.apiKey());
        }
        PlutusHome home = PlutusHome.resolve(props.home(), env);
        if (props.budgetFile() != null) {
            installBudget(props.budgetFile(), home.layout().budgetFile());
        }
        return Plutus.open(PlutusConfig.builder(home).environment(env).build());
    }

    @Bean
    @ConditionalOnMissingBean
    public ChatGuard plutusChatGuard(Plutus plutus, ObjectProvider<SoftVerdictListener> onSoft, ObjectProvider<CallObserver> observers) {
        ChatGuard.Builder b = ChatGuard.builder(plutus);
        onSoft.ifAvailable(b::onSoftVerdict);
        observers.orderedStream().forEach(b::observer);
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    public PlutusAdvisor plutusAdvisor(ChatGuard guard, PlutusProperties props, ObjectProvider<ChatModel> chatModel) {
        ChatModel model = chatModel.getIfUnique();
        String provider = props.provider() != null ? props.provider() : model == null ? "unknown" : providerOf(model);
        var defaults = model == null ? null : model.getDefaultOptions();
        if (props.model() != null && (defaults == null || defaults.getModel() == null)) {
            defaults = org.springframework.ai.chat.prompt.ChatOptions.builder().model(props.model()).build();
        }
        return new PlutusAdvisor(guard, provider, defaults);
    }

    @Bean
    public ChatClientCustomizer plutusChatClientCustomizer(PlutusAdvisor advisor) {
        return builder -> builder.defaultAdvisors(advisor);
    }

    /** {@code plutus.otel.enabled=true}: Plutus's spans and metrics through the application's OpenTelemetry (else the global one). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(OpenTelemetry.class)
    @ConditionalOnProperty(prefix = "plutus.otel", name = "enabled", havingValue = "true")
    static class Telemetry {
        @Bean
        CallObserver plutusTelemetry(ObjectProvider<OpenTelemetry> otel) {
            return new PlutusTelemetry(otel.getIfAvailable(GlobalOpenTelemetry::get));
        }
    }

    /** {@code OpenAiChatModel} is {@code openai}, {@code AnthropicChatModel} {@code anthropic}: the names the price table uses. */
    static String providerOf(ChatModel model) {
        String name = model.getClass().getSimpleName().replace("ChatModel", "").toLowerCase(Locale.ROOT);
        return Arrays.asList("vertexaigemini", "googlegenai").contains(name) ? "google" : name.isEmpty() ? "unknown" : name;
    }

    /** Puts the configured budget.yaml in force (written whole, then moved into place, so Plutus never reads half of it). */
    static void installBudget(Path source, Path target) {
        try {
            String text = Files.readString(source);
            if (Files.exists(target) && Files.readString(target).equals(text)) {
                return;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "budget.yaml.", ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("plutus.budget-file: {} put in force as {}", source, target);
        } catch (IOException e) {
            throw new UncheckedIOException("plutus.budget-file: cannot put " + source + " in force as " + target + ": " + e.getMessage(), e);
        }
    }
}
