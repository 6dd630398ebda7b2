package dev.plutus.budget;

/** Pause this cron job through Hermes's own cron API; sent once per job, window and period. */
public record CronPauseRequest(String jobId, String reason) {
}
