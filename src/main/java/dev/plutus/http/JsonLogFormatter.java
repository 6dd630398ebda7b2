package dev.plutus.http;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** One JSON object per log line (ts, level, logger, thread, msg, error), for the daemon's plutus.log. */
public final class JsonLogFormatter extends Formatter {
    private static final ObjectMapper JSON = Json.MAPPER;

    @Override
    public String format(LogRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ts", r.getInstant().toString()).put("level", r.getLevel().getName())
                .put("logger", r.getLoggerName()).put("thread", r.getLongThreadID()).put("msg", formatMessage(r));
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            o.put("error", trace.toString());
        }
        return o.toString() + System.lineSeparator();
    }
}
