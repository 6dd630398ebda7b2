package dev.plutus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestWordTest {
    private static final List<String> SCOPES = List.of("global", "session", "provider", "model", "platform", "cron_job");

    @Test
    void aNearMissAndTheStartOfAWordBothGetTheirWord() {
        assertEquals(" (did you mean 'global'?)", NearestWord.hint("globl", SCOPES));
        assertEquals(" (did you mean 'cron_job'?)", NearestWord.hint("cron", SCOPES), "the word every report uses for it");
        assertEquals(" (did you mean 'cron_job'?)", NearestWord.hint("CRON", SCOPES));
        assertEquals("", NearestWord.hint("cr", SCOPES), "too short to say");
        assertEquals("", NearestWord.hint("budget", SCOPES));
        assertEquals("", NearestWord.hint("per", List.of("per_model", "per_provider")), "two words start so: no guess");
    }
}
