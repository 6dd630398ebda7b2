package dev.plutus.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One line of a spool file: its 1-based number, its bytes, and its text when the bytes are valid
 * UTF-8 ({@code null} when not). Lines are decoded one at a time, so a few bad bytes cost only the
 * line that holds them.
 */
record SpoolLine(int number, byte[] bytes, String text) {

    /** Splits on LF (a CR before it is dropped) and decodes each line strictly. */
    static List<SpoolLine> split(byte[] content) {
        List<SpoolLine> out = new ArrayList<>();
        int start = 0;
        int number = 1;
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            int stop = end > start && content[end - 1] == '\r' ? end - 1 : end;
            byte[] bytes = Arrays.copyOfRange(content, start, stop);
            out.add(new SpoolLine(number++, bytes, decode(bytes)));
            start = end + 1;
        }
        return out;
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
