package dev.plutus.config;

import java.util.ArrayList;
import java.util.List;

/** Where a node sits in a YAML document: keys into mappings and positions into lists, from the root down. */
public record YamlPath(List<Step> steps) {
    /** One step down the tree. */
    public sealed interface Step permits Key, Index {}

    public record Key(String name) implements Step {}

    public record Index(int position) implements Step {}

    public YamlPath {
        steps = List.copyOf(steps);
    }

    public static YamlPath of(String... keys) {
        return of(List.of(keys));
    }

    public static YamlPath of(List<String> keys) {
        return new YamlPath(keys.stream().<Step>map(Key::new).toList());
    }

    public YamlPath key(String name) {
        return append(new Key(name));
    }

    public YamlPath index(int position) {
        return append(new Index(position));
    }

    public int size() {
        return steps.size();
    }

    public Step get(int i) {
        return steps.get(i);
    }

    public YamlPath prefix(int length) {
        return new YamlPath(steps.subList(0, length));
    }

    private YamlPath append(Step step) {
        List<Step> out = new ArrayList<>(steps);
        out.add(step);
        return new YamlPath(out);
    }

    /** {@code plugins.enabled}, {@code fallback_providers[1].model}; the empty path is "the document". */
    @Override
    public String toString() {
        if (steps.isEmpty()) {
            return "the document";
        }
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            if (s instanceof Key k) {
                sb.append(sb.isEmpty() ? "" : ".").append(k.name());
            } else if (s instanceof Index i) {
                sb.append('[').append(i.position()).append(']');
            }
        }
        return sb.toString();
    }
}
