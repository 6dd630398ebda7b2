package dev.plutus.hermes;

import dev.plutus.store.CronSessionIds;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hermes's cron sessions: platform {@code cron}, id {@code cron_<job_id>_<YYYYMMDD>_<HHMMSS>}. */
public final class HermesSessionIds implements CronSessionIds {
    /** The job id may itself contain underscores; the date and time at the end are fixed-width. */
    private static final Pattern CRON_SESSION = Pattern.compile("^cron_(.+)_(\\d{8})_(\\d{6})$");

    @Override
    public Optional<String> jobOf(String sessionId, String platform) {
        if (sessionId == null || !"cron".equals(platform)) {
            return Optional.empty();
        }
        Matcher m = CRON_SESSION.matcher(sessionId);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
