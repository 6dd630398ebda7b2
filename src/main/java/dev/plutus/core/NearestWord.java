package dev.plutus.core;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The word a near-miss was meant to be ({@code dayly} → {@code daily}), for "did you mean" in error messages. */
public final class NearestWord {
    private NearestWord() {}

    /**
     * The closest of {@code known} within two edits (one for words of four letters or fewer); else the
     * one known word that starts with what was typed and a separator ({@code cron} → {@code cron_job});
     * empty when none is that close.
     */
    public static Optional<String> of(String typed, Collection<String> known) {
        String t = typed.toLowerCase(Locale.ROOT);
        int allowed = t.length() <= 4 ? 1 : 2;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(t, k.toLowerCase(Locale.ROOT));
            if (d > 0 && d <= allowed && d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        if (best == null && t.length() >= 3) {
            java.util.List<String> longer = known.stream()
                    .filter(k -> k.toLowerCase(Locale.ROOT).matches(java.util.regex.Pattern.quote(t) + "[_\\-].+")).toList();
            best = longer.size() == 1 ? longer.get(0) : null;
        }
        return Optional.ofNullable(best);
    }

    /** {@code " (did you mean 'daily'?)"}, or nothing when no known word is close. */
    public static String hint(String typed, Collection<String> known) {
        return of(typed, known).map(k -> " (did you mean '" + k + "'?)").orElse("");
    }

    /** Edits (insert, delete, substitute, swap two neighbours) between {@code a} and {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
