package dev.plutus.budget;

import dev.plutus.config.AtomicFiles;
import dev.plutus.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.HexFormat;
import java.util.Optional;

/**
 * budget.yaml as currently in force. The budget in force only ever changes to a file that parses
 * completely ({@link BudgetConfigParser} refuses an empty, comments-only, cut or duplicated file)
 * and, on a hot reload, that read the same at two looks in a row: an editor that truncates the
 * file and writes it back in chunks never opens a window with fewer limits. A refused file leaves
 * the last good budget in force and its error is kept for /budget, /status and the log.
 *
 * <p>A hand edit that LOOSENS the budget in force ({@link BudgetLoosening}: a limit removed or
 * raised, a threshold raised, an enforcement mode lowered, ...) must also stay unchanged for {@link
 * #LOOSENING_SETTLE} (10 s) from the look that first saw it before it goes into force: a slow
 * in-place save whose prefix happens to parse (a scope listed before the global cap, say) would
 * otherwise drop the limits still to be written for as long as the editor pauses. A change that only
 * tightens or keeps limits goes into force after the two looks. Plutus's own edits ({@link #reload()},
 * written whole by rename) go into force at once.
 *
 * <p>Every budget that goes into force is also copied to {@code lastGood}, so a process started
 * while budget.yaml is refused (or missing) enforces that copy rather than nothing. Only an
 * explicit {@code budgets: {}} removes every limit; a missing file does so only when there is no
 * earlier budget to keep. A refused file with no earlier good budget to fall back on (a first start
 * on a broken file) is not "no budget": the user meant one, so every verdict is unknown until it is
 * fixed ({@link #unenforceable()}), and hosts apply their fail mode.
 */
public final class BudgetFile {
    /** What one look at the file did. */
    public enum Reload {
        /** The file is as it was when last looked at. */
        UNCHANGED,
        /**
         * The file changed since the last look; it goes into force once a second look finds it the
         * same, and, when it loosens the budget in force, once it has stayed so for the settle period.
         */
        SETTLING,
        /** The file went into force (its budget may equal the one before, a comment changed, say). */
        APPLIED,
        /** The file is broken or missing; the last good budget stays in force. */
        REFUSED
    }

    /** Where the budget in force was read from. */
    public enum Source {
        /** budget.yaml, read by this process. */
        FILE,
        /** The last good copy: budget.yaml was refused or missing when this process started. */
        LAST_GOOD,
        /**
         * No budget was ever good here: nothing is enforced when budget.yaml is absent, and every
         * verdict is unknown while it is refused.
         */
        NONE
    }

    /**
     * The budget in force and how the file on disk stands to it. {@code digest} identifies the text
     * in force (the first 12 hex digits of its SHA-256; empty for {@link Source#NONE}); {@code
     * refusal} says why the file on disk is not in force; {@code settling} that the file changed
     * and waits for a second look; {@code looseningAt} when the file loosens the budget in force and
     * goes into force then if it stays unchanged, with what it loosens in {@code loosening}.
     */
    public record Standing(Path file, Path lastGood, Source source, String digest, boolean anyLimit,
            Optional<String> refusal, boolean settling, Optional<String> copyProblem, Optional<Instant> looseningAt,
            List<String> loosening, ZoneId zone) {

        public Standing {
            loosening = List.copyOf(loosening);
        }

        /** A standing with no loosening waiting. */
        public Standing(Path file, Path lastGood, Source source, String digest, boolean anyLimit, Optional<String> refusal,
                boolean settling, Optional<String> copyProblem) {
            this(file, lastGood, source, digest, anyLimit, refusal, settling, copyProblem, Optional.empty(), List.of(), ZoneId.of("UTC"));
        }

        /** The file on disk loosens the budget and waits: what it loosens, and when it goes into force. */
        public Optional<String> looseningNotice() {
            return looseningAt.map(at -> "! " + file.getFileName() + " changed on disk and LOOSENS the budget in force ("
                    + String.join("; ", loosening) + "); it goes into force at " + TIME.format(at.atZone(zone))
                    + " if it stays unchanged until then, so a save still being written never drops a limit");
        }

        /** {@code settling: loosening waits until 14:05:09}, or empty when no loosening waits. */
        public Optional<String> looseningWait() {
            return looseningAt.map(at -> "settling: loosening waits until " + TIME.format(at.atZone(zone)));
        }

        /** budget.yaml is refused and no earlier good budget is known: every verdict is unknown. */
        public boolean verdictUnknown() {
            return source == Source.NONE && refusal.isPresent();
        }

        /** What the file on disk is, in one word: {@code loaded}, {@code settling} or {@code refused}. */
        public String fileState() {
            return refusal.isPresent() ? "refused" : settling ? "settling" : "loaded";
        }

        /** Lines for people: empty when the file on disk is exactly the budget in force. */
        public String notice() {
            StringBuilder t = new StringBuilder();
            refusal.ifPresent(e -> {
                String keeps = switch (source) {
                    case FILE -> "the budget loaded before it stays in force (" + digest + ")";
                    case LAST_GOOD -> "the last good budget, saved in " + lastGood.getFileName() + ", is in force (" + digest + ")";
                    case NONE -> "no earlier good budget is known, so EVERY BUDGET VERDICT IS UNKNOWN until it is fixed"
                            + " (hooks answer 503 and your fail_mode applies)";
                };
                t.append("! ").append(file.getFileName()).append(" on disk is refused; ").append(keeps).append(":\n  ")
                        .append(e).append('\n');
            });
            looseningNotice().ifPresent(n -> t.append(n).append('\n'));
            if (refusal.isEmpty() && looseningAt.isEmpty() && settling) {
                t.append("! ").append(file.getFileName()).append(" changed on disk; it goes into force once it has stopped changing")
                        .append(" (two looks a second apart find it the same)\n");
            }
            copyProblem.ifPresent(p -> t.append("! ").append(p).append('\n'));
            return t.toString();
        }
    }

    /** One look at the file: its size, time and identity, and its bytes (null when absent or unreadable). */
    private record Look(String stamp, byte[] bytes, String readError) {
        boolean sameContent(Look o) {
            return o != null && Arrays.equals(bytes, o.bytes) && java.util.Objects.equals(readError, o.readError);
        }

        boolean same(Look o) {
            return sameContent(o) && stamp.equals(o.stamp);
        }
    }

    /** How long a hand edit that loosens the budget must stay unchanged before it goes into force. */
    public static final Duration LOOSENING_SETTLE = Duration.ofSeconds(10);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Path file;
    private final Path lastGood;
    private final ZoneId defaultZone;
    private final Supplier<Map<String, String>> cronJobNames;
    private final Clock clock;
    private final Duration looseningSettle;
    private volatile BudgetConfig current;
    private volatile Source source;
    private volatile String digest;
    private volatile String error;
    private volatile String copyProblem;
    /** The look last acted on (applied or refused) and a changed look waiting for its confirmation. */
    private Look seen;
    private volatile Look pending;
    /** When {@code pending} was first seen; a loosening goes into force only {@code looseningSettle} after it. */
    private Instant pendingSince;
    private volatile Instant looseningAt;
    private volatile List<String> loosening = List.of();
    private volatile List<String> lastApplied = List.of();

    /** Loads {@code file}; when it is refused or missing, the copy at {@code lastGood} if there is one. */
    public BudgetFile(Path file, Path lastGood, ZoneId defaultZone) {
        this(file, lastGood, Clock.system(defaultZone), LOOSENING_SETTLE);
    }

    /**
     * As above, with the clock that times the settle period, and the period a loosening hand edit
     * must stay unchanged for ({@link #LOOSENING_SETTLE} unless a test says otherwise).
     */
    public BudgetFile(Path file, Path lastGood, Clock clock, Duration looseningSettle) {
        this(file, lastGood, clock, looseningSettle, Map::of);
    }

    /** As above, refusing a cron job budget written by the job's name ({@code cronJobNames}: the host's names by id). */
    public BudgetFile(Path file, Path lastGood, Clock clock, Duration looseningSettle, Supplier<Map<String, String>> cronJobNames) {
        this.cronJobNames = cronJobNames;
        this.file = file;
        this.lastGood = lastGood;
        this.defaultZone = clock.getZone();
        this.clock = clock;
        this.looseningSettle = looseningSettle;
        this.current = BudgetConfig.none(defaultZone);
        this.source = Source.NONE;
        this.digest = "";
        Look now = look();
        seen = now;
        Instant startedAt = clock.instant();
        // The last budget that was good here is in force first; budget.yaml then goes through the same
        // door as any edit: a file that loosens it may be a save a restart cut short, and waits.
        boolean lastGoodInForce = loadLastGood();
        Reload r = act(now, lastGoodInForce && !untouchedFor(looseningSettle, startedAt) ? startedAt.plus(looseningSettle) : null);
        if (r == Reload.SETTLING) {
            seen = null;
            pending = now;
            pendingSince = startedAt;
        }
    }

    public Path path() {
        return file;
    }

    public BudgetConfig current() {
        return current;
    }

    /** Why the file on disk is not in force (file, line, field), if it is not. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Why no verdict can be computed from the budget in force: budget.yaml is refused and no earlier
     * good budget is known here, so the limits the user meant are unknown. Empty otherwise.
     */
    public Optional<String> unenforceable() {
        String e = error;
        if (source != Source.NONE || e == null) {
            return Optional.empty();
        }
        return Optional.of("budget.yaml is refused and no earlier good budget is known: " + e);
    }

    public boolean exists() {
        return Files.exists(file);
    }

    public Standing standing() {
        return new Standing(file, lastGood, source, digest, current.hasAnyLimit(), Optional.ofNullable(error),
                pending != null, Optional.ofNullable(copyProblem), Optional.ofNullable(looseningAt), loosening, defaultZone);
    }

    /** What the change that last went into force loosened (empty when it only tightened or kept limits). */
    public List<String> lastLoosening() {
        return lastApplied;
    }

    /**
     * The upkeep's look, once a second: a file that changed goes into force (or is refused) only
     * when this look finds it exactly as the previous one did, and, when it loosens the budget in
     * force, only once it has stayed so for the settle period since it was first seen.
     */
    public synchronized Reload reloadIfChanged() {
        Look previous = pending;
        if (previous == null && seen != null && stampOf().equals(seen.stamp())) {
            return Reload.UNCHANGED;
        }
        Look now = look();
        if (now.sameContent(seen)) {
            seen = now;
            clearPending();
            return Reload.UNCHANGED;
        }
        if (!now.same(previous)) {
            clearPending();
            pending = now;
            pendingSince = clock.instant();
            return Reload.SETTLING;
        }
        Reload r = act(now, pendingSince.plus(looseningSettle));
        if (r != Reload.SETTLING) {
            clearPending();
            seen = now;
        }
        return r;
    }

    /** Re-reads the file now, for Plutus's own edits (written whole, by rename): a loosening too goes into force at once. */
    public synchronized Reload reload() {
        Look now = look();
        clearPending();
        seen = now;
        return act(now, null);
    }

    private void clearPending() {
        pending = null;
        pendingSince = null;
        looseningAt = null;
        loosening = List.of();
    }

    /**
     * Puts the look into force, or refuses it; a parsed file that loosens the budget in force waits
     * (SETTLING) while the clock is before {@code looseningDue} (null: no wait).
     */
    private Reload act(Look look, Instant looseningDue) {
        if (look.readError() != null) {
            error = file + ":1: cannot read the file (" + look.readError() + "); the last good budget stays in force";
            return Reload.REFUSED;
        }
        if (look.bytes() == null) {
            if (!current.hasAnyLimit()) {
                lastApplied = List.of();
                current = BudgetConfig.none(defaultZone);
                source = Source.NONE;
                digest = "";
                error = null;
                return Reload.APPLIED;
            }
            error = file + ":1: the file is missing; the last good budget stays in force. To remove every budget, "
                    + "write 'budgets: {}' in it";
            return Reload.REFUSED;
        }
        try {
            String text = utf8(look.bytes());
            BudgetConfig parsed = BudgetConfigParser.parse(text, file.toString(), defaultZone, cronJobNames.get());
            List<String> loosens = loosenedBy(parsed);
            if (!loosens.isEmpty() && looseningDue != null && clock.instant().isBefore(looseningDue)) {
                looseningAt = looseningDue;
                loosening = loosens;
                return Reload.SETTLING;
            }
            lastApplied = loosens;
            current = parsed;
            source = Source.FILE;
            digest = digestOf(look.bytes());
            error = null;
            keepAsLastGood(text);
            return Reload.APPLIED;
        } catch (ConfigException e) {
            error = e.getMessage();
            return Reload.REFUSED;
        }
    }

    /**
     * What {@code next} loosens. While every verdict is unknown (refused, nothing good known) hosts
     * may be blocking everything, so any budget at all lets calls through: it waits like a loosening.
     */
    private List<String> loosenedBy(BudgetConfig next) {
        if (source == Source.NONE && error != null) {
            return List.of("every verdict is unknown now (" + file.getFileName() + " was refused); this budget ends that");
        }
        return BudgetLoosening.between(current, next);
    }

    /**
     * At start only: the file was last written at least {@code settle} ago, so it is not a save in
     * progress (a one-shot command on a file edited an hour ago need not wait for a settle it would
     * never see).
     */
    private boolean untouchedFor(Duration settle, Instant now) {
        try {
            return !Files.getLastModifiedTime(file).toInstant().isAfter(now.minus(settle));
        } catch (IOException e) {
            return false;
        }
    }

    /** At start only: the copy of the last budget that was good here, in force until budget.yaml is. */
    private boolean loadLastGood() {
        try {
            byte[] bytes = Files.readAllBytes(lastGood);
            current = BudgetConfigParser.parse(utf8(bytes), lastGood.toString(), defaultZone);
            source = Source.LAST_GOOD;
            digest = digestOf(bytes);
            return true;
        } catch (NoSuchFileException e) {
            return false; // nothing was ever good here
        } catch (IOException | ConfigException e) {
            copyProblem = "the last good copy " + lastGood + " cannot be used: " + e.getMessage();
            return false;
        }
    }

    private void keepAsLastGood(String text) {
        try {
            if (Files.exists(lastGood) && Files.readString(lastGood, StandardCharsets.UTF_8).equals(text)) {
                return;
            }
            AtomicFiles.write(lastGood, text);
            copyProblem = null;
        } catch (IOException e) {
            copyProblem = "could not save the last good copy " + lastGood + ": " + e.getMessage();
        }
    }

    private String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ":1: the file is not UTF-8 text");
        }
    }

    /** Size, time and identity before and after reading; a file that moved under the read counts as changing. */
    private Look look() {
        String before = stampOf();
        try {
            byte[] bytes = Files.readAllBytes(file);
            String after = stampOf();
            return new Look(before.equals(after) ? after : "moving:" + after, bytes, null);
        } catch (NoSuchFileException e) {
            return new Look(stampOf(), null, null);
        } catch (IOException e) {
            // Unreadable is not "no budget": it is refused, and looked at again.
            return new Look("unreadable", null, String.valueOf(e.getMessage()));
        }
    }

    private String stampOf() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + "@" + a.lastModifiedTime().toMillis() + "#" + a.fileKey();
        } catch (IOException e) {
            return "absent";
        }
    }

    private static String digestOf(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
