package dev.plutus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The limits hold while a /v1/usage body is read: a megabyte of tiny objects never becomes a tree of hundreds of thousands of nodes. */
class UsageBodyReaderTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static byte[] megabyteOf(String element) {
        StringBuilder sb = new StringBuilder("[");
        while (sb.length() < (1 << 20) - element.length() - 2) {
            sb.append(element).append(',');
        }
        sb.setLength(sb.length() - 1);
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long allocatedWhile(ThrowingRunnable r) throws Exception {
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        r.run();
        return THREADS.getThreadAllocatedBytes(tid) - before;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aMegabyteOfEmptyObjectsIsRefusedWithoutBuildingItsTree() throws Exception {
        byte[] body = megabyteOf("{}");
        UsageEventParser.parse("{\"provider\":\"x\"}".getBytes(StandardCharsets.UTF_8)); // classes loaded before measuring
        int count = (body.length - 1) / 3;
        long bytes = allocatedWhile(() -> {
            UsageRejected e = assertThrows(UsageRejected.class, () -> UsageEventParser.parse(body));
            assertEquals("batch of " + count + " events: at most 1000 per request", e.getMessage());
        });
        // A whole tree of some 350,000 ObjectNodes costs well over 30 MB; the thousand kept before the count runs out, a few hundred KB.
        assertTrue(bytes < 8L << 20, "allocated " + (bytes >> 10) + " KiB reading 1 MiB of {}");
        long hashed = allocatedWhile(() -> RequestHash.of(body));
        assertTrue(hashed < 8L << 20, "allocated " + (hashed >> 10) + " KiB hashing it for an Idempotency-Key");
    }

    @Test
    void eachEventKeepsAtMostItsMembersAndNestedValuesAreReadPastNotKept() throws Exception {
        StringBuilder wide = new StringBuilder("{\"provider\":\"x\"");
        for (int i = 0; i < 100_000; i++) {
            wide.append(",\"f").append(i).append("\":0");
        }
        byte[] body = wide.append('}').toString().getBytes(StandardCharsets.UTF_8);
        long bytes = allocatedWhile(() -> {
            UsageRejected e = assertThrows(UsageRejected.class, () -> UsageEventParser.parse(body));
            assertEquals("event: more than 32 fields", e.getMessage());
        });
        assertTrue(bytes < 2L << 20, "allocated " + (bytes >> 10) + " KiB");
        UsageRejected nested = assertThrows(UsageRejected.class,
                () -> UsageEventParser.parse("{\"provider\":\"x\",\"model\":[[1,2],[3]]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("event: field 'model' must be a string", nested.getMessage(), "the rules still name the field");
    }

    @Test
    void validBodiesReadAsBeforeDigitForDigit() throws Exception {
        String body = "[{\"provider\":\"openai\",\"cost_usd\":0.015600,\"input_tokens\":12},{\"provider\":\"anthropic\",\"cost_usd\":1e-6}]";
        UsageEventParser.Parsed p = UsageEventParser.parse(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, p.events().size());
        assertEquals("0.015600", p.events().get(0).costUsd().toPlainString());
        assertEquals(0, new java.math.BigDecimal("0.000001").compareTo(p.events().get(1).costUsd()));
        assertEquals(RequestHash.of("[{\"input_tokens\":12,\"provider\":\"openai\",\"cost_usd\":0.015600},{\"cost_usd\":1e-6,\"provider\":\"anthropic\"}]"
                .getBytes(StandardCharsets.UTF_8)), RequestHash.of(body.getBytes(StandardCharsets.UTF_8)), "member order does not change the hash");
    }
}
