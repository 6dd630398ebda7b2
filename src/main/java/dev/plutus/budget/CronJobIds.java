package dev.plutus.budget;

import dev.plutus.core.NearestWord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Cron job budgets are keyed by the job's id ({@code d200f53be09d}), because that is what a call
 * carries; people know the job by its name ({@code nightly-digest}). Turns a word a user typed into
 * the id it means, using the host's names by id (Hermes's {@code cron/jobs.json}), so a budget set
 * by name is a budget on the job and not on an id no call will ever carry.
 */
public final class CronJobIds {
    /** How Hermes makes a job id: the first 12 hex digits of a random UUID. */
    private static final java.util.regex.Pattern HERMES_ID = java.util.regex.Pattern.compile("[0-9a-f]{12}");

    private CronJobIds() {}

    /**
     * The id {@code word} names: itself when it is a known id, the one job of that name, or a
     * refusal naming the problem. With no job known at all (no jobs.json), only a word shaped like
     * a Hermes job id passes, since a name cannot be looked up.
     */
    public static String resolve(String word, Map<String, String> namesById) {
        if (namesById.containsKey(word)) {
            return word;
        }
        List<String> named = idsNamed(word, namesById);
        if (named.size() == 1) {
            return named.get(0);
        }
        if (named.size() > 1) {
            throw new IllegalArgumentException("more than one cron job is named '" + word + "' (" + String.join(", ", named)
                    + "): give the id of the one you mean");
        }
        if (namesById.isEmpty()) {
            if (HERMES_ID.matcher(word).matches()) {
                return word;
            }
            throw new IllegalArgumentException("no cron job '" + word + "': Hermes's cron/jobs.json lists no jobs to look the name"
                    + " up in; give the job's id (12 hex digits, as in cron/jobs.json)");
        }
        List<String> known = new ArrayList<>(namesById.values());
        known.addAll(namesById.keySet());
        throw new IllegalArgumentException("no cron job '" + word + "' in Hermes's cron/jobs.json" + NearestWord.hint(word, known)
                + "; its jobs: " + listing(namesById));
    }

    /** The id whose job has this name when {@code word} is a name and not an id; empty otherwise. */
    public static Optional<String> idOfName(String word, Map<String, String> namesById) {
        if (namesById.containsKey(word)) {
            return Optional.empty();
        }
        List<String> named = idsNamed(word, namesById);
        return named.size() == 1 ? Optional.of(named.get(0)) : Optional.empty();
    }

    /** {@code d200f53be09d (nightly-digest)}, or the id alone when the job's name is not known. */
    public static String label(String id, Map<String, String> namesById) {
        String name = namesById.get(id);
        return name == null || name.equals(id) ? id : id + " (" + name + ")";
    }

    private static List<String> idsNamed(String word, Map<String, String> namesById) {
        List<String> exact = new ArrayList<>();
        List<String> caseless = new ArrayList<>();
        for (Map.Entry<String, String> e : namesById.entrySet()) {
            if (e.getValue().equals(word)) {
                exact.add(e.getKey());
            } else if (e.getValue().toLowerCase(Locale.ROOT).equals(word.toLowerCase(Locale.ROOT))) {
                caseless.add(e.getKey());
            }
        }
        return exact.isEmpty() ? caseless : exact;
    }

    private static String listing(Map<String, String> namesById) {
        List<String> items = new ArrayList<>();
        namesById.entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(10)
                .forEach(e -> items.add(e.getValue() + " (" + e.getKey() + ")"));
        return String.join(", ", items) + (namesById.size() > 10 ? ", and " + (namesById.size() - 10) + " more" : "");
    }
}
