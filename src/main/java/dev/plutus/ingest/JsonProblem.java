package dev.plutus.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with a body that is not acceptable JSON, in plain words for whoever sent it: where
 * (event and field when known, else line and column) and what (the body stops early, a character
 * that cannot be there, a number or string over the limit, nesting too deep), never the JSON
 * library's own text or class names. Jackson's exceptions carry the kind of problem only in their
 * message, so the limit problems are told apart by its opening words; a wording Jackson changes
 * falls back to the generic description, still plain.
 */
public final class JsonProblem {
    private static final Pattern CHARACTER = Pattern.compile("code (\\d+)\\)");
    private static final Pattern MAXIMUM = Pattern.compile("maximum allowed \\((\\d+)");
    private static final Pattern TOKEN = Pattern.compile("Unrecognized token '([^']{1,40})");
    private static final Pattern NON_NUMERIC = Pattern.compile("Non-standard token '([^']{1,20})'");

    private JsonProblem() {}

    /** The problem, prefixed with {@code where} (for example "event 3: field 'model'", or "body"). */
    public static String describe(JsonProcessingException e, String where) {
        String at = position(e.getLocation());
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            return where + ": " + limit(original) + at;
        }
        if (e instanceof JsonEOFException || original.startsWith("Unexpected end-of-input")) {
            return "malformed JSON: the body ends in the middle of a JSON value" + at;
        }
        Matcher nonNumeric = NON_NUMERIC.matcher(original);
        if (nonNumeric.find()) {
            return "malformed JSON: '" + dev.plutus.core.TerminalSafe.of(nonNumeric.group(1))
                    + "' is not a number JSON allows (no NaN or Infinity)" + at;
        }
        Matcher token = TOKEN.matcher(original);
        if (token.find()) {
            return "malformed JSON: '" + dev.plutus.core.TerminalSafe.of(token.group(1)) + "' is not a JSON value (text needs double quotes)" + at;
        }
        Matcher c = CHARACTER.matcher(original);
        if (c.find()) {
            return "malformed JSON: unexpected " + character(Integer.parseInt(c.group(1))) + at;
        }
        return "malformed JSON" + at;
    }

    private static String limit(String original) {
        Matcher m = MAXIMUM.matcher(original);
        String max = m.find() ? m.group(1) : null;
        if (original.startsWith("Number value length")) {
            return "a number longer than " + (max == null ? "allowed" : max + " characters");
        }
        if (original.startsWith("String value length")) {
            return "a string longer than " + (max == null ? "allowed" : max + " characters");
        }
        if (original.startsWith("Name length")) {
            return "a field name longer than " + (max == null ? "allowed" : max + " characters");
        }
        if (original.contains("nesting depth")) {
            return "objects or arrays nested deeper than " + (max == null ? "allowed" : max + " levels");
        }
        return "a value over the size limits";
    }

    private static String character(int code) {
        if (code == -1) {
            return "end of the body";
        }
        if (code >= 0x21 && code < 0x7f) {
            return "character '" + (char) code + "'";
        }
        return String.format("character U+%04X", code);
    }

    private static String position(JsonLocation l) {
        return l == null || l.getLineNr() < 1 ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }
}
