package dev.plutus.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets one scalar in a block-style YAML text and leaves every other line byte-identical: comments,
 * key order, blank lines and quoting stay as the user wrote them. Missing parent keys are added at
 * the end of their parent's block. Flow-style parents ({@code {a: 1}}) are refused rather than
 * rewritten. The result is re-parsed and checked before it is returned.
 */
public final class YamlEditor {
    private static final Pattern KEY_LINE = Pattern.compile(
            "^(\\s*)(?:\"((?:[^\"\\\\]|\\\\.)*)\"|'((?:[^']|'')*)'|([^\\s#'\"][^:#]*?))\\s*:(?:\\s+(.*?)|\\s*)$");
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");

    private YamlEditor() {}

    public static String setScalar(String text, List<String> path, String value, String fileName) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        boolean endsWithNewline = text.isEmpty() || text.endsWith("\n");
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!text.isEmpty() && endsWithNewline) {
            lines.remove(lines.size() - 1);
        } else if (text.isEmpty()) {
            lines.clear();
        }
        int blockStart = 0;
        int blockEnd = lines.size();
        int parentIndent = -1;
        for (int depth = 0; depth < path.size(); depth++) {
            String key = path.get(depth);
            boolean leaf = depth == path.size() - 1;
            int found = -1;
            int childIndent = -1;
            for (int i = blockStart; i < blockEnd; i++) {
                String line = lines.get(i);
                if (isBlankOrComment(line)) {
                    continue;
                }
                int indent = indentOf(line);
                if (childIndent < 0) {
                    childIndent = indent;
                }
                if (indent != childIndent) {
                    continue;
                }
                Matcher m = KEY_LINE.matcher(stripComment(line));
                if (m.matches() && key.equals(keyOf(m))) {
                    found = i;
                    break;
                }
            }
            if (childIndent < 0) {
                childIndent = parentIndent < 0 ? 0 : parentIndent + 2;
            }
            if (found < 0) {
                int insertAt = lastContentLine(lines, blockStart, blockEnd) + 1;
                if (insertAt == 0 && parentIndent >= 0) {
                    insertAt = blockStart;
                }
                List<String> added = new ArrayList<>();
                int indent = childIndent;
                for (int d = depth; d < path.size(); d++) {
                    String k = quoteKey(path.get(d));
                    added.add(" ".repeat(indent) + k + (d == path.size() - 1 ? ": " + value : ":"));
                    indent += 2;
                }
                lines.addAll(insertAt, added);
                return finish(lines, endsWithNewline || text.isEmpty(), path, value, fileName);
            }
            String line = lines.get(found);
            Matcher m = KEY_LINE.matcher(stripComment(line));
            m.matches();
            String existing = m.group(5);
            if (leaf) {
                String comment = commentOf(line);
                String head = line.substring(0, afterColon(line, m)) + " ";
                // Keep a trailing comment in its column when the new value leaves room, so the diff is the value alone.
                int pad = comment.isEmpty() ? 0 : Math.max(1, commentStart(line) - head.length() - value.length());
                lines.set(found, head + value + (comment.isEmpty() ? "" : " ".repeat(pad) + comment));
                return finish(lines, endsWithNewline, path, value, fileName);
            }
            if (existing != null && !existing.isEmpty()) {
                if (existing.startsWith("{") || existing.startsWith("[")) {
                    throw new ConfigException(fileName + ":" + (found + 1) + ": '" + key
                            + "' is written in flow style; edit it by hand or rewrite it as an indented block");
                }
                if (!existing.equals("~") && !existing.equals("null")) {
                    throw new ConfigException(fileName + ":" + (found + 1) + ": '" + key + "' holds a value, not a mapping");
                }
                lines.set(found, line.substring(0, afterColon(line, m)) + commentSuffix(line));
            }
            parentIndent = childIndent;
            blockStart = found + 1;
            blockEnd = found + 1;
            while (blockEnd < lines.size() && (isBlankOrComment(lines.get(blockEnd)) || indentOf(lines.get(blockEnd)) > parentIndent)) {
                blockEnd++;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static String finish(List<String> lines, boolean newline, List<String> path, String value, String fileName) {
        String out = String.join("\n", lines) + (newline ? "\n" : "");
        YamlNode n = YamlDoc.parse(out, fileName);
        for (String k : path) {
            n = n.get(k);
        }
        if (n.text().isEmpty() || !n.text().get().equals(unquote(value))) {
            throw new ConfigException(fileName + ": could not set " + String.join(".", path) + " without disturbing the file");
        }
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    private static int lastContentLine(List<String> lines, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (!isBlankOrComment(lines.get(i))) {
                return i;
            }
        }
        return from - 1;
    }

    private static String keyOf(Matcher m) {
        if (m.group(2) != null) {
            return m.group(2).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        if (m.group(3) != null) {
            return m.group(3).replace("''", "'");
        }
        return m.group(4).trim();
    }

    private static String quoteKey(String key) {
        return PLAIN_KEY.matcher(key).matches() ? key : "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Index just past the colon that ends the key. */
    private static int afterColon(String line, Matcher m) {
        int keyEnd = m.group(2) != null ? m.end(2) + 1 : m.group(3) != null ? m.end(3) + 1 : m.end(4);
        return line.indexOf(':', keyEnd) + 1;
    }

    private static boolean isBlankOrComment(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }

    private static int indentOf(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** The line without a trailing comment; quotes are respected so {@code "a#b"} keeps its hash. */
    private static String stripComment(String line) {
        int at = commentStart(line);
        return at < 0 ? line : line.substring(0, at).stripTrailing();
    }

    private static String commentOf(String line) {
        int at = commentStart(line);
        return at < 0 ? "" : line.substring(at);
    }

    private static String commentSuffix(String line) {
        String c = commentOf(line);
        return c.isEmpty() ? "" : " " + c;
    }

    private static int commentStart(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single && (i == 0 || line.charAt(i - 1) != '\\')) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return i;
            }
        }
        return -1;
    }
}
