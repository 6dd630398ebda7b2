package dev.plutus.config;

import dev.plutus.config.YamlScalars.Context;
import dev.plutus.config.YamlScalars.Written;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.yaml.snakeyaml.DumperOptions.FlowStyle;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.CollectionNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Surgical edits of a user's YAML file. Every edit replaces exact character ranges found from the
 * positions SnakeYAML reports for nodes, so every byte outside them (comments, blank lines, key
 * order, quoting, CRLF line endings) stays as the user wrote it; a trailing comment keeps its
 * column when the new value leaves room. New values are quoted only when YAML needs it; keys an
 * edit has to create go at the end of their parent's block, indented like its other keys.
 *
 * <p>What it cannot edit safely is refused with a {@link ConfigException} naming file, line and key:
 * flow-style collections ({@code {a: 1}}, {@code [a, b]}) an edit would have to restructure,
 * anchors, aliases, merge keys and tags on the path, block scalars ({@code |}, {@code >}) as the
 * target, duplicate keys on the path, files with more than one document. Each edit re-parses its
 * result and refuses unless it reads as the original document with exactly the intended change.
 * Editors are immutable: every edit returns a new one.
 */
public final class YamlEditor {
    /**
     * Where a key an edit has to create goes: at the end of its parent's block, or (with {@code first})
     * directly below the parent's own key line, where it has one (the document and a list entry do
     * not); {@code note}, when set, is a comment line put above it.
     */
    public record Placement(boolean first, String note) {
        public static final Placement END = new Placement(false, null);
        public static final Placement FIRST = new Placement(true, null);

        public Placement {
            if (note != null && (note.contains("\n") || note.contains("\r"))) {
                throw new IllegalArgumentException("a note is one line: " + note);
            }
        }

        public static Placement endWithNote(String note) {
            return new Placement(false, note);
        }
    }

    /** An entry of a list being rewritten: one already there, moved with its lines and comments, or a new mapping. */
    public sealed interface Item permits Kept, NewMapping {}

    public record Kept(int index) implements Item {}

    /** Written in the map's order, one key per line. */
    public record NewMapping(LinkedHashMap<String, String> fields) implements Item {
        public NewMapping {
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("a new list entry needs at least one field");
            }
            fields = new LinkedHashMap<>(fields);
        }
    }

    private record Edit(int start, int end, String text) {}

    /** New text that goes at a given indentation, and what it reads as. */
    private record Piece(IntFunction<String> text, YamlValue value) {}

    /** The nodes a path leads through (the root first) and the key node of each step (null for a list position). */
    private record Walk(List<Node> nodes, List<ScalarNode> keys) {
        int found() {
            return nodes.size() - 1;
        }

        Node last() {
            return nodes.get(nodes.size() - 1);
        }

        Node parentOfLast() {
            return nodes.size() < 2 ? null : nodes.get(nodes.size() - 2);
        }

        ScalarNode lastKey() {
            return keys.isEmpty() ? null : keys.get(keys.size() - 1);
        }
    }

    private final YamlText src;
    private final String file;
    /** Null for a document without content. */
    private final Node root;

    private YamlEditor(String text, String file, Node root) {
        this.src = new YamlText(text);
        this.file = file;
        this.root = root;
    }

    /** An editor on {@code text}; {@code fileName} is what its errors call the file. */
    public static YamlEditor of(String text, String fileName) {
        List<Node> documents = YamlDoc.composeAll(text, fileName);
        if (documents.size() > 1) {
            throw new ConfigException(fileName + ":" + (documents.get(1).getStartMark().getLine() + 1) + ": the file holds "
                    + documents.size() + " YAML documents; only single-document files are edited, so edit it by hand");
        }
        return new YamlEditor(text, fileName, documents.isEmpty() ? null : documents.get(0));
    }

    public String text() {
        return src.text;
    }

    /** The document, for reading. */
    public YamlNode root() {
        return new YamlNode(root, "", file);
    }

    /** Sets the scalar at {@code path}, creating missing keys at the end of their parent's block. */
    public YamlEditor setScalar(YamlPath path, String value) {
        return setScalar(path, value, Placement.END);
    }

    public YamlEditor setScalar(YamlPath path, String value, Placement where) {
        Walk w = walk(path);
        if (w.found() < path.size()) {
            Written v = YamlScalars.write(value, Context.BLOCK);
            return create(w, path, where, new Piece(indent -> " " + v.text() + src.newline, v.value()));
        }
        ScalarNode target = editableScalar(w, path);
        boolean inFlow = w.parentOfLast() instanceof CollectionNode<?> c && c.getFlowStyle() == FlowStyle.FLOW;
        Written v = YamlScalars.write(value, inFlow ? Context.FLOW : Context.BLOCK);
        return apply(List.of(replaceScalar(target, v.text(), inFlow)), current().with(path, old -> v.value(), this::newKey), path);
    }

    /**
     * Makes the single value at {@code path} (Hermes's short {@code model: id}, say) a mapping of
     * {@code fields}, written on the lines below its key; a trailing comment stays on the key's line.
     */
    public YamlEditor replaceWithMapping(YamlPath path, LinkedHashMap<String, String> fields) {
        YamlValue value = mappingValue(fields);
        Walk w = walk(path);
        if (w.found() < path.size()) {
            return create(w, path, Placement.END, new Piece(indent -> src.newline + fieldLines(indent, fields), value));
        }
        ScalarNode target = editableScalar(w, path);
        requireUnderBlockKey(w, path);
        if (target.getStartMark().getLine() != target.getEndMark().getLine()) {
            throw refuse(target, path, "spans several lines; edit it by hand");
        }
        int start = at(target.getStartMark());
        int end = at(target.getEndMark());
        List<Edit> edits = new ArrayList<>();
        int comment = src.trailingComment(end);
        if (start < end) {
            edits.add(comment >= 0 ? new Edit(start, comment, "") : new Edit(src.spacesBefore(start), end, ""));
        }
        edits.add(insertLines(src.lineAfter(end), fieldLines(keyColumn(w) + 2, fields)));
        return apply(edits, current().with(path, old -> value, this::newKey), path);
    }

    /** Appends a scalar to the list at {@code path}, creating the list (and missing keys above it) when absent. */
    public YamlEditor appendItem(YamlPath path, String value, Placement where) {
        Walk w = walk(path);
        if (w.found() < path.size()) {
            Written v = YamlScalars.write(value, Context.BLOCK);
            YamlValue list = new YamlValue.Sequence(List.of(v.value()));
            return create(w, path, where, new Piece(indent -> src.newline + scalarItem(indent, v), list));
        }
        Node target = w.last();
        if (isNullScalar(target)) {
            Written v = YamlScalars.write(value, Context.BLOCK);
            YamlValue list = new YamlValue.Sequence(List.of(v.value()));
            return apply(fillUnderKey(w, path, indent -> scalarItem(indent, v)), current().with(path, old -> list, this::newKey), path);
        }
        if (!(target instanceof SequenceNode seq)) {
            throw refuse(target, path, target instanceof MappingNode ? "is a mapping, not a list" : "holds a value, not a list");
        }
        boolean flow = seq.getFlowStyle() == FlowStyle.FLOW;
        Written v = YamlScalars.write(value, flow ? Context.FLOW : Context.BLOCK);
        Edit edit;
        if (!flow) {
            edit = insertLines(src.lineAfter(contentEnd(seq)), scalarItem(src.column(at(seq.getStartMark())), v));
        } else if (seq.getValue().isEmpty()) {
            int open = at(seq.getStartMark());
            int close = at(seq.getEndMark()) - 1;
            if (src.text.substring(open + 1, close).contains("#")) {
                throw refuse(seq, path, "is an empty flow list ([ ]) with a comment inside; edit it by hand");
            }
            edit = new Edit(open + 1, close, v.text());
        } else {
            int end = contentEnd(seq.getValue().get(seq.getValue().size() - 1));
            edit = new Edit(end, end, ", " + v.text());
        }
        return apply(List.of(edit), current().with(path, old -> appended(old, v.value()), this::newKey), path);
    }

    /** Removes every scalar item equal to {@code value} from the list at {@code path}; the same editor when there is none. */
    public YamlEditor removeItem(YamlPath path, String value) {
        YamlEditor doc = this;
        while (true) {
            Walk w = doc.walk(path);
            if (w.found() < path.size() || isNullScalar(w.last())) {
                return doc;
            }
            if (!(w.last() instanceof SequenceNode seq)) {
                throw doc.refuse(w.last(), path, "is not a list");
            }
            int i = 0;
            while (i < seq.getValue().size() && !(seq.getValue().get(i) instanceof ScalarNode s && s.getValue().equals(value))) {
                i++;
            }
            if (i == seq.getValue().size()) {
                return doc;
            }
            doc = doc.removeAt(w, path, seq, i);
        }
    }

    /**
     * Rewrites the block list at {@code path} to {@code items}: kept entries move with their lines
     * (comments below an entry go with it), new ones are written as mappings; comments above the
     * first entry stay where they are. A missing, null or empty list is created when there is
     * anything to write; an emptied list becomes {@code []}.
     */
    public YamlEditor rewriteList(YamlPath path, List<Item> items, Placement where) {
        Walk w = walk(path);
        Node target = w.found() < path.size() ? null : w.last();
        boolean empty = target == null || isNullScalar(target)
                || target instanceof SequenceNode s && s.getFlowStyle() == FlowStyle.FLOW && s.getValue().isEmpty();
        if (empty) {
            if (items.isEmpty()) {
                return this;
            }
            List<YamlValue> values = new ArrayList<>();
            for (Item it : items) {
                if (!(it instanceof NewMapping m)) {
                    throw new IllegalArgumentException(path + " has no entries to keep");
                }
                values.add(mappingValue(m.fields()));
            }
            YamlValue list = new YamlValue.Sequence(values);
            IntFunction<String> lines = dash -> newItems(dash, items);
            if (target == null) {
                return create(w, path, where, new Piece(indent -> src.newline + lines.apply(indent), list));
            }
            return apply(fillUnderKey(w, path, lines), current().with(path, old -> list, this::newKey), path);
        }
        if (!(target instanceof SequenceNode seq)) {
            throw refuse(target, path, "is not a list");
        }
        if (seq.getFlowStyle() == FlowStyle.FLOW) {
            throw refuse(seq, path, "is written in flow style ([...]); rewrite it as an indented list, then try again");
        }
        List<Node> old = seq.getValue();
        int[] starts = new int[old.size()];
        for (int i = 0; i < old.size(); i++) {
            refuseProperties(old.get(i), path.index(i));
            starts[i] = src.lineStart(dashOf(old.get(i), path.index(i)));
        }
        int keyColumn = w.lastKey() == null ? -1 : keyColumn(w);
        int end = tailEnd(contentEnd(old.get(old.size() - 1)), keyColumn);
        int dash = src.column(at(seq.getStartMark()));
        StringBuilder block = new StringBuilder();
        List<YamlValue> oldValues = ((YamlValue.Sequence) YamlValue.ofRoot(seq)).items();
        List<YamlValue> values = new ArrayList<>();
        for (Item it : items) {
            if (it instanceof Kept k) {
                if (k.index() < 0 || k.index() >= old.size()) {
                    throw new IllegalArgumentException(path + " has no entry " + k.index());
                }
                String span = src.text.substring(starts[k.index()], k.index() + 1 < old.size() ? starts[k.index() + 1] : end);
                block.append(span).append(span.isEmpty() || src.endsLine(starts[k.index()] + span.length() - 1) ? "" : src.newline);
                values.add(oldValues.get(k.index()));
            } else if (it instanceof NewMapping m) {
                block.append(newItems(dash, List.of(m)));
                values.add(mappingValue(m.fields()));
            }
        }
        String replacement = block.toString();
        if (!src.endsLine(end - 1) && replacement.endsWith(src.newline)) {
            replacement = replacement.substring(0, replacement.length() - src.newline.length());
        }
        List<Edit> edits = new ArrayList<>(List.of(new Edit(starts[0], end, replacement)));
        if (items.isEmpty()) {
            requireUnderBlockKey(w, path);
            int colon = afterColon(w.lastKey(), path);
            edits.add(new Edit(colon, colon, " []"));
        }
        YamlValue list = new YamlValue.Sequence(values);
        return apply(edits, current().with(path, o -> list, this::newKey), path);
    }

    /**
     * Removes the key at {@code path} from its indented mapping, with its value and the comments
     * indented under it; the same editor when the key is missing. A mapping under a key left without
     * keys becomes {@code {}} (it would read as null otherwise).
     */
    public YamlEditor removeKey(YamlPath path) {
        if (!(path.size() > 0 && path.get(path.size() - 1) instanceof YamlPath.Key)) {
            throw new IllegalArgumentException("removeKey needs a path that ends in a key: " + path);
        }
        Walk w = walk(path);
        if (w.found() < path.size()) {
            return this;
        }
        requireUnderBlockKey(w, path);
        int keyStart = at(w.lastKey().getStartMark());
        int from = src.lineStart(keyStart);
        if (!src.text.substring(from, keyStart).isBlank()) {
            throw refuse(w.lastKey(), path, "does not start its own line; edit it by hand");
        }
        List<Edit> edits = new ArrayList<>(List.of(new Edit(from, tailEnd(contentEnd(w.last()), keyColumn(w)), "")));
        MappingNode parent = (MappingNode) w.parentOfLast();
        YamlPath parentPath = path.prefix(path.size() - 1);
        if (parent.getValue().size() == 1 && path.size() > 1) {
            Walk up = walk(parentPath);
            requireUnderBlockKey(up, parentPath);
            int colon = afterColon(up.lastKey(), parentPath);
            edits.add(new Edit(colon, colon, " {}"));
        }
        String name = ((YamlPath.Key) path.get(path.size() - 1)).name();
        YamlValue intended = path.size() == 1 ? withoutKey(current(), name)
                : current().with(parentPath, old -> withoutKey(old, name), this::newKey);
        return apply(edits, intended, path);
    }

    private static YamlValue withoutKey(YamlValue mapping, String name) {
        List<YamlValue.Entry> entries = new ArrayList<>(((YamlValue.Mapping) mapping).entries());
        entries.removeIf(e -> e.key() instanceof YamlValue.Scalar k && k.text().equals(name));
        return new YamlValue.Mapping(entries);
    }

    private YamlEditor removeAt(Walk w, YamlPath path, SequenceNode seq, int i) {
        List<Node> items = seq.getValue();
        Node item = items.get(i);
        refuseProperties(item, path.index(i));
        List<Edit> edits = new ArrayList<>();
        if (seq.getFlowStyle() == FlowStyle.FLOW) {
            int from;
            int to;
            if (items.size() == 1) {
                from = at(item.getStartMark());
                to = at(item.getEndMark());
            } else if (i + 1 < items.size()) {
                from = at(item.getStartMark());
                to = at(items.get(i + 1).getStartMark());
            } else {
                from = contentEnd(items.get(i - 1));
                to = at(item.getEndMark());
            }
            String removed = src.text.substring(from, to);
            String own = src.text.substring(at(item.getStartMark()), at(item.getEndMark()));
            if (removed.replace(own, "").contains("#")) {
                throw refuse(item, path, "has a comment between its items; remove '" + own + "' by hand");
            }
            edits.add(new Edit(from, to, ""));
        } else {
            edits.add(new Edit(src.lineStart(dashOf(item, path.index(i))), src.lineAfter(contentEnd(item)), ""));
            if (items.size() == 1) {
                // A list left without items would read as null; [] keeps it an empty list.
                requireUnderBlockKey(w, path);
                int colon = afterColon(w.lastKey(), path);
                edits.add(new Edit(colon, colon, " []"));
            }
        }
        return apply(edits, current().with(path, old -> without(old, i), this::newKey), path);
    }

    /** Creates the keys of {@code path} that {@code w} did not find, the last one holding {@code leaf}. */
    private YamlEditor create(Walk w, YamlPath path, Placement where, Piece leaf) {
        int base = w.found();
        for (int d = base; d < path.size(); d++) {
            if (!(path.get(d) instanceof YamlPath.Key)) {
                throw refuse(w.last(), path.prefix(d + 1), "does not exist (list entries are not created by position)");
            }
        }
        Node parent = w.last();
        YamlPath parentPath = path.prefix(base);
        // Deeper new levels follow the parent's own step from its key to its children (two spaces when it has no key).
        int step = parent instanceof MappingNode m && w.lastKey() != null
                ? Math.max(2, src.column(at(m.getStartMark())) - keyColumn(w)) : 2;
        IntFunction<String> keys = indent -> keyLines(indent, step, path, base, leaf, where);
        boolean first = where.first() && w.lastKey() != null && parent instanceof MappingNode;
        YamlValue intended = first ? current().withFirst(path, old -> leaf.value(), this::newKey)
                : current().with(path, old -> leaf.value(), this::newKey);
        int at;
        int indent;
        if (parent == null || parent == root && isNullScalar(parent) && ((ScalarNode) parent).getValue().isEmpty()) {
            at = src.length();
            indent = 0;
        } else if (parent instanceof MappingNode m) {
            if (m.getFlowStyle() == FlowStyle.FLOW) {
                throw refuse(m, parentPath, "is written in flow style ({...}); edit it by hand or rewrite it as an indented block");
            }
            at = first ? src.lineAfter(at(w.lastKey().getEndMark())) : src.lineAfter(contentEnd(m));
            indent = src.column(at(m.getStartMark()));
        } else if (isNullScalar(parent)) {
            return apply(fillUnderKey(w, parentPath, keys), intended, path);
        } else {
            throw refuse(parent, parentPath, parent instanceof SequenceNode ? "is a list, not a mapping" : "holds a value, not a mapping");
        }
        String lines = keys.apply(indent);
        if (where.note() != null && !blankBefore(at)) {
            lines = src.newline + lines;
        }
        return apply(List.of(insertLines(at, lines)), intended, path);
    }

    /** Whether {@code at} starts the file or follows a blank line: a note above new keys is set off by one. */
    private boolean blankBefore(int at) {
        return at == 0 || src.endsLine(at - 1) && src.blankLine(src.lineStart(at - 1));
    }

    /** The lines of the keys {@code path} lacks from step {@code base} on, each nested {@code step} spaces deeper. */
    private String keyLines(int indent, int step, YamlPath path, int base, Piece leaf, Placement where) {
        StringBuilder b = new StringBuilder();
        if (where.note() != null) {
            b.append(" ".repeat(indent)).append("# ").append(where.note()).append(src.newline);
        }
        for (int d = base; d < path.size(); d++) {
            String name = ((YamlPath.Key) path.get(d)).name();
            b.append(" ".repeat(indent)).append(YamlScalars.write(name, Context.KEY).text()).append(':');
            if (d == path.size() - 1) {
                b.append(leaf.text().apply(indent + step));
            } else {
                b.append(src.newline);
                indent += step;
            }
        }
        return b.toString();
    }

    /** Replaces the null (or empty {@code []}) value under a key with lines below the key, indented two more than it. */
    private List<Edit> fillUnderKey(Walk w, YamlPath path, IntFunction<String> lines) {
        requireUnderBlockKey(w, path);
        Node value = w.last();
        int start = at(value.getStartMark());
        int end = at(value.getEndMark());
        List<Edit> edits = new ArrayList<>();
        if (start < end) {
            edits.add(new Edit(src.spacesBefore(start), end, ""));
        }
        edits.add(insertLines(src.lineAfter(end), lines.apply(keyColumn(w) + 2)));
        return edits;
    }

    /** An insertion of whole lines at a line start; at the end of a file without a final newline, the newline moves to the front. */
    private Edit insertLines(int at, String lines) {
        if (at == src.length() && at > 0 && !src.endsWithNewline()) {
            return new Edit(at, at, src.newline + lines.substring(0, lines.length() - src.newline.length()));
        }
        return new Edit(at, at, lines);
    }

    private Edit replaceScalar(ScalarNode target, String text, boolean inFlow) {
        int start = at(target.getStartMark());
        int end = at(target.getEndMark());
        boolean glued = start == end && start > 0 && src.charAt(start - 1) != ' ' && src.charAt(start - 1) != '\t';
        String written = (glued ? " " : "") + text;
        if (!inFlow && target.getStartMark().getLine() == target.getEndMark().getLine()) {
            int comment = src.trailingComment(end);
            if (comment >= 0) {
                // The comment keeps its column when the new value leaves room, so the diff is the value alone.
                return new Edit(start, comment, written + " ".repeat(Math.max(1, comment - start - written.length())));
            }
        }
        return new Edit(start, end, written);
    }

    /** Applies the edits, then re-reads the result: it must be {@code intended}, the original with exactly this change. */
    private YamlEditor apply(List<Edit> edits, YamlValue intended, YamlPath path) {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start));
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (Edit e : sorted) {
            if (e.start() < pos) {
                throw new IllegalStateException("overlapping edits at " + e.start());
            }
            out.append(src.text, pos, e.start()).append(e.text());
            pos = e.end();
        }
        out.append(src.text, pos, src.length());
        YamlEditor edited;
        try {
            edited = of(out.toString(), file);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": editing " + path + " would leave the file unreadable (" + e.getMessage()
                    + "); nothing was changed, edit it by hand");
        }
        if (!YamlValue.ofRoot(edited.root).equals(intended)) {
            throw new ConfigException(file + ": editing " + path + " would change more than " + path
                    + "; nothing was changed, edit it by hand");
        }
        return edited;
    }

    private Walk walk(YamlPath path) {
        if (path.size() == 0) {
            throw new IllegalArgumentException("an edit needs a key path");
        }
        List<Node> nodes = new ArrayList<>();
        List<ScalarNode> keys = new ArrayList<>();
        nodes.add(root);
        Node cur = root;
        for (int i = 0; i < path.size() && cur != null; i++) {
            refuseProperties(cur, path.prefix(i));
            Node next = null;
            ScalarNode key = null;
            if (path.get(i) instanceof YamlPath.Key k && cur instanceof MappingNode m) {
                List<NodeTuple> hits = new ArrayList<>();
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode().getTag().equals(Tag.MERGE)) {
                        throw refuse(t.getKeyNode(), path.prefix(i), "uses a merge key (<<); edit it by hand");
                    }
                    if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(k.name())) {
                        hits.add(t);
                    }
                }
                if (hits.size() > 1) {
                    throw refuse(hits.get(1).getKeyNode(), path.prefix(i + 1), "is there twice (lines "
                            + (hits.get(0).getKeyNode().getStartMark().getLine() + 1) + " and "
                            + (hits.get(1).getKeyNode().getStartMark().getLine() + 1) + "); remove one by hand");
                }
                if (hits.size() == 1) {
                    key = (ScalarNode) hits.get(0).getKeyNode();
                    next = hits.get(0).getValueNode();
                }
            } else if (path.get(i) instanceof YamlPath.Index ix && cur instanceof SequenceNode s
                    && ix.position() >= 0 && ix.position() < s.getValue().size()) {
                next = s.getValue().get(ix.position());
            }
            if (next == null) {
                break;
            }
            nodes.add(next);
            keys.add(key);
            cur = next;
        }
        if (nodes.size() - 1 == path.size()) {
            refuseProperties(cur, path);
        }
        return new Walk(nodes, keys);
    }

    /** An anchor or tag would be moved or dropped by an edit, and a value with aliases changes everywhere they point. */
    private void refuseProperties(Node node, YamlPath where) {
        if (node.getAnchor() != null) {
            throw refuse(node, where, "carries the anchor &" + node.getAnchor()
                    + " or is an alias to it; an edit would change every place that uses it, so edit it by hand");
        }
        int start = at(node.getStartMark());
        if (start < src.length() && src.charAt(start) == '!') {
            throw refuse(node, where, "has an explicit tag (" + node.getTag().getValue() + "); edit it by hand");
        }
    }

    /** The scalar a walk ended on; refusals name its key's line, where the user looks for it. */
    private ScalarNode editableScalar(Walk w, YamlPath path) {
        Node node = w.last();
        Node where = w.lastKey() != null ? w.lastKey() : node;
        if (!(node instanceof ScalarNode s)) {
            throw refuse(where, path, (node instanceof MappingNode ? "is a mapping" : "is a list") + ", not a single value");
        }
        if (s.getScalarStyle() == ScalarStyle.LITERAL || s.getScalarStyle() == ScalarStyle.FOLDED) {
            throw refuse(where, path, "is a block scalar (| or >); edit it by hand");
        }
        return s;
    }

    private void requireUnderBlockKey(Walk w, YamlPath path) {
        if (w.lastKey() == null || !(w.parentOfLast() instanceof MappingNode m) || m.getFlowStyle() == FlowStyle.FLOW) {
            throw refuse(w.last(), path, "is not the value of a key in an indented block; edit it by hand");
        }
    }

    private int keyColumn(Walk w) {
        return src.column(at(w.lastKey().getStartMark()));
    }

    /** Just past the colon that follows {@code key}. */
    private int afterColon(ScalarNode key, YamlPath path) {
        int i = at(key.getEndMark());
        while (i < src.length() && (src.charAt(i) == ' ' || src.charAt(i) == '\t')) {
            i++;
        }
        if (i == src.length() || src.charAt(i) != ':') {
            throw refuse(key, path, "has a key this edit cannot read; edit it by hand");
        }
        return i + 1;
    }

    /** The position of the {@code -} that starts a block list entry, which must begin its own line. */
    private int dashOf(Node item, YamlPath where) {
        int i = at(item.getStartMark()) - 1;
        while (i >= 0 && (src.charAt(i) == ' ' || src.charAt(i) == '\t')) {
            i--;
        }
        if (i < 0 || src.charAt(i) != '-' || !src.text.substring(src.lineStart(i), i).isBlank()) {
            throw refuse(item, where, "does not start its own line with '- '; edit it by hand");
        }
        return i;
    }

    /** Where the last entry of a list ends: its own lines, then comments indented deeper than the list's key. */
    private int tailEnd(int contentEnd, int keyColumn) {
        int end = src.lineAfter(contentEnd);
        int pos = end;
        while (pos < src.length()) {
            if (src.blankLine(pos)) {
                pos = src.nextLine(pos);
            } else if (src.commentIndent(pos) > keyColumn) {
                pos = src.nextLine(pos);
                end = pos;
            } else {
                break;
            }
        }
        return end;
    }

    /** Where a node's content ends: a block collection's end mark lies past any comments that follow it. */
    private int contentEnd(Node node) {
        return contentEnd(node, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private int contentEnd(Node node, Set<Node> open) {
        int end = at(node.getEndMark());
        if (!(node instanceof CollectionNode<?> c) || c.getFlowStyle() == FlowStyle.FLOW || !open.add(node)) {
            return end;
        }
        int last = src.lastContentBefore(end);
        if (node instanceof MappingNode m && !m.getValue().isEmpty()) {
            NodeTuple t = m.getValue().get(m.getValue().size() - 1);
            last = Math.max(last, Math.max(at(t.getKeyNode().getEndMark()), contentEnd(t.getValueNode(), open)));
        } else if (node instanceof SequenceNode s && !s.getValue().isEmpty()) {
            last = Math.max(last, contentEnd(s.getValue().get(s.getValue().size() - 1), open));
        }
        return last;
    }

    private String scalarItem(int dash, Written v) {
        return " ".repeat(dash) + "- " + v.text() + src.newline;
    }

    private String newItems(int dash, List<Item> items) {
        StringBuilder b = new StringBuilder();
        for (Item it : items) {
            String lines = fieldLines(dash + 2, ((NewMapping) it).fields());
            b.append(" ".repeat(dash)).append("- ").append(lines.substring(dash + 2));
        }
        return b.toString();
    }

    private String fieldLines(int indent, Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(" ".repeat(indent)).append(YamlScalars.write(k, Context.KEY).text()).append(": ")
                .append(YamlScalars.write(v, Context.BLOCK).text()).append(src.newline));
        return b.toString();
    }

    private YamlValue mappingValue(Map<String, String> fields) {
        List<YamlValue.Entry> entries = new ArrayList<>();
        fields.forEach((k, v) -> entries.add(new YamlValue.Entry(newKey(k), YamlScalars.write(v, Context.BLOCK).value())));
        return new YamlValue.Mapping(entries);
    }

    private YamlValue newKey(String name) {
        return YamlScalars.write(name, Context.KEY).value();
    }

    private static YamlValue appended(YamlValue list, YamlValue item) {
        List<YamlValue> items = new ArrayList<>(((YamlValue.Sequence) list).items());
        items.add(item);
        return new YamlValue.Sequence(items);
    }

    private static YamlValue without(YamlValue list, int index) {
        List<YamlValue> items = new ArrayList<>(((YamlValue.Sequence) list).items());
        items.remove(index);
        return new YamlValue.Sequence(items);
    }

    private static boolean isNullScalar(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL) && s.isPlain();
    }

    private YamlValue current() {
        return YamlValue.ofRoot(root);
    }

    private int at(Mark mark) {
        return src.at(mark);
    }

    private ConfigException refuse(Node at, YamlPath where, String problem) {
        int line = at == null ? 1 : at.getStartMark().getLine() + 1;
        return new ConfigException(file + ":" + line + ": " + where + " " + problem);
    }
}
