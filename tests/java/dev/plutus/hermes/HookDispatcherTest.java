package dev.plutus.hermes;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.LlmCall;
import dev.plutus.TestSupport;
import dev.plutus.TestSupport.HookEvent;
import dev.plutus.TestSupport.MutableClock;
import dev.plutus.core.InputRanges;
import dev.plutus.core.TokenUsage;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.command.SlashCommands;
import dev.plutus.store.SessionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Tag("store")
class HookDispatcherTest {
    private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");

    private static List<JsonNode> replay(TestEngine p, List<HookEvent> events) {
        return events.stream().map(e -> (JsonNode) p.hooks().dispatch(e.hook(), e.kwargs()).toJson()).toList();
    }

    @Test
    void cliSessionWithSubagentIsCapturedExactly(@TempDir Path home) throws Exception {
        List<HookEvent> seq = TestSupport.sequence("session-sequence.jsonl");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            List<JsonNode> replies = replay(p, seq);
            assertTrue(replies.stream().allMatch(r -> r.size() == 0), "no budget, so no hook has anything to say");

            PricingEngine pricing = p.pricing();
            long expected = 0;
            int withUsage = 0;
            for (HookEvent e : seq) {
                if (e.hook().equals("post_api_request") && !e.kwargs().get("usage").isNull()) {
                    JsonNode u = e.kwargs().get("usage");
                    expected += pricing.price(e.kwargs().get("provider").asText(), e.kwargs().get("model").asText(), null,
                            new TokenUsage(u.get("input_tokens").asLong(), u.get("output_tokens").asLong(),
                                    u.get("cache_read_tokens").asLong(), u.get("cache_write_tokens").asLong(), 0,
                                    u.get("reasoning_tokens").asLong())).micros();
                    withUsage++;
                }
            }
            List<LlmCall> calls = p.calls().recent(100);
            assertEquals(withUsage + 1, calls.size());
            LlmCall estimated = calls.stream().filter(LlmCall::estimated).findFirst().orElseThrow();
            assertEquals(5480, estimated.usage().input(), "input from the pre_api_request approximation");
            assertEquals((86 + 3) / 4, estimated.usage().output(), "output from the response length");
            long estimatedCost = estimated.costMicros();
            assertEquals(expected + estimatedCost, calls.stream().mapToLong(LlmCall::costMicros).sum());

            SessionRecord child = p.sessions().find("20261124_101508_9f3e21").orElseThrow();
            assertEquals("20261124_101500_a1b2c3", child.parentSessionId());
            assertEquals("20261124_101500_a1b2c3", child.rootSessionId());
            assertEquals("ok", p.sessions().find("20261124_101500_a1b2c3").orElseThrow().status());

            // The conversation's session budget includes its subagent's spend.
            long rootSpend = p.ledger().spend(ScopeRef.of(ScopeKind.SESSION, "20261124_101500_a1b2c3"), Window.DAILY, NOON).spentMicros();
            assertEquals(expected + estimatedCost, rootSpend);

            String stats = p.commands().run("stats", "").text();
            assertTrue(stats.contains("API calls    : 6 (1 estimated)"), stats);
            assertTrue(stats.contains("Tool calls   : 3"), stats);
            assertTrue(stats.contains("$0.0" ), stats);
            String models = p.commands().run("stats", "models").text();
            assertTrue(models.contains("claude-sonnet-4-6") && models.contains("deepseek-v4-flash"), models);
        }
    }

    @Test
    void replayedEventsAreRecordedOnce(@TempDir Path home) throws Exception {
        JsonNode post = TestSupport.hermesJson("post_api_request-anthropic-cache.json");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            p.hooks().dispatch("post_api_request", post);
            p.hooks().dispatch("post_api_request", post);
            assertEquals(1, p.calls().count());
            assertEquals(14_076, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
        }
    }

    @Test
    void cronJobOverBudgetIsBlockedAndPausedOnce(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  per_cron_job:\n    default:\n      daily_usd: 0.002\n");
        List<HookEvent> seq = TestSupport.sequence("session-sequence-cron.jsonl");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            List<JsonNode> replies = replay(p, seq);
            assertEquals("d200f53be09d", p.sessions().find("cron_d200f53be09d_20261124_030000").orElseThrow().cronJobId());
            int toolIdx = indexOf(seq, "pre_tool_call");
            JsonNode block = replies.get(toolIdx);
            assertEquals("block", block.path("action").asText(), block.toString());
            assertTrue(block.get("message").asText().contains("cron_job d200f53be09d daily spend"), block.toString());
            assertEquals("d200f53be09d", block.path("pause_cron_job").path("job_id").asText());
            long pauses = replies.stream().filter(r -> r.has("pause_cron_job")).count();
            assertEquals(1, pauses, "paused once per window");

            // A new run of the same job starting in breach is stopped before its first model call.
            ObjectNode start = (ObjectNode) TestSupport.hermesJson("on_session_start-cron.json");
            start.put("session_id", "cron_d200f53be09d_20261124_040000");
            JsonNode r = p.hooks().dispatch("on_session_start", start).toJson();
            assertTrue(r.has("stop_session"), r.toString());
            assertFalse(r.has("pause_cron_job"), "already paused in this period");
            ObjectNode pre = (ObjectNode) TestSupport.hermesJson("pre_llm_call.json");
            pre.put("session_id", "cron_d200f53be09d_20261124_040000").put("platform", "cron");
            assertEquals("[Plutus]", p.hooks().dispatch("pre_llm_call", pre).toJson().path("context").asText().substring(0, 8));
        }
    }

    /**
     * A journaled pre_api_request only renews its call's hold: a cron job over its budget then is not paused there
     * (nobody would carry the pause out, and it is handed out once per period), but by the next hook that answers.
     */
    @Test
    void aJournaledPreApiRequestRenewsItsHoldAndLeavesTheCronPauseToTheNextAnswer(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  per_cron_job:\n    default:\n      daily_usd: 0.002\n");
        String session = "cron_d200f53be09d_20261124_030000";
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            ObjectNode start = (ObjectNode) TestSupport.hermesJson("on_session_start-cron.json");
            p.hooks().dispatch("on_session_start", start.put("session_id", session));
            ObjectNode call = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
            call.put("session_id", session).put("platform", "cron").put("api_request_id", session + ":t:api:1")
                    .put("ended_at", NOON.getEpochSecond());
            p.hooks().dispatch("post_api_request", call);   // the job is over its $0.002 now
            ObjectNode pre = (ObjectNode) TestSupport.hermesJson("pre_api_request.json");
            pre.put("session_id", session).put("platform", "cron").put("api_request_id", session + ":t:api:2");

            List<HookDispatcher.ReplayOutcome> done = p.hooks().journaledAll(List.of(new HookDispatcher.Journaled("pre_api_request", pre)));

            assertEquals(List.of(HookDispatcher.ReplayOutcome.DONE), done);
            JsonNode next = p.hooks().dispatch("llm_request", pre).toJson();
            assertEquals("d200f53be09d", next.path("pause_cron_job").path("job_id").asText(), "the pause is still to hand out: " + next);
        }
    }

    @Test
    void theMiddlewareAsksForTheVerdictOfTheCallItIsAboutToLetOut(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.002\non_estimated: enforce\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            ObjectNode ask = (ObjectNode) TestSupport.hermesJson("pre_api_request.json");
            ask.put("api_request_id", ask.get("api_request_id").asText() + "-mw").put("approx_input_tokens", 10).put("max_tokens", 16);
            assertEquals(0, p.hooks().dispatch("llm_request", ask).toJson().size(), "under budget: the call goes out");
            p.hooks().dispatch("post_api_request", TestSupport.hermesJson("post_api_request-anthropic-cache.json"));
            ask.put("api_request_id", ask.get("api_request_id").asText() + "2");
            JsonNode verdict = p.hooks().dispatch("llm_request", ask).toJson();
            assertEquals("block", verdict.path("action").asText(), verdict.toString());
            // Spend printed with its limit's precision, never "$0.01 of $0.002".
            assertTrue(verdict.path("message").asText().contains("global daily spend is $0.014 "), verdict.toString());
            assertEquals(1, p.calls().count(), "asking records nothing");
        }
    }

    @Test
    void aCallNamingNoSessionIsStillJudgedByTheGlobalCap(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.002\non_estimated: enforce\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            p.hooks().dispatch("post_api_request", TestSupport.hermesJson("post_api_request-anthropic-cache.json"));
            int n = 0;
            for (String event : List.of("llm_request", "pre_api_request")) {
                for (String session : java.util.Arrays.asList(null, "", "   ", "<missing>")) {
                    for (boolean withRequestId : List.of(true, false)) {
                        ObjectNode ask = (ObjectNode) TestSupport.hermesJson("pre_api_request.json");
                        if (session == null) {
                            ask.putNull("session_id");
                        } else if (session.equals("<missing>")) {
                            ask.remove("session_id");
                        } else {
                            ask.put("session_id", session);
                        }
                        if (withRequestId) {
                            ask.put("api_request_id", "no-session-" + n++);   // a reservation keyed by it
                        } else {
                            ask.remove("api_request_id");
                        }
                        JsonNode verdict = p.hooks().dispatch(event, ask).toJson();
                        assertEquals("block", verdict.path("action").asText(),
                                event + " session=" + session + " id=" + withRequestId + ": " + verdict);
                        assertTrue(verdict.path("message").asText().contains("global daily spend"), verdict.toString());
                    }
                }
            }
            assertEquals(0, p.hooks().counters().get("malformed"), "a call naming no session is not malformed");
        }
    }

    @Test
    void auxiliaryCallsAreRecordedPricedBudgetedAndShownApart(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.01\non_estimated: enforce\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            ObjectNode aux = dev.plutus.core.Json.MAPPER.createObjectNode().put("aux_task", "compression")
                    .put("session_id", "20261124_101500_a1b2c3").put("api_request_id", "aux-7f3a").put("provider", "anthropic")
                    .put("model", "claude-sonnet-4-6").put("api_mode", "anthropic_messages").put("api_duration", 2.5)
                    .put("streaming", false);
            aux.putObject("usage").put("input_tokens", 3000).put("output_tokens", 500);
            p.hooks().dispatch("pre_auxiliary_call", aux);
            p.hooks().dispatch("post_auxiliary_call", aux);
            p.hooks().dispatch("post_auxiliary_call", aux);   // the same attempt again: counted once
            ObjectNode failed = aux.deepCopy().put("api_request_id", "aux-7f3b").put("error_type", "rate_limit");
            failed.putNull("usage");
            p.hooks().dispatch("post_auxiliary_call", failed);
            ObjectNode title = aux.deepCopy().put("aux_task", "title_generation").put("api_request_id", "aux-8");
            title.putObject("usage").put("input_tokens", 200).put("output_tokens", 10);
            p.hooks().dispatch("post_auxiliary_call", title);

            long compression = p.pricing().price("anthropic", "claude-sonnet-4-6", null, TokenUsage.of(3000, 500)).micros();
            long titles = p.pricing().price("anthropic", "claude-sonnet-4-6", null, TokenUsage.of(200, 10)).micros();
            assertEquals(2, p.calls().count());
            assertEquals(compression + titles, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
            JsonNode tool = p.hooks().dispatch("pre_tool_call", TestSupport.hermesJson("pre_tool_call.json")).toJson();
            assertEquals("block", tool.path("action").asText(), "auxiliary spend counts against the budget: " + tool);

            dev.plutus.report.Rendered stats = p.commands().run("stats", "");
            assertTrue(stats.text().contains("API calls    : 2"), stats.text());
            assertTrue(stats.text().contains("  auxiliary  : 2 (" + dev.plutus.core.Money.display(compression + titles) + "): compression 1 "
                    + dev.plutus.core.Money.display(compression) + ", title_generation 1"), stats.text());
            assertEquals("compression", stats.json().path("auxiliary").get(0).path("task").asText(), stats.json().toString());
        }
    }

    @Test
    void aGlobalNoticeReachedInASubagentWaitsForTheRootSession(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.016\non_estimated: enforce\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            String root = "20261124_101500_a1b2c3";
            String child = "20261124_101508_9f3e21";
            p.hooks().dispatch("subagent_start", TestSupport.hermesJson("subagent_start.json"));
            ObjectNode post = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
            post.put("session_id", child).put("platform", "subagent");
            p.hooks().dispatch("post_api_request", post);
            ObjectNode childTurn = (ObjectNode) TestSupport.hermesJson("pre_llm_call.json");
            childTurn.put("session_id", child).put("platform", "subagent");
            assertEquals(0, p.hooks().dispatch("pre_llm_call", childTurn).toJson().size(), "not spent on the subagent");
            ObjectNode rootTurn = (ObjectNode) TestSupport.hermesJson("pre_llm_call.json");
            rootTurn.put("session_id", root);
            JsonNode notice = p.hooks().dispatch("pre_llm_call", rootTurn).toJson();
            assertTrue(notice.path("context").asText().contains("Budget notice: global daily spend"), notice.toString());
        }
    }

    @Test
    void theRootSessionsNoticeReachedInASubagentWaitsForTheRoot(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  per_session:\n    default:\n      daily_usd: 0.016\non_estimated: enforce\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            String root = "20261124_101500_a1b2c3";
            String child = "20261124_101508_9f3e21";
            p.hooks().dispatch("subagent_start", TestSupport.hermesJson("subagent_start.json"));
            ObjectNode post = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
            post.put("session_id", child).put("platform", "subagent");
            p.hooks().dispatch("post_api_request", post);
            ObjectNode childTurn = (ObjectNode) TestSupport.hermesJson("pre_llm_call.json");
            childTurn.put("session_id", child).put("platform", "subagent");
            String toChild = p.hooks().dispatch("pre_llm_call", childTurn).toJson().path("context").asText();
            assertTrue(toChild.contains("session " + child), "its own session scope: " + toChild);
            assertFalse(toChild.contains("session " + root), "the root's session scope is not spent on the child: " + toChild);
            ObjectNode rootTurn = (ObjectNode) TestSupport.hermesJson("pre_llm_call.json");
            rootTurn.put("session_id", root);
            String toRoot = p.hooks().dispatch("pre_llm_call", rootTurn).toJson().path("context").asText();
            assertTrue(toRoot.contains("session " + root), toRoot);
        }
    }

    @Test
    void softNoticeIsInjectedOncePerScopeWindowAndLevel(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.016\non_estimated: enforce\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            p.hooks().dispatch("post_api_request", TestSupport.hermesJson("post_api_request-anthropic-cache.json"));
            JsonNode pre = TestSupport.hermesJson("pre_llm_call.json");
            JsonNode first = p.hooks().dispatch("pre_llm_call", pre).toJson();
            assertTrue(first.path("context").asText().contains("Budget notice: global daily spend is $0.014 of $0.016 (87%)"), first.toString());
            assertEquals(0, p.hooks().dispatch("pre_llm_call", pre).toJson().size());
            assertEquals(0, p.hooks().dispatch("pre_tool_call", TestSupport.hermesJson("pre_tool_call.json")).toJson().size());
        }
        // The ledger of alerts is in the database: a restart does not repeat the notice.
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            assertEquals(0, p.hooks().dispatch("pre_llm_call", TestSupport.hermesJson("pre_llm_call.json")).toJson().size());
        }
    }

    @Test
    void senderBudgetsApplyToGatewayUsers(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  per_sender:\n    overrides:\n      \"184467301\":\n        daily_usd: 0.0001\non_estimated: enforce\n");
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            JsonNode pre = TestSupport.hermesJson("pre_llm_call-gateway.json");
            p.hooks().dispatch("pre_llm_call", pre);
            ObjectNode post = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
            post.put("session_id", pre.get("session_id").asText()).put("platform", "telegram");
            p.hooks().dispatch("post_api_request", post);
            ObjectNode tool = (ObjectNode) TestSupport.hermesJson("pre_tool_call.json");
            tool.put("session_id", pre.get("session_id").asText());
            JsonNode r = p.hooks().dispatch("pre_tool_call", tool).toJson();
            assertTrue(r.path("message").asText().contains("sender 184467301"), r.toString());
        }
    }

    @Test
    void aReplyWithoutUsageIsEstimatedFromTheRequestSizeItCarriesWhatTheDaemonReadBeforeIt(@TempDir Path home) throws Exception {
        List<HookEvent> seq = TestSupport.sequence("session-sequence.jsonl");
        HookEvent post = seq.stream().filter(e -> e.hook().equals("post_api_request") && e.kwargs().get("usage").isNull())
                .findFirst().orElseThrow();
        String requestId = post.kwargs().get("api_request_id").asText();
        HookEvent pre = seq.stream().filter(e -> e.hook().equals("pre_api_request")
                && e.kwargs().get("api_request_id").asText().equals(requestId)).findFirst().orElseThrow();
        long requestSize = pre.kwargs().get("approx_input_tokens").asLong();
        // Its pre_api_request not read first (it waits in the spool, or the daemon restarted in between): the session's
        // earlier request is all that is remembered, unless the reply carries its own request's size.
        assertEquals(5210, estimatedInput(home.resolve("none"), seq, pre, post, null));
        assertEquals(requestSize, estimatedInput(home.resolve("carried"), seq, pre, post, requestSize));
        assertEquals(5480, requestSize);
        // A hostile size: below 1 is no size at all, an absurd one is held to the documented range.
        assertEquals(5210, estimatedInput(home.resolve("negative"), seq, pre, post, -7L));
        assertEquals(InputRanges.MAX_TOKENS, estimatedInput(home.resolve("huge"), seq, pre, post, Long.MAX_VALUE));
    }

    /** The estimated call's input tokens after the sequence without {@code pre}, {@code post} carrying {@code carried}. */
    private static long estimatedInput(Path home, List<HookEvent> seq, HookEvent pre, HookEvent post, Long carried) throws Exception {
        Files.createDirectories(home);
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            for (HookEvent e : seq) {
                if (e == pre) {
                    continue;
                }
                JsonNode kwargs = e.kwargs();
                if (e == post && carried != null) {
                    kwargs = ((ObjectNode) kwargs.deepCopy()).put("_plutus_approx_input_tokens", carried);
                }
                p.hooks().dispatch(e.hook(), kwargs);
            }
            return p.calls().recent(100).stream().filter(LlmCall::estimated).findFirst().orElseThrow().usage().input();
        }
    }

    @Test
    void malformedAndUnknownEventsNeverThrowAndAreCounted(@TempDir Path home) throws Exception {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            HookDispatcher h = p.hooks();
            assertEquals(0, h.dispatch("post_api_request", TestSupport.JSON.readTree("[1,2]")).toJson().size());
            // No session named is not malformed for a tool call: the global scope still decides (nothing set here: ok).
            assertEquals(0, h.dispatch("pre_tool_call", TestSupport.JSON.readTree("{}")).toJson().size());
            assertEquals(0, h.dispatch("on_stream_delta", TestSupport.JSON.readTree("{\"session_id\":\"x\"}")).toJson().size());
            assertEquals(0, h.dispatch("post_api_request", null).toJson().size());
            assertEquals(2, h.counters().get("malformed"));
            assertEquals(1, h.counters().get("unknown"));
            // A broken usage record is replaced by an estimate: the call is never lost.
            ObjectNode post = (ObjectNode) TestSupport.hermesJson("post_api_request-anthropic-cache.json");
            ((ObjectNode) post.get("usage")).put("output_tokens", -5);
            h.dispatch("post_api_request", post);
            assertEquals(1, p.calls().count());
            assertTrue(p.calls().recent(1).get(0).estimated());
        }
    }

    private static int indexOf(List<HookEvent> seq, String hook) {
        for (int i = 0; i < seq.size(); i++) {
            if (seq.get(i).hook().equals(hook)) {
                return i;
            }
        }
        throw new AssertionError(hook);
    }
    @Test
    void anyFaultWhileAVerdictIsAskedForIsAnUnknownVerdictNeverOk(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 1\n");
        TestSupport.FaultyClock clock = new TestSupport.FaultyClock();
        try (TestEngine p = TestSupport.open(home, clock)) {
            clock.arm(true);
            for (String event : java.util.List.of("pre_tool_call", "pre_llm_call", "pre_api_request", "on_session_start")) {
                dev.plutus.engine.VerdictUnknown e = org.junit.jupiter.api.Assertions.assertThrows(dev.plutus.engine.VerdictUnknown.class,
                        () -> p.hooks().dispatch(event, dev.plutus.core.Json.MAPPER.readTree("{\"session_id\": \"s1\"}")), event);
                assertTrue(e.getMessage().contains("an internal error") && !e.getMessage().contains("IllegalState"), e.getMessage());
                assertTrue(e.getMessage().contains("it is unknown, not ok"), e.getMessage());
            }
            // A hook that asks for no verdict still answers "nothing to do": Hermes carries on.
            assertEquals(HookReply.NOTHING, p.hooks().dispatch("post_tool_call", dev.plutus.core.Json.MAPPER.readTree("{\"session_id\": \"s1\"}")));
            clock.arm(false);
            assertEquals(HookReply.NOTHING, p.hooks().dispatch("pre_tool_call", dev.plutus.core.Json.MAPPER.readTree("{\"session_id\": \"s1\"}")));
        }
    }
}
