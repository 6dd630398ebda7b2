"""Hook round-trip benchmark: Hermes's side of the bridge, timed. Run by `plutus bench --suite hooks`.

usage: hook_bench.py PLUGIN_DIR EVENTS_PER_HOOK THREADS EVENTS_PER_THREAD
Prints one JSON object: per-hook p50/p99 (µs) of the callback as Hermes calls it, and events/s with
THREADS concurrent sessions (one thread each, alternating post_api_request and pre_tool_call).
"""
import importlib.util
import json
import os
import sys
import threading
import time


class Ctx:
    def __init__(self):
        self.hooks = {}

    def register_hook(self, name, cb):
        self.hooks[name] = cb

    def register_command(self, *a, **k):
        pass

    def register_middleware(self, *a, **k):
        pass


def load(plugin_dir):
    spec = importlib.util.spec_from_file_location("hermes_plugins.plutus", os.path.join(plugin_dir, "__init__.py"),
                                                  submodule_search_locations=[plugin_dir])
    module = importlib.util.module_from_spec(spec)
    sys.modules["hermes_plugins.plutus"] = module
    spec.loader.exec_module(module)
    return module


def post_api_request(session, n):
    now = time.time()
    return {"task_id": session, "turn_id": session + ":t", "api_request_id": "%s:t:api:%d" % (session, n),
            "session_id": session, "platform": "cli", "model": "claude-sonnet-4-6", "provider": "anthropic",
            "base_url": "https://api.anthropic.com", "api_mode": "anthropic_messages", "api_call_count": n,
            "api_duration": 2.5, "started_at": now - 2.5, "ended_at": now, "finish_reason": "tool_calls",
            "message_count": 12, "response_model": "claude-sonnet-4-6",
            "usage": {"input_tokens": 96, "output_tokens": 420, "cache_read_tokens": 8460, "cache_write_tokens": 1320,
                      "reasoning_tokens": 0, "request_count": 1, "prompt_tokens": 9876, "total_tokens": 10296},
            "assistant_content_chars": 300, "assistant_tool_call_count": 1,
            "conversation_history": [{"role": "user", "content": "x" * 2000}] * 8}


def pre_tool_call(session, n):
    return {"tool_name": "terminal", "args": {"command": "ls -la"}, "task_id": session, "session_id": session,
            "tool_call_id": "toolu_%d" % n, "turn_id": session + ":t", "api_request_id": "%s:t:api:%d" % (session, n)}


def pct(samples, q):
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, int(-(-q * len(s) // 1)) - 1))] / 1000.0


def main(plugin_dir, per_hook, threads, per_thread):
    module = load(plugin_dir)
    ctx = Ctx()
    module.register(ctx)
    result = {}
    for name, make in (("post_api_request", post_api_request), ("pre_tool_call", pre_tool_call)):
        cb = ctx.hooks[name]
        for i in range(200):
            cb(**make("warm-" + name, i))
        samples = []
        for i in range(per_hook):
            kwargs = make("lat-" + name, i)
            t0 = time.perf_counter_ns()
            cb(**kwargs)
            samples.append(time.perf_counter_ns() - t0)
        result[name] = {"events": per_hook, "p50_us": pct(samples, 0.50), "p99_us": pct(samples, 0.99),
                        "max_us": max(samples) / 1000.0}

    def session(k):
        sid = "conc-%d" % k
        for i in range(per_thread):
            if i % 2 == 0:
                ctx.hooks["post_api_request"](**post_api_request(sid, i))
            else:
                ctx.hooks["pre_tool_call"](**pre_tool_call(sid, i))

    workers = [threading.Thread(target=session, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
    result["concurrent"] = {"sessions": threads, "events": threads * per_thread,
                            "events_per_s": threads * per_thread / elapsed}
    spool = os.path.join(module.load_settings(os.path.join(plugin_dir, "bridge.json"))["plutus_home"], "spool")
    result["spooled_files"] = len(os.listdir(spool)) if os.path.isdir(spool) else 0
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
