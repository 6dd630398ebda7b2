package dev.plutus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.Json;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The /v1/usage answer's wire shape: which members a sender always finds (null if need be), and which only when they apply. */
class UsageReceiptTest {
    private static final UsageReceipt.Quota FREE = new UsageReceipt.Quota(null, false, 1200, 1_000_000L, "free");
    private static final UsageReceipt.Budget OK = new UsageReceipt.Budget("ok", null);

    @Test
    void aRecordedSingleEventIsFlatWithTheMonthsQuota() {
        var e = new UsageReceipt.EventResult(true, "evt_1", new BigDecimal("0.015600"), false, true, null, null, false, "default", null, null);
        JsonNode j = Json.EXACT.valueToTree(UsageReceipt.Single.of("org", e, FREE, null, OK, java.util.Map.of(), List.of()));
        assertEquals("{\"org_id\":\"org\",\"recorded\":true,\"event_id\":\"evt_1\",\"cost_usd\":0.015600,\"estimated\":false,"
                + "\"priced\":true,\"workspace\":\"default\",\"balance_after\":null,\"over_free_limit\":false,"
                + "\"tracked_tokens_mtd\":1200,\"tracked_limit\":1000000,\"tier\":\"free\",\"budget\":{\"level\":\"ok\"}}", j.toString());
    }

    @Test
    void aRefusedEventKeepsNullIdAndCostAndSaysWhyAndTheRefusalIsNamed() {
        var refused = UsageReceipt.EventResult.refused("over the free tier's 1000 tracked tokens this month");
        var hard = new UsageReceipt.Budget("hard", "over budget");
        JsonNode j = Json.EXACT.valueToTree(UsageReceipt.Batch.of("org", List.of(refused), 0, 1,
                new UsageReceipt.Quota(new BigDecimal("8.80"), true, 1500, null, "pro"),
                new UsageReceipt.Refusal("cap reached", "https://example.invalid/up"), hard, java.util.Map.of(), List.of("workspace 'x' not created")));
        assertEquals("{\"org_id\":\"org\",\"results\":[{\"recorded\":false,\"event_id\":null,\"cost_usd\":null,"
                + "\"over_free_limit\":true,\"reason\":\"over the free tier's 1000 tracked tokens this month\"}],\"recorded\":0,"
                + "\"blocked\":1,\"balance_after\":8.80,\"over_free_limit\":true,\"tracked_tokens_mtd\":1500,\"tracked_limit\":null,"
                + "\"tier\":\"pro\",\"error\":\"cap reached\",\"upgrade_url\":\"https://example.invalid/up\","
                + "\"budget\":{\"level\":\"hard\",\"message\":\"over budget\"},\"warnings\":[\"workspace 'x' not created\"]}", j.toString());
    }
    @Test
    void aCostAtAStandInPriceIsMarkedProvisionalAndTheBatchTotalsIt() {
        var standIn = new UsageReceipt.EventResult(true, "evt_1", new BigDecimal("75.000000"), true, false, true, null, false, "default", null,
                null);
        var priced = new UsageReceipt.EventResult(true, "evt_2", new BigDecimal("0.015600"), true, true, null, null, false, "default", null,
                null);
        var another = new UsageReceipt.EventResult(true, "evt_3", new BigDecimal("0.500000"), true, false, true, null, false, "default", null,
                null);
        JsonNode single = Json.EXACT.valueToTree(UsageReceipt.Single.of("org", standIn, FREE, null, OK, java.util.Map.of(), List.of()));
        assertEquals("{\"org_id\":\"org\",\"recorded\":true,\"event_id\":\"evt_1\",\"cost_usd\":75.000000,\"estimated\":true,"
                + "\"priced\":false,\"provisional\":true,\"workspace\":\"default\",\"balance_after\":null,\"over_free_limit\":false,"
                + "\"tracked_tokens_mtd\":1200,\"tracked_limit\":1000000,\"tier\":\"free\",\"budget\":{\"level\":\"ok\"}}", single.toString());
        JsonNode batch = Json.EXACT.valueToTree(UsageReceipt.Batch.of("org", List.of(standIn, priced, another), 3, 0, FREE, null, OK,
                java.util.Map.of(), List.of()));
        assertEquals("{\"recorded\":true,\"event_id\":\"evt_2\",\"cost_usd\":0.015600,\"estimated\":true,\"priced\":true,"
                + "\"over_free_limit\":false,\"workspace\":\"default\"}", batch.path("results").get(1).toString());
        assertEquals(2, batch.path("provisional_calls").asLong());
        assertEquals(new BigDecimal("75.500000"), batch.path("provisional_usd").decimalValue());
        JsonNode none = Json.EXACT.valueToTree(UsageReceipt.Batch.of("org", List.of(priced), 1, 0, FREE, null, OK, java.util.Map.of(), List.of()));
        List<String> members = new java.util.ArrayList<>();
        none.fieldNames().forEachRemaining(members::add);
        assertEquals(List.of("org_id", "results", "recorded", "blocked", "balance_after", "over_free_limit", "tracked_tokens_mtd",
                "tracked_limit", "tier", "budget"), members, "no provisional totals when nothing is provisional");
    }

    @Test
    void aFlaggedPriceSaysWhyBesideTheCostAndAnExactOneSaysNothing() {
        var flagged = new UsageReceipt.EventResult(true, "evt_1", new BigDecimal("0.007500"), true, true, null,
                "price from maker: the host it went through has no price of its own", false, "default", null, null);
        JsonNode single = Json.EXACT.valueToTree(UsageReceipt.Single.of("org", flagged, FREE, null, OK, java.util.Map.of(), List.of()));
        assertEquals("{\"org_id\":\"org\",\"recorded\":true,\"event_id\":\"evt_1\",\"cost_usd\":0.007500,\"estimated\":true,"
                + "\"priced\":true,\"price_flag\":\"price from maker: the host it went through has no price of its own\","
                + "\"workspace\":\"default\",\"balance_after\":null,\"over_free_limit\":false,\"tracked_tokens_mtd\":1200,"
                + "\"tracked_limit\":1000000,\"tier\":\"free\",\"budget\":{\"level\":\"ok\"}}", single.toString());
        JsonNode batch = Json.EXACT.valueToTree(UsageReceipt.Batch.of("org", List.of(flagged), 1, 0, FREE, null, OK, java.util.Map.of(), List.of()));
        assertEquals(flagged.priceFlag(), batch.path("results").get(0).path("price_flag").asText());
    }
}
