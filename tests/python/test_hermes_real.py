"""The bridge loaded by Hermes's own plugin manager and request middleware (INTEGRATION.md §14), not a stand-in.

Hermes's source is read from ../shared/hermes/upstream-306e2d23 (or HERMES_UPSTREAM_DIR); it is never
copied into this repository. The daemon is the loopback FakeDaemon of test_bridge.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
UPSTREAM = os.environ.get("HERMES_UPSTREAM_DIR") or os.path.join(os.path.dirname(os.path.dirname(ROOT)), "shared", "hermes",
                                                                 "upstream-306e2d23")
if not os.path.isdir(UPSTREAM):
    UPSTREAM = "/work/shared/hermes/upstream-306e2d23"
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))
sys.path.insert(0, HERE)
from test_bridge import FakeDaemon, HOOKS  # noqa: E402

# What each API accepts at the top level of a request, and the rules a shrunk request must keep
# (OpenAI Chat Completions and Responses, Anthropic Messages, Bedrock Converse; the SDK's own
# extra_headers/extra_body/extra_query/timeout are accepted by every Python client Hermes uses).
SDK = {"extra_headers", "extra_body", "extra_query", "timeout"}
ACCEPTED = {
    "chat_completions": SDK | {"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n",
                               "stream", "stream_options", "stop", "presence_penalty", "frequency_penalty", "logit_bias",
                               "user", "tools", "tool_choice", "parallel_tool_calls", "response_format", "seed",
                               "reasoning_effort", "service_tier", "metadata", "store", "modalities", "prediction", "audio",
                               "logprobs", "top_logprobs", "verbosity", "prompt_cache_key", "safety_identifier"},
    "codex_responses": SDK | {"model", "input", "instructions", "max_output_tokens", "store", "stream", "tools",
                              "tool_choice", "parallel_tool_calls", "reasoning", "include", "previous_response_id", "text",
                              "temperature", "top_p", "truncation", "user", "metadata", "service_tier",
                              "prompt_cache_key", "background", "max_tool_calls", "safety_identifier"},
    "anthropic_messages": SDK | {"model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream",
                                 "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "service_tier",
                                 "container", "mcp_servers", "context_management", "betas"},
    "bedrock_converse": {"modelId", "messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig",
                         "additionalModelRequestFields", "promptVariables", "additionalModelResponseFieldPaths",
                         "requestMetadata", "performanceConfig"},
}
REQUIRED = {"chat_completions": {"model", "messages"}, "codex_responses": {"model", "input"},
            "anthropic_messages": {"model", "messages", "max_tokens"}, "bedrock_converse": {"modelId", "messages"}}
BIG = "x" * 40000

# Full-size requests as Hermes's request builders fill them (INTEGRATION.md §15).
REQUESTS = {
    "chat_completions": {"model": "o4-mini", "messages": [{"role": "system", "content": BIG}, {"role": "user", "content": "go"}],
                         "tools": [{"type": "function", "function": {"name": "terminal", "parameters": {}}}],
                         "max_completion_tokens": 32000, "reasoning_effort": "high", "stream": True,
                         "extra_body": {"reasoning": {"effort": "high"}, "provider": {"order": ["openai"]}}},
    "codex_responses": {"model": "gpt-5-codex", "instructions": BIG,
                        "input": [{"role": "user", "content": [{"type": "input_text", "text": BIG}]}],
                        "max_output_tokens": 32000, "store": False, "stream": True, "reasoning": {"effort": "high"},
                        "include": ["reasoning.encrypted_content"], "tools": [{"type": "function", "name": "terminal"}]},
    "anthropic_messages": {"model": "claude-opus-4-1", "max_tokens": 64000,
                           "system": [{"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude."},
                                      {"type": "text", "text": BIG, "cache_control": {"type": "ephemeral"}}],
                           "messages": [{"role": "user", "content": BIG}], "tools": [{"name": "terminal", "input_schema": {}}],
                           "thinking": {"type": "enabled", "budget_tokens": 32000}, "temperature": 1},
    "bedrock_converse": {"modelId": "us.anthropic.claude-sonnet-4-v1:0", "system": [{"text": BIG}],
                         "messages": [{"role": "user", "content": [{"text": BIG}]}],
                         "toolConfig": {"tools": [{"toolSpec": {"name": "terminal"}}]},
                         "inferenceConfig": {"maxTokens": 64000, "temperature": 0.7},
                         "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 16000}}},
}


def violations(api_mode, request):
    """What a provider of this API would refuse in the request, and what would make it cost more than a line."""
    out = ["unknown field %s" % k for k in sorted(set(request) - ACCEPTED[api_mode])]
    out += ["missing %s" % k for k in sorted(REQUIRED[api_mode] - set(request))]
    limits = {"chat_completions": request.get("max_completion_tokens", request.get("max_tokens")),
              "codex_responses": request.get("max_output_tokens"),
              "anthropic_messages": request.get("max_tokens"),
              "bedrock_converse": (request.get("inferenceConfig") or {}).get("maxTokens")}[api_mode]
    if not isinstance(limits, int) or limits > 64:
        out.append("output limit %r is not a few tokens" % (limits,))
    if api_mode == "chat_completions" and "max_tokens" in request and "max_completion_tokens" in request:
        out.append("both max_tokens and max_completion_tokens")
    if api_mode == "codex_responses" and isinstance(limits, int) and limits < 16:
        out.append("max_output_tokens below the API's minimum of 16")
    thinking = request.get("thinking") or (request.get("additionalModelRequestFields") or {}).get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        if not isinstance(limits, int) or thinking.get("budget_tokens", 0) >= limits:
            out.append("thinking.budget_tokens %s not below the output limit %s" % (thinking.get("budget_tokens"), limits))
    if "reasoning" in (request.get("extra_body") or {}):
        out.append("extra_body.reasoning asks for a reasoning budget")
    if len(json.dumps(request)) > 1500:
        out.append("request is %d characters, not one line" % len(json.dumps(request)))
    return out


@unittest.skipUnless(os.path.isdir(os.path.join(UPSTREAM, "hermes_cli")), "Hermes's plugin manager not found at " + UPSTREAM)
class RealHermesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hermes_home = tempfile.mkdtemp(prefix="hermes-home-")
        cls.plutus_home = tempfile.mkdtemp(prefix="plutus-home-")
        plugin = os.path.join(cls.hermes_home, "plugins", "plutus")
        os.makedirs(plugin)
        for name in ("__init__.py", "transport.py"):
            shutil.copy(os.path.join(ROOT, "src", "main", "python", "plutus_bridge", name), plugin)
        with open(os.path.join(plugin, "plugin.yaml"), "w") as f:
            f.write("name: plutus\nversion: '0.1.0'\nkind: standalone\n")
        with open(os.path.join(plugin, "bridge.json"), "w") as f:
            json.dump({"plutus_home": cls.plutus_home, "timeout_ms": 2000, "fail_mode": "open", "hooks": HOOKS,
                       "commands": [{"name": "budget"}]}, f)
        with open(os.path.join(cls.hermes_home, "config.yaml"), "w") as f:
            f.write("plugins:\n  enabled:\n    - plutus\n  hook_callback_timeout: 30\n")
        os.environ["HERMES_HOME"] = cls.hermes_home
        os.environ.pop("PLUTUS_HOME", None)
        sys.path.insert(0, UPSTREAM)
        from hermes_cli import plugins, middleware
        cls.plugins, cls.middleware = plugins, middleware
        plugins.discover_plugins(force=True)
        cls.daemon = FakeDaemon(cls.plutus_home)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        shutil.rmtree(cls.hermes_home, ignore_errors=True)
        shutil.rmtree(cls.plutus_home, ignore_errors=True)

    def setUp(self):
        self.daemon.replies.clear()
        self.daemon.requests.clear()

    def send(self, api_mode, request, session="20261124_101500_a1b2c3", n=1):
        """One model call as Hermes makes it: request middleware first, then pre_api_request; returns what goes out."""
        context = dict(task_id=session, turn_id=session + ":t:1", api_request_id="%s:t:1:api:%d" % (session, n),
                       session_id=session, platform="cli", model=request.get("model") or request.get("modelId"),
                       provider="openai", base_url="https://api.example", api_mode=api_mode, api_call_count=n)
        out = self.middleware.apply_llm_request_middleware(request, **context).payload
        self.plugins.invoke_hook("pre_api_request", max_tokens=None, approx_input_tokens=1000, **context)
        return out

    def test_the_first_call_after_the_budget_ran_out_is_itself_shrunk(self):
        request = REQUESTS["chat_completions"]
        self.assertEqual(request, self.send("chat_completions", request, n=1), "under budget: sent as it was")
        self.plugins.invoke_hook("post_api_request", session_id="20261124_101500_a1b2c3", usage={"input_tokens": 10})
        # That call used the last of the budget: the daemon's verdict for the next call is "block".
        block = {"action": "block", "message": "Plutus: budget exhausted: global daily spend is $5.0012 of $5.00 (100%)."}
        self.daemon.replies["llm_request"] = block
        self.daemon.replies["pre_api_request"] = block
        sent = self.send("chat_completions", request, n=2)
        self.assertEqual([], violations("chat_completions", sent))
        self.assertEqual(16, sent["max_completion_tokens"])
        asked = [json.loads(b) for p, b in self.daemon.requests if p == "/hooks/llm_request"]
        self.assertEqual("20261124_101500_a1b2c3:t:1:api:2", asked[-1]["api_request_id"])
        self.assertEqual(32000, asked[-1]["max_tokens"], "the daemon prices the call as it would have gone out")

    def test_a_fresh_hermes_process_stops_the_first_call_of_a_session_already_over_budget(self):
        self.daemon.replies["llm_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        sent = self.send("anthropic_messages", REQUESTS["anthropic_messages"], session="20261124_111111_bbbbbb")
        self.assertEqual([], violations("anthropic_messages", sent))

    def test_each_api_mode_is_shrunk_into_a_request_its_api_accepts(self):
        self.daemon.replies["llm_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        for mode, request in REQUESTS.items():
            with self.subTest(api_mode=mode):
                self.assertNotEqual([], violations(mode, request), "the full request is not a cheap one")
                sent = self.send(mode, request, session="20261124_120000_" + mode[:6])
                self.assertEqual([], violations(mode, sent), json.dumps(sent)[:400])

    def test_an_unknown_api_mode_only_has_the_fields_it_already_had_changed(self):
        self.daemon.replies["llm_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        request = {"model": "m", "prompt_parts": [BIG], "messages": [{"role": "user", "content": BIG}], "max_tokens": 9000}
        with self.assertLogs("plutus.bridge", "WARNING") as logs:
            sent = self.send("gemini_native", request, session="20261124_130000_cccccc")
        self.assertEqual(set(request), set(sent), "no field added or removed")
        self.assertEqual(16, sent["max_tokens"])
        self.assertLess(len(json.dumps(sent["messages"])), 200)
        self.assertTrue(any("gemini_native" in line and "max_tokens=16" in line for line in logs.output), logs.output)

    def test_the_daemon_gone_mid_session_keeps_the_last_verdict(self):
        session = "20261124_140000_dddddd"
        self.daemon.replies["pre_api_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        self.daemon.replies["llm_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        self.send("chat_completions", {"model": "m", "messages": [], "max_tokens": 100}, session=session)
        self.daemon.statuses["llm_request"] = 503
        try:
            sent = self.send("chat_completions", {"model": "m", "messages": [{"role": "user", "content": BIG}],
                                                  "max_tokens": 100}, session=session, n=2)
        finally:
            del self.daemon.statuses["llm_request"]
        self.assertEqual(16, sent["max_tokens"])


if __name__ == "__main__":
    unittest.main()
