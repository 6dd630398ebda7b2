package dev.plutus.ingest;

import dev.plutus.core.Json;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What an Idempotency-Key is bound to: the SHA-256 of the request body's canonical bytes (members
 * sorted by name, no whitespace, numbers as written), so a retry that re-serialises the same events
 * with other spacing or member order is the same request. A body that is not JSON is hashed as sent.
 */
final class RequestHash {
    private static final ObjectMapper JSON = Json.EXACT;

    private RequestHash() {}

    static String of(byte[] body) {
        return ApiKeys.sha256Hex(canonical(body));
    }

    static byte[] canonical(byte[] body) {
        try {
            // The same bounded reading as the events' own: a hostile body costs no big tree here either.
            JsonNode root = UsageBodyReader.read(body);
            if (root == null || root.isMissingNode()) {
                return body;
            }
            return JSON.writeValueAsBytes(sorted(root));
        } catch (UsageRejected | IOException e) {
            return body;
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode out = JSON.createObjectNode();
            for (String name : names) {
                out.set(name, sorted(n.get(name)));
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            n.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return n;
    }
}
