package dev.plutus.hermes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.budget.CronPauseRequest;
import dev.plutus.core.Json;
import java.util.Optional;

/**
 * A hook's answer. {@link #toJson()} is what the hook returns to Hermes: {@code {}},
 * {@code {"context": …}} or {@code {"action": "block", "message": …}}. Two keys are for the bridge
 * only, which carries them out and strips them: {@code pause_cron_job} (pause through Hermes's cron
 * API) and {@code stop_session} (end a session before more model calls where Hermes allows it).
 */
public record HookReply(HookAction action, Optional<CronPauseRequest> pause, Optional<String> stopSession) {
    public static final HookReply NOTHING = new HookReply(HookAction.NONE, Optional.empty(), Optional.empty());

    /** The answer as it goes over the wire. */
    public HookAnswer answer() {
        String context = action instanceof HookAction.InjectContext c ? c.text() : null;
        String message = action instanceof HookAction.BlockTool b ? b.message() : null;
        return new HookAnswer(context, message == null ? null : "block", message,
                pause.map(p -> new HookAnswer.CronPause(p.jobId(), p.reason())).orElse(null),
                stopSession.map(HookAnswer.StopSession::new).orElse(null));
    }

    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(answer());
    }
}
