package dev.plutus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layering the README's "Architecture" section describes, checked on the sources: each
 * package uses only packages below it (so there is no cycle), and the root package is the
 * embedding API alone.
 */
class ArchitectureTest {
    /**
     * Bottom to top: a package may use only those before it. The framework adapters sit above the
     * root, so nothing in Plutus depends on them (or on the frameworks they are compiled against).
     */
    static final List<String> LAYERS = List.of("core", "config", "store", "pricing", "budget", "provider", "remote", "engine",
            "runway", "report", "command", "hermes", "ingest", "http", "bench", "cli", "",
            "adapter", "adapter.otel", "adapter.langchain4j", "adapter.springai");

    /** What an adapter may use: the embedding API and the values it answers with, besides other adapters. */
    private static final Set<String> EMBEDDING_API = Set.of("", "core", "budget");

    private static final Path SOURCES = Path.of("src/main/java/dev/plutus");
    /** A class named with its package ({@code dev.plutus.http.PlutusDaemon}), or a whole package imported ({@code dev.plutus.http.*}). */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.plutus((?:\\.[a-z]\\w*)*)\\.(?:[A-Z]|\\*)");

    @Test
    void everyPackageUsesOnlyPackagesBelowIt() throws IOException {
        Map<String, Set<String>> uses = packageGraph(SOURCES);
        assertEquals(new TreeSet<>(LAYERS), new TreeSet<>(uses.keySet()), "every package has its place in LAYERS");
        List<String> upward = new ArrayList<>();
        uses.forEach((pkg, used) -> used.forEach(u -> {
            if (LAYERS.indexOf(u) >= LAYERS.indexOf(pkg)) {
                upward.add(name(pkg) + " -> " + name(u));
            }
        }));
        assertEquals(List.of(), upward, "dependencies that point up (or sideways) the layers");
    }

    @Test
    void adaptersUseOnlyTheEmbeddingApi() throws IOException {
        List<String> beyond = new ArrayList<>();
        packageGraph(SOURCES).forEach((pkg, used) -> {
            if (pkg.startsWith("adapter")) {
                used.stream().filter(u -> !EMBEDDING_API.contains(u) && !u.startsWith("adapter"))
                        .forEach(u -> beyond.add(name(pkg) + " -> " + name(u)));
            }
        });
        assertEquals(List.of(), beyond, "adapters reaching past the embedding API (Plutus, PlutusConfig, core values, verdicts)");
    }

    @Test
    void theRootPackageIsTheEmbeddingApiOnly() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            assertEquals(Set.of("Plutus.java", "PlutusConfig.java", "PlutusHome.java"),
                    new TreeSet<>(files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).toList()));
        }
    }

    @Test
    void theCheckSeesAnUpwardReference(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        // The checker itself must find a violation: a store class naming an engine class, in code, not in a comment.
        Path store = Files.createDirectories(dir.resolve("store"));
        Files.writeString(store.resolve("A.java"), "package dev.plutus.store;\n// dev.plutus.http.Ignored in a comment\n"
                + "import dev.plutus.engine.Engine;\nclass A { String s = \"dev.plutus.cli.InAString\"; }\n");
        Files.writeString(store.resolve("B.java"), "package dev.plutus.store;\nimport dev.plutus.http.*;\nimport static dev.plutus\n"
                + "    .budget.Level.HARD;\nclass B { Object d(PlutusDaemon d) { return d; } }\n");
        Map<String, Set<String>> uses = packageGraph(dir);
        assertEquals(Set.of("budget", "engine", "http"), uses.get("store"));
    }

    /** Package (relative to dev.plutus, "" for the root) to the project packages its code names. */
    static Map<String, Set<String>> packageGraph(Path root) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
                // A name may be split across lines or spaced around its dots; the compiler reads it whole.
                String code = codeOnly(Files.readString(f)).replaceAll("\\s*\\.\\s*", ".");
                Set<String> used = out.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(code.replaceFirst("(?m)^package [\\w.]+;", ""));
                while (m.find()) {
                    String u = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
                    if (!u.equals(pkg)) {
                        used.add(u);
                    }
                }
            }
        }
        assertTrue(!out.isEmpty(), "no sources under " + root);
        return out;
    }

    /** The source with comments, string and char literals and text blocks blanked out. */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                i = end(src, src.indexOf('\n', i), src.length());
            } else if (src.startsWith("/*", i)) {
                i = end(src, src.indexOf("*/", i + 2), src.length() - 2) + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                i = end(src, src.indexOf("\"\"\"", i + 3), src.length() - 3) + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != c) {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
            } else {
                out.append(c);
                i++;
                continue;
            }
            out.append(' ');
        }
        return out.toString();
    }

    private static int end(String src, int found, int otherwise) {
        return found < 0 ? otherwise : found;
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "dev.plutus" : "dev.plutus." + pkg;
    }
}
