package dev.plutus.store;

import java.util.Optional;

/**
 * How a host names the sessions its scheduler starts, so their spend counts toward the job's
 * budget: the job id a session id carries, when it carries one. The host's package supplies it.
 */
@FunctionalInterface
public interface CronSessionIds {
    /** The cron job a session of this platform belongs to, if its id says so. */
    Optional<String> jobOf(String sessionId, String platform);

    /** A host with no scheduler: no session belongs to a cron job. */
    CronSessionIds NONE = (sessionId, platform) -> Optional.empty();
}
