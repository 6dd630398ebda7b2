package dev.plutus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TerminalSafeTest {
    @Test
    void controlAndBidiCharactersAreShownEscapedAndPlainTextIsLeftAlone() {
        String plain = "claude-sonnet-4-6 · 日本語";
        assertSame(plain, TerminalSafe.of(plain));
        assertEquals("evil\\u001b[2J\\u0007\\u202emodel\\u0085", TerminalSafe.of("evil\u001b[2J\u0007\u202emodel\u0085"));
        assertEquals("a\\u000ab", TerminalSafe.of("a\nb"), "a cell stays on one line");
        assertEquals("abc…", TerminalSafe.of("abcdef", 3));
        assertNull(TerminalSafe.of(null));
        assertEquals("line 1\nline \\u001b2\n", TerminalSafe.keepingLines("line 1\nline \u001b2\n"), "a report keeps its line breaks");
    }
}
