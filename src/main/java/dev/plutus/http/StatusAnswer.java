package dev.plutus.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.plutus.budget.BudgetFile;
import dev.plutus.remote.RemoteLink;
import java.util.Locale;
import java.util.Map;

/** {@code GET /status} on the wire: what {@code plutus status} and monitoring read. */
record StatusAnswer(String version, long pid, String url, @JsonProperty("started_at") String startedAt,
        @JsonProperty("uptime_seconds") long uptimeSeconds, Map<String, Long> requests, long unauthorized,
        @JsonProperty("malformed_bodies") long malformedBodies, @JsonProperty("hook_events") Map<String, Long> hookEvents,
        @JsonProperty("hook_latency_us") Latency hookLatencyUs, Spool spool,
        @JsonInclude(JsonInclude.Include.NON_NULL) Remote remote, @JsonInclude(JsonInclude.Include.NON_NULL) Budget budget) {

    record Latency(long count, @JsonProperty("p50_at_most") long p50AtMost, @JsonProperty("p99_at_most") long p99AtMost) {}

    record Spool(long replayed, @JsonProperty("set_aside") long setAside) {}

    /** Remote mode only: the outbox to the central Plutus and its last verdict. */
    record Remote(String url, String workspace, long pending, long rejected, @JsonProperty("oldest_pending") String oldestPending,
            @JsonProperty("last_error") String lastError, String verdict, @JsonProperty("verdict_at") String verdictAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("next_try") String nextTry) {

        static Remote of(RemoteLink r) {
            var c = r.counts();
            return new Remote(r.settings().url().toString(), r.settings().workspace(), c.pending(), c.rejected(),
                    c.oldest() == null ? null : c.oldest().toString(), c.lastError(), r.verdict().level().label(),
                    r.verdict().at() == null ? null : r.verdict().at().toString(), r.nextTry().map(Object::toString).orElse(null));
        }
    }

    /**
     * The budget in force and budget.yaml on disk: {@code in_force} is {@code file}, {@code last_good}
     * or {@code none}; {@code state} is {@code loaded}, {@code settling} or {@code refused}, with the reason;
     * {@code loosening_at} when the file on disk loosens the budget and waits to go into force then.
     */
    record Budget(String file, @JsonProperty("in_force") String inForce, String digest, @JsonProperty("any_limit") boolean anyLimit,
            String state, @JsonInclude(JsonInclude.Include.NON_NULL) String error,
            @JsonProperty("loosening_at") @JsonInclude(JsonInclude.Include.NON_NULL) String looseningAt,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) java.util.List<String> loosening) {

        static Budget of(BudgetFile.Standing s) {
            return new Budget(s.file().toString(), s.source().name().toLowerCase(Locale.ROOT), s.digest(), s.anyLimit(), s.fileState(),
                    s.refusal().orElse(null), s.looseningAt().map(Object::toString).orElse(null), s.loosening());
        }
    }

    StatusAnswer withRemote(Remote r) {
        return new StatusAnswer(version, pid, url, startedAt, uptimeSeconds, requests, unauthorized, malformedBodies, hookEvents,
                hookLatencyUs, spool, r, budget);
    }

    StatusAnswer withBudget(Budget b) {
        return new StatusAnswer(version, pid, url, startedAt, uptimeSeconds, requests, unauthorized, malformedBodies, hookEvents,
                hookLatencyUs, spool, remote, b);
    }
}
