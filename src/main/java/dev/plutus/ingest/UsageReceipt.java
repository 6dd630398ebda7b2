package dev.plutus.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /v1/usage} answers when it took the request, on the wire: one event's outcome
 * for a single event, or {@code results} for a batch; then the month's quota, the budget verdict,
 * and notes. Members that do not apply are left out; those a sender always reads are null instead.
 */
public sealed interface UsageReceipt {

    /**
     * One event: recorded (its id and cost), or refused (why). {@code provisional} is true (and
     * present) only when the cost is a stand-in for a model with no known price; it is re-priced
     * once a price is known. {@code price_flag} (present only then) says why a price Plutus found is
     * not the exact bill, in the words /stats uses: the maker's price stood in for the host's, or a
     * price or a token class was estimated; the stored call carries the same mark.
     */
    @JsonPropertyOrder({"recorded", "event_id", "cost_usd", "estimated", "priced", "provisional", "price_flag", "over_free_limit",
            "workspace", "reason", "duplicate"})
    record EventResult(boolean recorded, @JsonProperty("event_id") @JsonInclude(Include.ALWAYS) String eventId,
            @JsonProperty("cost_usd") @JsonInclude(Include.ALWAYS) BigDecimal costUsd,
            @JsonInclude(Include.NON_NULL) Boolean estimated, @JsonInclude(Include.NON_NULL) Boolean priced,
            @JsonInclude(Include.NON_NULL) Boolean provisional,
            @JsonProperty("price_flag") @JsonInclude(Include.NON_NULL) String priceFlag,
            @JsonProperty("over_free_limit") boolean overFreeLimit, @JsonInclude(Include.NON_NULL) String workspace,
            @JsonInclude(Include.NON_NULL) String reason, @JsonInclude(Include.NON_NULL) Boolean duplicate) {

        static EventResult refused(String reason) {
            return new EventResult(false, null, null, null, null, null, null, true, null, reason, null);
        }
    }

    /** The month's tracked tokens against the tier's cap, and a prepaid balance when there is one. */
    record Quota(@JsonProperty("balance_after") @JsonInclude(Include.ALWAYS) BigDecimal balanceAfter,
            @JsonProperty("over_free_limit") boolean overFreeLimit, @JsonProperty("tracked_tokens_mtd") long trackedTokensMtd,
            @JsonProperty("tracked_limit") @JsonInclude(Include.ALWAYS) Long trackedLimit, String tier) {}

    /**
     * The worst budget verdict over the providers and models of the request (the global scope among
     * them); the verdicts of the sessions the events named are in {@code sessions}.
     */
    record Budget(String level, @JsonInclude(Include.NON_NULL) String message) {}

    /** Set when nothing was recorded because the free tier's cap blocks. */
    record Refusal(String error, @JsonProperty("upgrade_url") String upgradeUrl) {}

    /** A single event: its outcome's members at the top level (its {@code over_free_limit} is the month's). */
    record Single(@JsonProperty("org_id") String orgId, boolean recorded, @JsonProperty("event_id") @JsonInclude(Include.ALWAYS) String eventId,
            @JsonProperty("cost_usd") @JsonInclude(Include.ALWAYS) BigDecimal costUsd,
            @JsonInclude(Include.NON_NULL) Boolean estimated, @JsonInclude(Include.NON_NULL) Boolean priced,
            @JsonInclude(Include.NON_NULL) Boolean provisional,
            @JsonProperty("price_flag") @JsonInclude(Include.NON_NULL) String priceFlag,
            @JsonInclude(Include.NON_NULL) String workspace, @JsonInclude(Include.NON_NULL) String reason,
            @JsonInclude(Include.NON_NULL) Boolean duplicate, @JsonUnwrapped Quota quota,
            @JsonUnwrapped @JsonInclude(Include.NON_NULL) Refusal refusal, Budget budget,
            @JsonInclude(Include.NON_EMPTY) Map<String, Budget> sessions,
            @JsonInclude(Include.NON_EMPTY) List<String> warnings) implements UsageReceipt {

        static Single of(String orgId, EventResult e, Quota quota, Refusal refusal, Budget budget, Map<String, Budget> sessions,
                List<String> warnings) {
            return new Single(orgId, e.recorded(), e.eventId(), e.costUsd(), e.estimated(), e.priced(), e.provisional(), e.priceFlag(),
                    e.workspace(), e.reason(), e.duplicate(), quota, refusal, budget, sessions, warnings);
        }
    }

    /**
     * A batch: each event's outcome, how many were recorded and blocked, and, when any event's cost is
     * a stand-in, how many ({@code provisional_calls}) and how much of the batch's cost that is
     * ({@code provisional_usd}); both absent otherwise.
     */
    record Batch(@JsonProperty("org_id") String orgId, List<EventResult> results, long recorded, long blocked,
            @JsonProperty("provisional_calls") @JsonInclude(Include.NON_NULL) Long provisionalCalls,
            @JsonProperty("provisional_usd") @JsonInclude(Include.NON_NULL) BigDecimal provisionalUsd,
            @JsonUnwrapped Quota quota, @JsonUnwrapped @JsonInclude(Include.NON_NULL) Refusal refusal, Budget budget,
            @JsonInclude(Include.NON_EMPTY) Map<String, Budget> sessions,
            @JsonInclude(Include.NON_EMPTY) List<String> warnings) implements UsageReceipt {

        /** The batch with its provisional totals summed from {@code results}. */
        static Batch of(String orgId, List<EventResult> results, long recorded, long blocked, Quota quota, Refusal refusal,
                Budget budget, Map<String, Budget> sessions, List<String> warnings) {
            List<EventResult> standIns = results.stream().filter(r -> Boolean.TRUE.equals(r.provisional())).toList();
            return new Batch(orgId, results, recorded, blocked, standIns.isEmpty() ? null : (long) standIns.size(),
                    standIns.isEmpty() ? null : standIns.stream().map(EventResult::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add),
                    quota, refusal, budget, sessions, warnings);
        }
    }
}
