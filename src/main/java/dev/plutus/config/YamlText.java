package dev.plutus.config;

import org.yaml.snakeyaml.error.Mark;

/**
 * A YAML text with the position arithmetic the editor needs: SnakeYAML's marks count code points,
 * Java strings count chars, and lines may end in LF, CRLF or CR.
 */
final class YamlText {
    final String text;
    /** The line ending new lines are written with: the file's own. */
    final String newline;
    /** Char index of each code point index; null when the two are the same (no characters outside the BMP). */
    private final int[] charIndex;

    YamlText(String text) {
        this.text = text;
        this.newline = newlineOf(text);
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints == text.length()) {
            charIndex = null;
        } else {
            charIndex = new int[codePoints + 1];
            for (int cp = 0, i = 0; cp <= codePoints; cp++) {
                charIndex[cp] = i;
                if (i < text.length()) {
                    i += Character.charCount(text.codePointAt(i));
                }
            }
        }
    }

    private static String newlineOf(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                return "\n";
            }
            if (c == '\r') {
                return i + 1 < text.length() && text.charAt(i + 1) == '\n' ? "\r\n" : "\r";
            }
        }
        return "\n";
    }

    int length() {
        return text.length();
    }

    char charAt(int i) {
        return text.charAt(i);
    }

    /** The char index of a mark. */
    int at(Mark mark) {
        return charIndex == null ? mark.getIndex() : charIndex[mark.getIndex()];
    }

    /** Whether a line ends with the char at {@code i} (the LF of CRLF, a lone LF or a lone CR). */
    boolean endsLine(int i) {
        char c = text.charAt(i);
        return c == '\n' || c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n');
    }

    boolean endsWithNewline() {
        return !text.isEmpty() && endsLine(text.length() - 1);
    }

    int lineStart(int i) {
        while (i > 0 && !endsLine(i - 1)) {
            i--;
        }
        return i;
    }

    /** Where the content of the line holding {@code i} ends, before its line break. */
    int lineEnd(int i) {
        while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    /** The start of the line after the one whose content ends at {@code end} (exclusive); the text's length at its end. */
    int lineAfter(int end) {
        if (end > 0 && endsLine(end - 1)) {
            return end;
        }
        return nextLine(end);
    }

    /** The start of the line after the one starting at {@code start}; the text's length after the last line. */
    int nextLine(int start) {
        int i = lineEnd(start);
        if (i == text.length()) {
            return i;
        }
        return text.charAt(i) == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? i + 2 : i + 1;
    }

    int column(int i) {
        return i - lineStart(i);
    }

    /** Spaces and tabs directly before {@code i} on its line: where a deletion of the value at {@code i} starts. */
    int spacesBefore(int i) {
        while (i > 0 && (text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\t')) {
            i--;
        }
        return i;
    }

    /** The start of a comment that follows {@code i} on its line after at least one space; -1 if none. */
    int trailingComment(int i) {
        int j = i;
        while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
            j++;
        }
        return j > i && j < text.length() && text.charAt(j) == '#' ? j : -1;
    }

    /** Whether the line holding {@code i} has only blanks and perhaps a comment between its start and {@code i}. */
    boolean blankOrCommentBefore(int i) {
        String head = text.substring(lineStart(i), i).strip();
        return head.isEmpty() || head.startsWith("#");
    }

    /** Whether the line starting at {@code start} is blank. */
    boolean blankLine(int start) {
        return text.substring(start, lineEnd(start)).isBlank();
    }

    /** The indentation of a comment-only line starting at {@code start}; -1 when the line is anything else. */
    int commentIndent(int start) {
        String line = text.substring(start, lineEnd(start));
        String rest = line.stripLeading();
        return rest.startsWith("#") ? line.length() - rest.length() : -1;
    }

    /**
     * The end of the last line before {@code end} that holds more than blanks and a comment: where a
     * block collection's content stops (SnakeYAML ends it at the next token, after any comments).
     */
    int lastContentBefore(int end) {
        int pos = end;
        while (pos > 0 && blankOrCommentBefore(pos)) {
            int start = lineStart(pos);
            if (start == 0) {
                return 0;
            }
            pos = start - 1;
            if (text.charAt(pos) == '\n' && pos > 0 && text.charAt(pos - 1) == '\r') {
                pos--;
            }
        }
        return pos;
    }
}
