package dev.plutus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Over generated block-style documents (nested mappings, lists, comments, blank lines, quoted and
 * plain scalars, CRLF) and a random edit: the bytes before and after the edited range are the
 * original's, and the result loads as the original document with exactly that change.
 */
class YamlEditorProperties {
    /** New values, many of which YAML would read as something else unless quoted. */
    static final List<String> VALUES = List.of("gamma", "two words", "a: b", "#hash", "x #y", "true", "no", "null", "~", "",
            " lead", "trail ", "quote\"d", "it's", "back\\slash", "\u00fc \u00f1", "\ud83d\ude00 smile", "[x]", "{y: 1}", "- dash",
            "12.50", "7", "0x1F", "multi\nline", "tab\tin", "@at", "%pct", "*star", "&amp", "!bang", "`tick", "|pipe", ">gt",
            "? q", ": colon", "-", "2026-01-01", ".inf", "=", "<<", "${VAR}", "k: v # c", "a,b", "end:");
    /** The values above that are meant to load as numbers. */
    static final Set<String> NUMBERS = Set.of("12.50", "7");
    static final List<String> NEW_KEYS = List.of("fresh", "new key", "k: v", "#k", "true", "1", "\u00fc", "", "a-b_c.d");

    /** A generated document and where its parts are. */
    record Doc(String text, List<Target> scalars, List<YamlPath> mappings, List<YamlPath> lists) {}

    /** A scalar value's range: from its first character to its end, or to the comment after it. */
    record Target(YamlPath path, int start, int end) {}

    enum Op { SET_EXISTING, SET_NEW, APPEND }

    record Case(Doc doc, Op op, int pick, String value, String newKey, boolean deeper) {
        @Override
        public String toString() {
            return op + " #" + pick + " value=" + show(value) + " key=" + show(newKey) + " deeper=" + deeper + "\n---\n"
                    + doc.text().replace("\r", "\\r") + "---";
        }
    }

    @Property(tries = 300)
    void anEditChangesOnlyItsTargetAndLoadsAsTheIntendedDocument(@ForAll("cases") Case c) {
        String before = c.doc().text();
        Object original = YamlDoc.load(before, "gen.yaml");
        YamlEditor doc = YamlEditor.of(before, "gen.yaml");
        String after;
        List<Object> keys;
        Object intended;
        switch (c.op()) {
            case SET_EXISTING -> {
                Target t = c.doc().scalars().get(c.pick() % c.doc().scalars().size());
                after = doc.setScalar(t.path(), c.value()).text();
                assertTrue(after.startsWith(before.substring(0, t.start())), "bytes before the value changed:\n" + after);
                assertTrue(after.endsWith(before.substring(t.end())), "bytes after the value changed:\n" + after);
                keys = steps(t.path());
                intended = typed(c.value());
            }
            case SET_NEW -> {
                YamlPath parent = c.doc().mappings().get(c.pick() % c.doc().mappings().size());
                YamlPath path = c.deeper() ? parent.key(c.newKey()).key("leaf") : parent.key(c.newKey());
                after = doc.setScalar(path, c.value()).text();
                assertOneInsertion(before, after);
                keys = steps(path);
                intended = typed(c.value());
            }
            default -> {
                YamlPath list = c.doc().lists().get(c.pick() % c.doc().lists().size());
                after = doc.appendItem(list, c.value(), YamlEditor.Placement.END).text();
                assertOneInsertion(before, after);
                keys = steps(list);
                List<Object> items = new ArrayList<>((List<?>) get(original, keys));
                items.add(typed(c.value()));
                intended = items;
            }
        }
        assertEquals(put(original, keys, 0, intended), YamlDoc.load(after, "gen.yaml"), "the result is the original with one change");
        if (before.contains("\r\n")) {
            assertFalse(after.replace("\r\n", "").contains("\n"), "a CRLF file got a bare LF");
        }
    }

    /**
     * The whole original survives in order with whole new lines inserted at one place (or, at the end
     * of a file without a final newline, new lines after a line break put in front of them).
     */
    private static void assertOneInsertion(String before, String after) {
        assertTrue(after.length() > before.length(), "nothing was added:\n" + after);
        int prefix = 0;
        while (prefix < before.length() && prefix < after.length() && before.charAt(prefix) == after.charAt(prefix)) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < before.length() && before.charAt(before.length() - 1 - suffix) == after.charAt(after.length() - 1 - suffix)) {
            suffix++;
        }
        assertTrue(prefix + suffix >= before.length(), "the original is not the result minus one insertion:\n" + after);
        // Where equal characters border the insertion, it could sit anywhere in that stretch: one place must be a line boundary.
        for (int at = before.length() - suffix; at <= prefix; at++) {
            String chunk = after.substring(at, at + after.length() - before.length());
            boolean wholeLines = (at == 0 || endsLine(before, at - 1)) && endsLine(chunk, chunk.length() - 1);
            boolean atEnd = at == before.length() && (chunk.startsWith("\n") || chunk.startsWith("\r\n"));
            if (wholeLines || atEnd) {
                return;
            }
        }
        throw new AssertionError("the insertion is not whole lines:\n" + after);
    }

    private static boolean endsLine(String s, int i) {
        return s.charAt(i) == '\n';
    }

    /** What a value should load as: a string, except the ones written to be numbers. */
    private static Object typed(String value) {
        return NUMBERS.contains(value) ? ((Map<?, ?>) YamlDoc.load("v: " + value, "v")).get("v") : value;
    }

    private static List<Object> steps(YamlPath path) {
        return path.steps().stream().<Object>map(s -> s instanceof YamlPath.Key k ? k.name() : ((YamlPath.Index) s).position()).toList();
    }

    private static Object get(Object at, List<Object> keys) {
        for (Object k : keys) {
            at = k instanceof Integer i ? ((List<?>) at).get(i) : ((Map<?, ?>) at).get(k);
        }
        return at;
    }

    /** A copy of {@code at} with {@code value} at {@code keys}; missing mappings are made. */
    private static Object put(Object at, List<Object> keys, int depth, Object value) {
        if (depth == keys.size()) {
            return value;
        }
        Object k = keys.get(depth);
        if (k instanceof Integer i) {
            List<Object> copy = new ArrayList<>((List<?>) at);
            copy.set(i, put(copy.get(i), keys, depth + 1, value));
            return copy;
        }
        Map<Object, Object> copy = at instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : new LinkedHashMap<>();
        copy.put(k, put(copy.get(k), keys, depth + 1, value));
        return copy;
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.longs().flatMap(seed -> {
            Doc doc = new Generator(new Random(seed)).document();
            List<Op> ops = new ArrayList<>(List.of(Op.SET_NEW));
            if (!doc.scalars().isEmpty()) {
                ops.add(Op.SET_EXISTING);
            }
            if (!doc.lists().isEmpty()) {
                ops.add(Op.APPEND);
            }
            return net.jqwik.api.Combinators.combine(Arbitraries.of(ops), Arbitraries.integers().between(0, 1000),
                    Arbitraries.of(VALUES), Arbitraries.of(NEW_KEYS), Arbitraries.of(true, false))
                    .as((op, pick, value, key, deeper) -> new Case(doc, op, pick, value, key, deeper));
        });
    }

    private static String show(String s) {
        return "'" + s.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }

    /** Writes a random block-style document, noting the range of every scalar value and every block mapping and list. */
    static final class Generator {
        /** Scalars as written, each with the text it loads as; the quoted ones hold what plain text could not. */
        private static final List<String> SCALARS = List.of("alpha", "beta-2", "x_y", "5.00", "42", "hello world", "caf\u00e9",
                "\ud83d\ude00", "a:b", "~", "null", "\"quoted # not a comment\"", "\"tab\\there\"", "'it''s'", "''", "\"\"",
                "http://x.example/a?b=c", "${KEY}", "-1", "yes");
        private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "\"q k\"", "'s k'", "name", "model", "k-4");

        private final Random rnd;
        private final StringBuilder out = new StringBuilder();
        private final String nl;
        private final int step;
        private final List<Target> scalars = new ArrayList<>();
        private final List<YamlPath> mappings = new ArrayList<>();
        private final List<YamlPath> lists = new ArrayList<>();

        Generator(Random rnd) {
            this.rnd = rnd;
            this.nl = rnd.nextInt(4) == 0 ? "\r\n" : "\n";
            this.step = rnd.nextBoolean() ? 2 : 4;
        }

        Doc document() {
            if (rnd.nextBoolean()) {
                out.append("# generated").append(nl);
            }
            mapping(YamlPath.of(), 0, 0, null);
            if (rnd.nextInt(3) == 0) {
                out.append(nl).append("# the end").append(nl);
            }
            // No final newline, unless a block scalar ends the file: anything added after it would change its text.
            if (rnd.nextInt(5) == 0 && out.toString().endsWith(nl) && !out.toString().endsWith(nl + nl)
                    && !out.toString().endsWith("block text" + nl)) {
                out.setLength(out.length() - nl.length());
            }
            return new Doc(out.toString(), scalars, mappings, lists);
        }

        /** A block mapping at {@code indent}; with {@code dash} its first key follows that list dash on the same line. */
        private void mapping(YamlPath path, int indent, int depth, String dash) {
            mappings.add(path);
            List<String> keys = new ArrayList<>(KEYS);
            int n = 1 + rnd.nextInt(depth == 0 ? 5 : 3);
            for (int i = 0; i < n; i++) {
                String key = keys.remove(rnd.nextInt(keys.size()));
                boolean first = i == 0 && dash != null;
                if (!first) {
                    decorate(indent);
                }
                out.append(first ? dash : " ".repeat(indent)).append(key).append(':');
                value(path.key(unquote(key)), indent, depth);
            }
        }

        /** Blank lines and comment lines between entries, at the entry's indentation or at column 0. */
        private void decorate(int indent) {
            if (rnd.nextInt(4) == 0) {
                out.append(nl);
            }
            if (rnd.nextInt(4) == 0) {
                out.append(rnd.nextBoolean() ? " ".repeat(indent) : "").append("# note").append(nl);
            }
        }

        private void value(YamlPath path, int indent, int depth) {
            int kind = rnd.nextInt(depth >= 3 ? 7 : 10);
            if (kind < 5) {
                out.append(' ');
                scalar(path);
            } else if (kind == 5) {
                out.append(rnd.nextBoolean() ? " [a, b]" : " {x: 1}").append(nl);
            } else if (kind == 6) {
                out.append(" |").append(nl).append(" ".repeat(indent + step)).append("block text").append(nl);
            } else if (kind < 9) {
                comment();
                mapping(path, indent + step, depth + 1, null);
            } else {
                comment();
                list(path, rnd.nextBoolean() ? indent : indent + step, depth);
            }
        }

        private void list(YamlPath path, int indent, int depth) {
            boolean ofScalars = rnd.nextInt(3) > 0;
            if (ofScalars) {
                lists.add(path);
            }
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    decorate(indent);
                }
                if (ofScalars) {
                    out.append(" ".repeat(indent)).append("- ");
                    scalar(path.index(i));
                } else {
                    mapping(path.index(i), indent + 2, depth + 1, " ".repeat(indent) + "- ");
                }
            }
        }

        /** A scalar, perhaps with a trailing comment; an empty value records where one would go. */
        private void scalar(YamlPath path) {
            boolean empty = rnd.nextInt(12) == 0;
            if (empty) {
                out.setLength(out.length() - 1);
            }
            int start = out.length();
            out.append(empty ? "" : SCALARS.get(rnd.nextInt(SCALARS.size())));
            if (rnd.nextInt(3) == 0) {
                out.append(" ".repeat(1 + rnd.nextInt(6)));
                scalars.add(new Target(path, start, out.length()));
                out.append("# about it");
            } else {
                scalars.add(new Target(path, start, out.length()));
            }
            out.append(nl);
        }

        private void comment() {
            if (rnd.nextInt(4) == 0) {
                out.append("   # section");
            }
            out.append(nl);
        }

        private static String unquote(String key) {
            if (key.startsWith("\"") || key.startsWith("'")) {
                return key.substring(1, key.length() - 1);
            }
            return key;
        }
    }
}
