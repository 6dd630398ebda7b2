package dev.plutus.hermes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A hook's answer on the wire: {@code {}}, {@code {"context": …}} or {@code {"action": "block",
 * "message": …}}, plus the bridge-only {@code pause_cron_job} and {@code stop_session}. Absent
 * members are left out, as Hermes reads any member present as an instruction.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HookAnswer(String context, String action, String message,
        @JsonProperty("pause_cron_job") CronPause pauseCronJob, @JsonProperty("stop_session") StopSession stopSession) {

    public record CronPause(@JsonProperty("job_id") String jobId, String reason) {}

    public record StopSession(String reason) {}
}
