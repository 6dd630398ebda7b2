package dev.plutus.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Reads a {@code /v1/usage} body into a tree with every limit applied while the bytes are read, not
 * after a whole tree is built: at most {@link UsageEventParser#MAX_EVENTS} events (counting stops
 * the reading), {@link #MAX_MEMBERS} members per event, numbers of at most {@link #MAX_NUMBER_CHARS}
 * characters and an exponent that keeps them within that many digits, strings of at most
 * {@link #MAX_STRING_CHARS}, field names of at most {@link #MAX_NAME_CHARS}, and nothing nested
 * deeper than {@link #MAX_DEPTH}. An event member holding an object or array (never valid) is read
 * past and kept as an empty one of its kind, so the event rules still name it. So a 1 MiB body costs
 * a bounded tree, whatever its shape. Problems are said in plain words with the event and field
 * where the reading stopped; scalars become the same nodes {@code Json.EXACT} would make.
 */
final class UsageBodyReader {
    static final int MAX_MEMBERS = 32;
    static final int MAX_NUMBER_CHARS = 40;
    static final int MAX_STRING_CHARS = 1000;
    static final int MAX_NAME_CHARS = 100;
    static final int MAX_DEPTH = 16;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_CHARS)
                            .maxStringLength(MAX_STRING_CHARS)
                            .maxNameLength(MAX_NAME_CHARS)
                            .build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private UsageBodyReader() {}

    /** Where the reading is, for messages: the event (null outside one) and the member (null between members). */
    private static final class Place {
        boolean batch;
        Integer event;
        String field;

        String eventLabel() {
            return event == null ? "body" : batch ? "event " + event : "event";
        }

        String label() {
            return event == null || field == null ? eventLabel() : eventLabel() + ": field '" + field + "'";
        }
    }

    static JsonNode read(byte[] body) throws UsageRejected {
        Place at = new Place();
        JsonParser p;
        try {
            p = JSON.createParser(body);
        } catch (IOException e) {
            throw new UsageRejected("unreadable body");
        }
        try (p) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            JsonNode root;
            if (first == JsonToken.START_OBJECT) {
                at.event = 0;
                root = event(p, at);
            } else if (first == JsonToken.START_ARRAY) {
                at.batch = true;
                root = events(p, at);
            } else {
                root = scalar(p, at);
            }
            at.event = null;
            at.field = null;
            if (p.nextToken() != null) {
                throw new UsageRejected("malformed JSON: more text after the end of the JSON value (line "
                        + p.currentTokenLocation().getLineNr() + ", column " + p.currentTokenLocation().getColumnNr() + ")");
            }
            return root;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            // The parser reads a member's value together with its name: the name it was on is the one to blame.
            String name = at.event == null ? null : p.getParsingContext().getCurrentName();
            at.field = name != null ? name : at.field;
            throw new UsageRejected(JsonProblem.describe(e, at.label()), at.event, at.field);
        } catch (JsonProcessingException e) {
            // Not JSON at all: a problem with the body as a whole, whichever event it was in.
            throw new UsageRejected(JsonProblem.describe(e, "body"));
        } catch (IOException e) {
            throw new UsageRejected("unreadable body: " + e.getClass().getSimpleName());
        }
    }

    private static ArrayNode events(JsonParser p, Place at) throws IOException, UsageRejected {
        ArrayNode out = JSON.createArrayNode();
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null, "end of input in an array");
            }
            if (n == UsageEventParser.MAX_EVENTS) {
                // Counted without keeping anything, so the answer can say how many were sent.
                int total = n;
                for (; t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
                    p.skipChildren();
                    total++;
                }
                throw new UsageRejected("batch of " + total + " events: at most " + UsageEventParser.MAX_EVENTS + " per request");
            }
            at.event = n;
            if (t != JsonToken.START_OBJECT) {
                throw new UsageRejected("event " + n + ": must be an object", n, null);
            }
            out.add(event(p, at));
            n++;
        }
        return out;
    }

    private static ObjectNode event(JsonParser p, Place at) throws IOException, UsageRejected {
        ObjectNode e = JSON.createObjectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            at.field = name;
            if (e.has(name)) {
                throw new UsageRejected(at.label() + " appears twice", at.event, name);
            }
            if (e.size() == MAX_MEMBERS) {
                throw new UsageRejected(at.eventLabel() + ": more than " + MAX_MEMBERS + " fields",
                        at.event, null);
            }
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                p.skipChildren();
                e.set(name, v == JsonToken.START_OBJECT ? JSON.createObjectNode() : JSON.createArrayNode());
            } else {
                e.set(name, scalar(p, at));
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null, "end of input in an object");
        }
        at.field = null;
        return e;
    }

    private static JsonNode scalar(JsonParser p, Place at) throws IOException, UsageRejected {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            // Short as written, 1e400 is still 401 digits once spelt out: the magnitude is held to the length limit too.
            BigDecimal d = new BigDecimal(p.getText());
            if (Math.abs((long) d.scale()) > MAX_NUMBER_CHARS || (long) d.precision() - d.scale() > MAX_NUMBER_CHARS) {
                throw new UsageRejected(at.label() + " is out of range (" + p.getText() + "): numbers have at most "
                        + MAX_NUMBER_CHARS + " digits before or after the point", at.event, at.field);
            }
        }
        return JSON.readTree(p);
    }
}
