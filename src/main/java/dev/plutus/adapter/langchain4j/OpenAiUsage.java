package dev.plutus.adapter.langchain4j;

import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.plutus.core.TokenUsage;

/**
 * OpenAI's usage in Plutus's classes: its prompt count includes the cached tokens, which are
 * priced apart, and its completion count includes reasoning. Only loaded for OpenAI models, so an
 * application without langchain4j-open-ai never needs the class.
 */
final class OpenAiUsage {
    private OpenAiUsage() {}

    static TokenUsage read(dev.langchain4j.model.output.TokenUsage usage) {
        if (!(usage instanceof OpenAiTokenUsage openAi)) {
            return null;
        }
        long prompt = LangChain4jCalls.count(openAi.inputTokenCount());
        long cached = openAi.inputTokensDetails() == null ? 0 : LangChain4jCalls.count(openAi.inputTokensDetails().cachedTokens());
        long reasoning = openAi.outputTokensDetails() == null ? 0 : LangChain4jCalls.count(openAi.outputTokensDetails().reasoningTokens());
        cached = Math.min(cached, prompt);
        return new TokenUsage(prompt - cached, LangChain4jCalls.count(openAi.outputTokenCount()), cached, 0, 0, reasoning);
    }
}
