package dev.plutus.adapter;

/**
 * A cautious estimate of a prompt's tokens before it is sent, for the reservation only (the real
 * count is recorded from the response): a token per 3 characters (real tokenizers average about 4
 * for English, fewer for code and other scripts, so this errs toward holding too much) and 4 per
 * message for the chat framing.
 */
public final class PromptTokens {
    /** What an image or other non-text part is counted as (a high-detail image is around a thousand tokens). */
    public static final long NON_TEXT_PART = 1_000;
    private static final long PER_MESSAGE = 4;

    private long tokens;

    public PromptTokens message() {
        tokens += PER_MESSAGE;
        return this;
    }

    public PromptTokens text(CharSequence text) {
        if (text != null) {
            tokens += (text.length() + 2) / 3;
        }
        return this;
    }

    public PromptTokens nonText() {
        tokens += NON_TEXT_PART;
        return this;
    }

    public long tokens() {
        return tokens;
    }

    /** Output tokens estimated from the text a response carried, when the provider reported no usage. */
    public static long ofOutput(CharSequence text) {
        return text == null ? 0 : (text.length() + 2) / 3;
    }
}
