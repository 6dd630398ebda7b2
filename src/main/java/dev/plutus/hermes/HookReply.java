package dev.plutus.hermes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.budget.CronPauseRequest;
import java.util.Optional;

/**
 * A hook's answer. {@link #toJson()} is what the hook returns to Hermes: {@code {}},
 * {@code {"context": …}} or {@code {"action": "block", "message": …}}. Two keys are for the bridge
 * only, which carries them out and strips them: {@code pause_cron_job} (pause through Hermes's cron
 * API) and {@code stop_session} (end a session before more model calls where Hermes allows it).
 */
public record HookReply(HookAction action, Optional<CronPauseRequest> pause, Optional<String> stopSession) {
    public static final HookReply NOTHING = new HookReply(HookAction.NONE, Optional.empty(), Optional.empty());

    public static HookReply of(HookAction action) {
        return new HookReply(action, Optional.empty(), Optional.empty());
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (action instanceof HookAction.InjectContext c) {
            o.put("context", c.text());
        } else if (action instanceof HookAction.BlockTool b) {
            o.put("action", "block").put("message", b.message());
        }
        pause.ifPresent(p -> o.putObject("pause_cron_job").put("job_id", p.jobId()).put("reason", p.reason()));
        stopSession.ifPresent(r -> o.putObject("stop_session").put("reason", r));
        return o;
    }
}
