"""Plays hook events through an installed Plutus plugin the way Hermes would, and prints each reply.

usage: hermes_driver.py PLUGIN_DIR EVENTS_JSONL [START [END]]
Loads PLUGIN_DIR/__init__.py as Hermes does (package hermes_plugins.<dir>), calls register(ctx) with a
recording context, fires events[START:END] (one {"hook", "kwargs"} per line) and prints one JSON line
per event: {"i", "hook", "reply"}; finally {"paused": [...]} for cron pauses the bridge carried out.
"""
import importlib.util
import json
import os
import sys


class RecordingContext:
    def __init__(self):
        self.hooks, self.commands, self.middleware = {}, {}, {}

    def register_hook(self, name, cb):
        self.hooks[name] = cb

    def register_command(self, name, handler, description="", args_hint=""):
        self.commands[name] = handler

    def register_middleware(self, kind, cb):
        self.middleware[kind] = cb


def load_plugin(plugin_dir):
    name = "hermes_plugins." + os.path.basename(plugin_dir.rstrip("/")).replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, os.path.join(plugin_dir, "__init__.py"),
                                                  submodule_search_locations=[plugin_dir])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(argv):
    plugin_dir, events_file = argv[1], argv[2]
    start = int(argv[3]) if len(argv) > 3 else 0
    end = int(argv[4]) if len(argv) > 4 else None
    module = load_plugin(plugin_dir)
    ctx = RecordingContext()
    bridge = module.register(ctx)
    paused = []
    bridge.pause_job = lambda job_id, reason=None: paused.append({"job_id": job_id, "reason": reason})
    with open(events_file, encoding="utf-8") as f:
        events = [json.loads(line) for line in f if line.strip()]
    for i, e in enumerate(events[start:end], start):
        if e["hook"] in ctx.middleware:   # a request middleware, called as Hermes calls it before pre_api_request
            reply = ctx.middleware[e["hook"]](**e["kwargs"])
        else:
            reply = ctx.hooks[e["hook"]](**e["kwargs"]) if e["hook"] in ctx.hooks else None
        print(json.dumps({"i": i, "hook": e["hook"], "reply": reply}), flush=True)
    if len(argv) > 5:
        for name in argv[5].split(","):
            print(json.dumps({"command": name, "text": ctx.commands[name]("")}), flush=True)
    print(json.dumps({"paused": paused}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
