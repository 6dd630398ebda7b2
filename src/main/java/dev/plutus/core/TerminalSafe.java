package dev.plutus.core;

/**
 * Text from outside (a model name sent to /v1/usage, a Host header) made safe to print: control
 * characters (which could move the cursor, recolour or clear a terminal, or forge log lines) and
 * the bidirectional overrides (which reorder what a reader sees) are shown as {@code \}{@code uXXXX}
 * escapes, and an over-long value is cut with an ellipsis.
 */
public final class TerminalSafe {
    private TerminalSafe() {}

    /** {@code s} with every unsafe character escaped; null stays null. */
    public static String of(String s) {
        return of(s, Integer.MAX_VALUE);
    }

    /** As {@link #of(String)}, and at most {@code max} characters of the original kept. */
    public static String of(String s, int max) {
        if (s == null) {
            return null;
        }
        boolean cut = s.length() > max;
        String kept = cut ? s.substring(0, max) : s;
        if (!cut && kept.codePoints().noneMatch(TerminalSafe::unsafe)) {
            return s;
        }
        StringBuilder out = new StringBuilder(kept.length() + 16);
        kept.codePoints().forEach(c -> {
            if (unsafe(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return cut ? out.append('…').toString() : out.toString();
    }

    /** As {@link #of(String)} line by line: the line breaks of a rendered report stay, every other control character is escaped. */
    public static String keepingLines(String s) {
        if (s == null || s.codePoints().noneMatch(c -> c != '\n' && unsafe(c))) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        String[] lines = s.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            out.append(i == 0 ? "" : "\n").append(of(lines[i]));
        }
        return out.toString();
    }

    static boolean unsafe(int c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f || c == 0x061c;
    }
}
