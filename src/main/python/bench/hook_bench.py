"""Hook benchmark: the time a hook takes inside Hermes's own plugin manager. Run by `plutus bench --suite hooks`.

usage: hook_bench.py HERMES_SRC EVENTS_PER_HOOK THREADS EVENTS_PER_THREAD
HERMES_HOME (set by the caller, a scratch directory) holds config.yaml with `plutus` enabled and
the installed plugin; HERMES_SRC holds Hermes's plugin manager (hermes_cli/plugins.py and the files
INTEGRATION.md §14 lists). Each hook is timed around the manager's own call, in two dispatch styles:
  loop    - invoke_hook on the caller's thread (Hermes at 306e2d23 and v0.19.0)
  thread  - invoke_hook on a fresh thread per hook, joined with a timeout (the bounded dispatch of
            newer Hermes, which runs every bounded callback on a new worker thread)
Each hook is also timed with the plutus callback swapped for a no-op in the same manager, event for event in
turn with the real one (which goes first alternates), so Hermes's own dispatch cost (thread creation in the thread
style) shows apart and both figures come from the same minutes of a shared machine.
Before each pre_api_request the bridge's llm_request middleware runs through Hermes's own apply_llm_request_middleware,
on the caller's thread in both styles, as Hermes does before it fires that hook; it is timed as its own row
("llm_request"), beside a no-op middleware.
Prints one JSON object with p50/p99/max per style and hook, the counts the caller checks against
the daemon (hooks and post_api_request calls sent), connections the bridge opened, and what was
spooled. It never decides a figure is good: the caller refuses the run when any count disagrees.
"""
import json
import os
import sys
import threading
import time

HOOKS = ("pre_llm_call", "pre_api_request", "post_api_request", "pre_tool_call", "post_tool_call")


def kwargs_for(hook, session, n):
    now = time.time()
    base = {"session_id": session, "task_id": session, "turn_id": session + ":t", "platform": "cli"}
    request_id = "%s:t:api:%d" % (session, n)
    if hook == "pre_llm_call":
        return dict(base, user_message="hello", conversation_history=[{"role": "user", "content": "x" * 2000}] * 8,
                    is_first_turn=n == 0, model="claude-sonnet-4-6", sender_id="u1")
    if hook == "pre_api_request":
        return dict(base, api_request_id=request_id, model="claude-sonnet-4-6", provider="anthropic",
                    api_mode="anthropic_messages", api_call_count=n, message_count=12, approx_input_tokens=9876,
                    max_tokens=4096, request_char_count=40000)
    if hook == "post_api_request":
        return dict(base, api_request_id=request_id, model="claude-sonnet-4-6", provider="anthropic",
                    base_url="https://api.anthropic.com", api_mode="anthropic_messages", api_call_count=n,
                    api_duration=2.5, started_at=now - 2.5, ended_at=now, finish_reason="tool_calls", message_count=12,
                    response_model="claude-sonnet-4-6",
                    usage={"input_tokens": 96, "output_tokens": 420, "cache_read_tokens": 8460,
                           "cache_write_tokens": 1320, "reasoning_tokens": 0, "request_count": 1,
                           "prompt_tokens": 9876, "total_tokens": 10296},
                    assistant_content_chars=300, assistant_tool_call_count=1,
                    conversation_history=[{"role": "user", "content": "x" * 2000}] * 8)
    if hook == "pre_tool_call":
        return dict(base, tool_name="terminal", args={"command": "ls -la"}, tool_call_id="toolu_%d" % n,
                    api_request_id=request_id)
    return dict(base, tool_name="terminal", args={"command": "ls -la"}, tool_call_id="toolu_%d" % n,
                result="total 0", status="ok", duration_ms=12, api_request_id=request_id)


def request_for(session, n):
    """The request dict and middleware context Hermes builds for the pre_api_request of kwargs_for(..., n)."""
    request = {"model": "claude-sonnet-4-6", "max_tokens": 4096, "system": [{"type": "text", "text": "You are Hermes."}],
               "messages": [{"role": "user", "content": "x" * 2000}] * 8, "tools": [{"name": "terminal", "input_schema": {}}]}
    k = kwargs_for("pre_api_request", session, n)
    context = {name: k[name] for name in ("task_id", "turn_id", "api_request_id", "session_id", "platform", "model",
                                          "provider", "api_mode", "api_call_count")}
    return request, dict(context, base_url="https://api.anthropic.com")


def pct(samples, q):
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, int(-(-q * len(s) // 1)) - 1))] / 1000.0


def main(hermes_src, per_hook, threads, per_thread):
    sys.path.insert(0, hermes_src)
    from hermes_cli import plugins  # Hermes's real plugin manager, from HERMES_SRC

    from hermes_cli import middleware   # Hermes's real request middleware, applied before pre_api_request
    plugins.discover_plugins()
    module = sys.modules.get("hermes_plugins.plutus")
    if module is None or not all(plugins.has_hook(h) for h in HOOKS):
        raise SystemExit("Hermes's plugin manager did not load the plutus plugin from %s" % os.environ.get("HERMES_HOME"))
    opened = [0]
    tool_from = {"snapshot": 0, "daemon": 0}   # where pre_tool_call answers came from (the caller checks the sum)
    llm_from = {"snapshot": 0, "daemon": 0}    # where pre_llm_call answers came from (likewise)
    api_from = {"journal": 0, "daemon": 0}     # pre_api_request journaled after the middleware's answer, or asked
    via = {"channel": 0, "http": 0}   # hooks sent on the hook channel, and requests over HTTP
    client = getattr(module, "transport", None)   # absent in bridges older than the connection pool
    if client is not None:
        def counting(cls, name, counter):
            original = getattr(cls, name)

            def counted(self, *a, **kw):
                counter()
                return original(self, *a, **kw)

            setattr(cls, name, counted)

        counting(client.DaemonClient, "_connect", lambda: opened.__setitem__(0, opened[0] + 1))
        counting(client.DaemonClient, "post", lambda: via.__setitem__("http", via["http"] + 1))
        if hasattr(client, "ChannelClient"):
            counting(client.ChannelClient, "_open", lambda: opened.__setitem__(0, opened[0] + 1))
            counting(client.ChannelClient, "request", lambda: via.__setitem__("channel", via["channel"] + 1))
            original_request = client.ChannelClient.request

            def request_counted(self, path, token, event, *a, **kw):
                if event == "pre_tool_call":
                    tool_from["daemon"] += 1
                elif event == "pre_llm_call":
                    llm_from["daemon"] += 1
                return original_request(self, path, token, event, *a, **kw)

            client.ChannelClient.request = request_counted
        original_post = client.DaemonClient.post

        def post_counted(self, endpoint, path, *a, **kw):
            if path == "/hooks/pre_tool_call":
                tool_from["daemon"] += 1
            elif path == "/hooks/pre_llm_call":
                llm_from["daemon"] += 1
            return original_post(self, endpoint, path, *a, **kw)

        client.DaemonClient.post = post_counted
        if hasattr(client, "VerdictSnapshot"):
            original_answer = client.VerdictSnapshot.answer

            def answer_counted(self, *a, **kw):
                reply = original_answer(self, *a, **kw)
                if reply is not None:
                    tool_from["snapshot"] += 1
                return reply

            client.VerdictSnapshot.answer = answer_counted
        if hasattr(client, "VerdictSnapshot") and hasattr(client.VerdictSnapshot, "quiet"):
            original_quiet = client.VerdictSnapshot.quiet

            def quiet_counted(self, *a, **kw):
                quiet = original_quiet(self, *a, **kw)
                if quiet:
                    llm_from["snapshot"] += 1
                return quiet

            client.VerdictSnapshot.quiet = quiet_counted
    failures = []
    # The plugin's bridge, reached through the middleware it registered (a bound method of it).
    module_bridge = next((getattr(cb, "__self__", None) for cb in plugins.get_plugin_manager()._middleware.get("llm_request", [])
                          if hasattr(getattr(cb, "__self__", None), "api_answered_by")), None)
    if module_bridge is None:
        raise SystemExit("the plutus plugin registered no llm_request middleware of its bridge")

    def loop(hook, kwargs):
        plugins.invoke_hook(hook, **kwargs)

    def fresh_thread(hook, kwargs):
        worker = threading.Thread(target=plugins.invoke_hook, args=(hook,), kwargs=kwargs, daemon=True)
        worker.start()
        worker.join(30)
        if worker.is_alive():
            failures.append("%s did not return within 30 s" % hook)

    manager = plugins.get_plugin_manager()

    def noop(**kwargs):
        return None

    def figures_of(samples):
        return {"events": per_hook, "p50_us": pct(samples, 0.50), "p99_us": pct(samples, 0.99),
                "max_us": max(samples) / 1000.0}

    real_middleware = list(manager._middleware.get("llm_request", []))
    if not real_middleware:
        raise SystemExit("the plutus plugin registered no llm_request middleware")

    def measure(dispatch, hook, session):
        """The hook's samples through plutus and through the no-op plugin, taken turn about (which goes first alternates)
        so both see the same machine: a baseline measured minutes apart on a shared host is another load's figure.
        pre_api_request is preceded by the llm_request middleware, as in Hermes; its own samples are the third and
        fourth figures (None for the other hooks)."""
        real = list(manager._hooks.get(hook, []))
        noops = [noop for _ in real]
        samples = {"plutus": [], "noop": []}
        before = {"plutus": [], "noop": []}
        try:
            for i in range(200 + per_hook):
                for kind in (("plutus", "noop") if i % 2 == 0 else ("noop", "plutus")):
                    manager._hooks[hook] = real if kind == "plutus" else noops
                    name = session if kind == "plutus" else "noop"
                    if hook == "pre_api_request":
                        manager._middleware["llm_request"] = real_middleware if kind == "plutus" else [noop]
                        request, context = request_for(name, i)
                        t0 = time.perf_counter_ns()
                        middleware.apply_llm_request_middleware(request, **context)
                        elapsed = time.perf_counter_ns() - t0
                        if i >= 200:
                            before[kind].append(elapsed)
                    kwargs = kwargs_for(hook, name, i)
                    t0 = time.perf_counter_ns()
                    dispatch(hook, kwargs)
                    elapsed = time.perf_counter_ns() - t0
                    if i >= 200:
                        samples[kind].append(elapsed)
        finally:
            manager._hooks[hook] = real
            manager._middleware["llm_request"] = real_middleware
        if hook != "pre_api_request":
            return figures_of(samples["plutus"]), figures_of(samples["noop"]), None, None
        return figures_of(samples["plutus"]), figures_of(samples["noop"]), figures_of(before["plutus"]), figures_of(before["noop"])

    sent = {"hooks": 0, "post_api_request": 0, "pre_tool_call": 0, "pre_llm_call": 0, "pre_api_request": 0, "llm_request": 0}
    result = {"styles": {}}
    for style, dispatch in (("loop", loop), ("thread", fresh_thread)):
        before = opened[0]
        via_before = dict(via)
        tool_before = dict(tool_from)
        llm_before = dict(llm_from)
        api_before = dict(module_bridge.api_answered_by)
        figures, noop_figures = {}, {}
        for hook in HOOKS:
            figures[hook], noop_figures[hook], mw, mw_noop = measure(dispatch, hook, "lat-%s-%s" % (style, hook))
            n = 200 + per_hook
            sent["hooks"] += n
            if hook in ("post_api_request", "pre_tool_call", "pre_llm_call", "pre_api_request"):
                sent[hook] += n
            if mw is not None:
                figures["llm_request"], noop_figures["llm_request"] = mw, mw_noop
                sent["hooks"] += n   # each middleware call asks the daemon
                sent["llm_request"] += n
        result["styles"][style] = {"hooks": figures, "baseline": noop_figures,
                                   "connections_opened": opened[0] - before if client is not None else -1,
                                   "sent_via": {k: via[k] - via_before[k] for k in via},
                                   "pre_tool_call_from": {k: tool_from[k] - tool_before[k] for k in tool_from},
                                   "pre_tool_call_events": 200 + per_hook,
                                   "pre_llm_call_from": {k: llm_from[k] - llm_before[k] for k in llm_from},
                                   "pre_api_request_from": {k: module_bridge.api_answered_by[k] - api_before[k]
                                                            for k in api_before}}

    def session(k):
        sid = "conc-%d" % k
        for i in range(per_thread):
            hook = "post_api_request" if i % 2 == 0 else "pre_tool_call"
            plugins.invoke_hook(hook, **kwargs_for(hook, sid, i))

    workers = [threading.Thread(target=session, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
    sent["hooks"] += threads * per_thread
    sent["post_api_request"] += threads * ((per_thread + 1) // 2)
    sent["pre_tool_call"] += threads * (per_thread // 2)
    result["pre_tool_call_from"] = tool_from
    result["pre_llm_call_from"] = llm_from
    result["pre_api_request_from"] = dict(module_bridge.api_answered_by)
    result["concurrent"] = {"sessions": threads, "events": threads * per_thread,
                            "events_per_s": threads * per_thread / elapsed}
    spool = os.path.join(module.load_settings(os.path.join(os.path.dirname(module.__file__), "bridge.json"))["plutus_home"],
                         "spool")
    result["spooled_files"] = sorted(os.listdir(spool)) if os.path.isdir(spool) else []
    result["sent"] = sent
    result["sent_via"] = via
    result["failures"] = failures
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
