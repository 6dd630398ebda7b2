package dev.plutus.config;

import java.util.List;

/**
 * plutus.yaml, the instance settings. Each section is read by the part it configures; this is
 * where the file as a whole is checked, so a misspelt section ({@code stroe:}) is an error naming
 * its line instead of a silent default (a host quietly on its own SQLite file would not share budgets).
 */
public final class SettingsFile {
    public static final List<String> SECTIONS = List.of("store", "ingest", "http");

    private SettingsFile() {}

    /** The document's root, after checking that it holds only known sections. */
    public static YamlNode root(String yaml, String fileName) {
        YamlNode root = YamlDoc.parse(yaml, fileName);
        if (!root.isMissing() && !root.isNull()) {
            root.requireOnlyKeys(SECTIONS);
        }
        return root;
    }
}
