package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HermesCallIdsTest {
    @Test
    void hermesIdsAreKeptAndOthersQualifiedBySessionWithoutMeetingEachOther() {
        String hermes = "20261124_101500_a1b2c3:20261124_101500_a1b2c3:5e0c9a17:api:1";
        assertEquals("api:" + hermes, HermesCallIds.callKey("20261124_101500_a1b2c3", hermes));
        assertEquals("api@1:A:req-1", HermesCallIds.callKey("A", "req-1"));
        assertNotEquals(HermesCallIds.callKey("A", "req-1"), HermesCallIds.callKey("B", "req-1"));
        // Begins with the session's characters but not with the session and ':'.
        assertEquals("api@1:A:AB:api:1", HermesCallIds.callKey("A", "AB:api:1"));
        assertEquals("api@1:A:A", HermesCallIds.callKey("A", "A"));
        // A ':' in a session cannot make two pairs one key.
        assertNotEquals(HermesCallIds.callKey("a:b", "c"), HermesCallIds.callKey("a", "b:c"));
        // No session: the id as it is (a report always names one; a request without is still held).
        assertEquals("api:req-1", HermesCallIds.callKey(null, "req-1"));
        assertEquals("api:req-1", HermesCallIds.callKey(" ", "req-1"));
        assertNull(HermesCallIds.callKey("A", null));
        assertNull(HermesCallIds.callKey("A", "  "), "a blank id is no id: such reports are not all one call");
    }
}
