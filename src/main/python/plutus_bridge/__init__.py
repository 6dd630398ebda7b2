"""Plutus bridge for Hermes: forwards every hook to the local Plutus daemon and carries out its answer.

Written by `plutus install hermes`; settings live in bridge.json next to this file. Standard library
only. Nothing here ever raises into Hermes: when the daemon is unreachable or slow, the event is
appended to the spool in PLUTUS_HOME (the daemon replays it later; each event carries an id, so
nothing is counted twice) and pre_tool_call follows fail_mode (open or closed).
"""
import collections
import itertools
import json
import logging
import math
import os
import socket
import subprocess
import threading
import time

log = logging.getLogger("plutus.bridge")
HERE = os.path.dirname(os.path.abspath(__file__))


def _load_transport():
    """transport.py beside this file, whether this was loaded as a package (Hermes) or as a lone file (shell_hook.py)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("plutus_bridge_transport", os.path.join(HERE, "transport.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


transport = _load_transport()
# Large kwargs the daemon never reads: dropping them keeps each hook a small, fast request.
HEAVY = frozenset(("conversation_history", "request_messages", "request", "user_message", "assistant_message",
                   "assistant_response", "response", "args", "result", "child_goal", "child_summary",
                   "tool_call_history", "middleware_trace", "response_text", "final_response"))
UNREACHABLE = "Plutus budget daemon is unreachable"
# Hooks whose answer is a budget verdict: asked of the daemon. Every other hook is journaled (transport.Journal).
VERDICT_HOOKS = frozenset(("pre_tool_call", "pre_llm_call", "pre_api_request", "on_session_start", "llm_request"))
# Journaled hooks that cannot tighten a pre_tool_call verdict (a tool run costs nothing; a failed request
# only releases its hold): a verdict snapshot need not have counted them to answer pre_tool_call.
NO_VERDICT_CHANGE = frozenset(("post_tool_call", "api_request_error"))
# What the daemon reads from a verdict hook (HookEvents.parse): nothing else is serialised or sent on that path.
VERDICT_FIELDS = {
    "pre_tool_call": ("session_id", "platform", "model", "task_id", "tool_name", "tool_call_id"),
    "pre_llm_call": ("session_id", "platform", "model", "sender_id"),
    "pre_api_request": ("session_id", "platform", "api_request_id", "provider", "model", "approx_input_tokens", "max_tokens"),
    "llm_request": ("session_id", "platform", "api_request_id", "provider", "model", "approx_input_tokens", "max_tokens",
                    "api_mode"),
    "on_session_start": ("session_id", "platform", "model"),
}
# Events the spool could not take (full disk, unwritable directory) wait in memory, up to this many.
MAX_HELD = 10000
# Requests remembered as decided by the middleware (Bridge.held_by_middleware); the oldest are forgotten first, and a
# forgotten one's pre_api_request is simply asked of the daemon again.
MAX_HELD_REQUESTS = 4096


def load_settings(path=None):
    with open(path or os.path.join(HERE, "bridge.json"), encoding="utf-8") as f:
        s = json.load(f)
    s["plutus_home"] = os.path.expanduser(os.environ.get("PLUTUS_HOME") or s.get("plutus_home") or "~/.hermes/plutus")
    s.setdefault("timeout_ms", 250)
    s.setdefault("command_timeout_ms", 3000)
    s.setdefault("fail_mode", "open")
    s.setdefault("autostart", False)
    s.setdefault("launcher", "plutus")
    s.setdefault("hooks", [])
    s.setdefault("commands", [])
    return s


# The daemon's request body limit (HttpLimits.maxBodyBytes): a bigger hook is trimmed to fit, never refused.
MAX_BODY_BYTES = 1 << 20
# Nesting kept in a kwarg; deeper levels are replaced by a note (json.dumps would hit Python's recursion limit).
MAX_DEPTH = 64
# What the daemon reads from a hook (HookEvents): kept whole when a body must shrink to fit its limit.
NEEDED = ("session_id", "platform", "model", "api_request_id", "provider", "response_model", "usage", "ended_at",
          "api_duration", "assistant_content_chars", "approx_input_tokens", "max_tokens", "sender_id", "retryable",
          "tool_name", "tool_call_id", "status", "error_type", "duration_ms", "child_session_id", "parent_session_id",
          "child_status", "completed", "interrupted", "reason", "old_session_id")
# A needed field too long to send (a megabyte "model") keeps this many characters.
MAX_NEEDED_CHARS = 1024


def text_of(value):
    """str(value); repr(value) when str raises; a placeholder naming the type when both do."""
    for convert in (str, repr):
        try:
            out = convert(value)
            if isinstance(out, str):
                return str.__str__(out)
        except Exception:  # noqa: BLE001 - a kwarg's own __str__ may raise anything
            pass
    try:
        name = type(value).__name__
    except Exception:  # noqa: BLE001
        name = "object"
    return "<unserialisable %s>" % name


def clean(value, depth=0, seen=None):
    """The value as strict JSON data, whatever it holds.

    Non-finite floats become null (json.dumps would write NaN, which the daemon refuses); dict keys
    become text, a key that then collides with another gets a suffix (both values are kept); a
    container that holds itself, or nests deeper than MAX_DEPTH, is cut there with a note; anything
    else is its text (see text_of).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        value = float.__float__(value)
        return value if math.isfinite(value) else None
    if not isinstance(value, (dict, list, tuple)):
        return text_of(value)
    seen = set() if seen is None else seen
    if id(value) in seen:
        return "<cycle>"
    if depth >= MAX_DEPTH:
        return "<nested deeper than %d>" % MAX_DEPTH
    seen.add(id(value))
    try:
        if isinstance(value, dict):
            items = list(value.items())
            # A key that was text keeps its name; a converted one that collides with any key gets the suffix.
            taken = {str.__str__(k) for k, _ in items if isinstance(k, str)}
            out = {}
            for k, v in items:
                if isinstance(k, str):
                    key = str.__str__(k)
                else:
                    name = key = text_of(k)
                    n = 1
                    while key in taken:
                        n += 1
                        key = "%s~%d" % (name, n)
                    taken.add(key)
                out[key] = clean(v, depth + 1, seen)
            return out
        return [clean(v, depth + 1, seen) for v in list(value)]
    except RecursionError:
        return "<nested too deep>"
    except Exception:  # noqa: BLE001 - a dict changed while read, an odd subclass: keep its text
        return text_of(value)
    finally:
        seen.discard(id(value))


def finite(value):
    """The value with every NaN or infinite float (at any depth) replaced by None; see clean."""
    return clean(value)


def to_json(kwargs):
    """Strict JSON for the daemon and the spool: non-finite numbers become null, anything else odd a string."""
    return json.dumps(clean(kwargs), allow_nan=False)


def parse_json(text):
    """Parses JSON, reading the non-standard NaN/Infinity that Python's json accepts as null."""
    return json.loads(text, parse_constant=lambda _: None)


def tool_call_chars(kwargs):
    """The size of the response's tool calls, which the daemon counts as output when usage is missing."""
    try:
        calls = (((kwargs.get("response") or {}).get("assistant_message") or {}).get("tool_calls") or [])
        return sum(len(str(c.get("name") or "")) + len(str(c.get("arguments") or "")) for c in calls if isinstance(c, dict))
    except Exception:  # noqa: BLE001 - a response of another shape: nothing to count
        return 0


# The token counts the daemon prices a call by (HookEvents.usage).
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
                "reasoning_tokens")


def call_cost(kwargs):
    """(session, provider, model, tokens) of a post_api_request the daemon will price from its own usage, or None.

    None whenever the tokens the daemon counts could be more than these (no usage, so it estimates; a count
    that is not a plain non-negative int) or the price could be another model's (a different served model).
    """
    try:
        usage, session = kwargs.get("usage"), kwargs.get("session_id")
        provider, model, served = kwargs.get("provider"), kwargs.get("model"), kwargs.get("response_model")
        if not isinstance(usage, dict) or not all(type(v) is str and v for v in (session, provider, model)):
            return None
        if served not in (None, "") and served != model:
            return None
        tokens = 0
        for field in TOKEN_FIELDS:
            v = usage.get(field)
            if v is None:
                continue
            if type(v) is not int or v < 0:
                return None
            tokens += v
        return session, provider, model, tokens
    except Exception:  # noqa: BLE001 - an odd mapping: no bound, so the daemon is asked
        return None


class EventIds:
    """Event ids: what makes a replayed event count once. 32 hex digits (uuid4().hex's shape): 16 random ones drawn once
    per process (again in a forked child, which would otherwise repeat its parent's ids) and a count.

    No system call per event: getrandom() releases the GIL, and on Hermes's fresh thread per hook the caller's thread,
    woken when the hook thread started, takes it there and the hook thread then waits to be woken again
    (docs/hook-performance.md, "Thread dispatch").
    """

    def __init__(self):
        self.renew()

    def renew(self):
        self.prefix = os.urandom(8).hex()
        self.count = itertools.count().__next__   # one C call: no two threads get the same number

    def next(self):
        return "%s%016x" % (self.prefix, self.count())


EVENT_IDS = EventIds()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=EVENT_IDS.renew)


def event_id():
    return EVENT_IDS.next()


# Types json.dumps writes exactly as clean() would leave them (exact types: a subclass may convert otherwise).
PLAIN_SCALARS = frozenset((str, int, bool, type(None)))
# The fast path's encoder: compact, and no cycle check (plain() has ruled cycles out by depth).
PLAIN_JSON = json.JSONEncoder(allow_nan=False, check_circular=False, separators=(",", ":"))


def plain(value, depth=0):
    """True when the value needs no clean(): str keys only, JSON-native types only, finite floats, and no
    container deeper than MAX_DEPTH (so no cycle). Then json.dumps writes what it would write of clean(value)."""
    t = type(value)
    if t in PLAIN_SCALARS:
        return True
    if t is float:
        return math.isfinite(value)
    if depth >= MAX_DEPTH:
        return False
    if t is dict:
        for k, v in value.items():
            if type(k) is not str or (type(v) not in PLAIN_SCALARS and not plain(v, depth + 1)):
                return False
        return True
    if t is list or t is tuple:
        for v in value:
            if type(v) not in PLAIN_SCALARS and not plain(v, depth + 1):
                return False
        return True
    return False


def fast_body(data, limit):
    """The data as a compact JSON body when it is plain and fits the limit, else None (clean() and fit() then)."""
    if not plain(data):
        return None
    body = PLAIN_JSON.encode(data)
    # ensure_ascii (the default): every character is one byte.
    return body if len(body) <= limit else None


def slim(event, kwargs):
    """The kwargs as JSON-safe data without the heavy fields, stamped with an event id and time.

    A verdict hook keeps only the fields the daemon reads for it (and the bridge's own _plutus_ ones).
    """
    fields = VERDICT_FIELDS.get(event)
    if fields is not None:
        out = {k: kwargs[k] for k in fields if k in kwargs}
        out.update((k, v) for k, v in kwargs.items() if isinstance(k, str) and k.startswith("_plutus_"))
    else:
        out = {k: v for k, v in kwargs.items() if k not in HEAVY}
    if event == "post_api_request" and kwargs.get("usage") is None:
        out["_plutus_tool_call_chars"] = tool_call_chars(kwargs)
    out["_plutus_event_id"] = event_id()
    out["_plutus_ts"] = time.time()
    return out


def needed(key):
    return key in NEEDED or key.startswith("_plutus_")


def size(data):
    return len(json.dumps(data, allow_nan=False).encode("utf-8"))


def fit(data, limit):
    """The cleaned kwargs as a JSON body of at most `limit` bytes.

    Fields the daemon does not read go first, largest first, and are named in _plutus_trimmed; if
    the needed ones are still too big, their long texts are cut, and at last only their plain values stay.
    """
    body = json.dumps(data, allow_nan=False)
    if len(body.encode("utf-8")) <= limit:
        return body
    out = dict(data)
    out["_plutus_trimmed"] = []
    total = size(out)
    for key, weight in sorted(((k, size({k: v})) for k, v in data.items() if not needed(k)), key=lambda kw: -kw[1]):
        if total <= limit:
            break
        del out[key]
        out["_plutus_trimmed"].append(key[:100])
        total -= weight - len(json.dumps(key[:100]).encode("utf-8"))
    body = json.dumps(out, allow_nan=False)
    if len(body.encode("utf-8")) <= limit:
        return body
    out = {k: v for k, v in out.items() if needed(k)}
    out = {k[:MAX_NEEDED_CHARS]: cut(v) for k, v in out.items()}
    body = json.dumps(out, allow_nan=False)
    if len(body.encode("utf-8")) <= limit:
        return body
    return json.dumps({k: v for k, v in out.items() if v is None or isinstance(v, (bool, int, float))
                       or (isinstance(v, str) and len(v) <= 256)}, allow_nan=False)


def cut(value, depth=0):
    """Cleaned data with every text held to MAX_NEEDED_CHARS and every container to 64 entries."""
    if isinstance(value, str):
        return value[:MAX_NEEDED_CHARS]
    if isinstance(value, dict):
        return {k[:MAX_NEEDED_CHARS]: cut(v, depth + 1) for k, v in list(value.items())[:64]} if depth < 4 else None
    if isinstance(value, list):
        return [cut(v, depth + 1) for v in value[:64]] if depth < 4 else None
    return value


# --- stopping a request (see docs/hermes-request-shapes.md) -------------------------------------
STOP_TEXT = "Plutus stopped this call: the budget does not allow it. Reply: stopped."
# The smallest output limit every API below accepts (the Responses API refuses less than 16).
STOP_TOKENS = 16
# System blocks up to this size survive a shrink: an OAuth identity line some endpoints insist on, never a prompt.
SHORT_SYSTEM_CHARS = 256
# Reasoning/thinking switches inside extra_body or additionalModelRequestFields: a budget there would not fit 16 tokens.
THINKING_KEYS = ("reasoning", "thinking", "reasoning_config", "enable_thinking")


class NoVerdict(ValueError):
    """The daemon answered 200 with something that is not a verdict (not a JSON object)."""


def verdict_of(body):
    """The daemon's 200 answer as a dict; NoVerdict when it is not a JSON object (never taken as allow)."""
    try:
        reply = json.loads(body or b"{}")
    except ValueError as e:
        raise NoVerdict("the daemon answered with malformed JSON (%s)" % one_line(e))
    if not isinstance(reply, dict):
        raise NoVerdict("the daemon answered with JSON that is not an object (%s)" % type(reply).__name__)
    return reply


def one_line(e):
    """An exception as one short line for the log (no traceback)."""
    text = str(e).splitlines()[0] if str(e) else ""
    return "%s: %s" % (type(e).__name__, text) if text else type(e).__name__


def approx_tokens(request):
    """A rough prompt size (characters of its JSON / 4) of a request, for the daemon's expected-cost check."""
    try:
        return approx_chars(request) // 4
    except Exception:  # noqa: BLE001
        return 0


def _text_chars(text):
    """ASCII text by its length and quotes (its escapes are left out: the model reads a newline, not a backslash and
    an n); any other as json writes it, \\u escapes and all (1.5 tokens a character at /4, so CJK text is not undercounted)."""
    if text.isascii():
        return len(text) + 2
    return len(json.dumps(text))


_LEFT = object()   # marks, on approx_chars's stack, that the walk has left the container under it


def approx_chars(value):
    """About as many characters as json.dumps(value, default=str) writes, without writing them.

    A long conversation is walked message by message: each ASCII string costs a length, not an encode of every byte,
    so a 500 kB request takes a fraction of json.dumps's time in the middleware (_text_chars says how each string is
    counted). A container shared between places counts at each, as json writes it; one inside itself (a cycle, which
    json refuses) is not followed again, and no depth can overflow the stack.
    """
    total = 0
    stack = [value]
    open_ids = set()   # the containers the walk is inside
    while stack:
        v = stack.pop()
        if v is _LEFT:
            open_ids.discard(stack.pop())
        elif isinstance(v, str):
            total += _text_chars(v)
        elif isinstance(v, dict):
            if id(v) in open_ids:
                continue
            open_ids.add(id(v))
            stack += (id(v), _LEFT)
            total += 2 + 4 * len(v)   # braces; per member ": " and ", "
            for k, item in v.items():
                total += _text_chars(k) if isinstance(k, str) else len(str(k)) + 2
                stack.append(item)
        elif isinstance(v, (list, tuple)):
            if id(v) in open_ids:
                continue
            open_ids.add(id(v))
            stack += (id(v), _LEFT)
            total += 2 + 2 * len(v)
            stack.extend(v)
        elif v is None or isinstance(v, bool):
            total += 5
        elif isinstance(v, int):
            # repr refuses ints over 4,300 digits; the digits a bit length gives are as good.
            total += len(repr(v)) if v.bit_length() < 10000 else v.bit_length() * 3 // 10 + 2
        elif isinstance(v, float):
            total += len(repr(v))
        else:
            try:
                total += _text_chars(str(v))
            except Exception:  # noqa: BLE001 - one odd leaf (a __str__ that raises) is left out, not the request
                continue
    return total


def requested_max_tokens(request, api_mode):
    """The output limit the request asks for, wherever its API keeps it; None when it sets none."""
    if api_mode == "bedrock_converse" or "inferenceConfig" in request:
        value = (request.get("inferenceConfig") or {}).get("maxTokens")
    else:
        value = next((request[k] for k in ("max_output_tokens", "max_completion_tokens", "max_tokens")
                      if isinstance(request.get(k), int)), None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _without_thinking(extra):
    return {k: v for k, v in extra.items() if k not in THINKING_KEYS} if isinstance(extra, dict) else extra


def _short_system(system):
    """At most one short system block (an identity line), without cache markers; None when there is none.

    The cap is on the system text in all, not per block: many short blocks would add up to a full prompt.
    """
    if isinstance(system, str):
        return system if len(system) <= SHORT_SYSTEM_CHARS else None
    if not isinstance(system, list):
        return None
    for b in system:
        if isinstance(b, dict) and isinstance(b.get("text"), str) and len(b["text"]) <= SHORT_SYSTEM_CHARS:
            return [{k: v for k, v in b.items() if k != "cache_control"}]
    return None


def _shrink_chat(r):
    # Chat Completions: OpenAI's reasoning models take max_completion_tokens and refuse max_tokens; never both.
    for k in ("tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "response_format",
              "prediction", "audio", "modalities", "n"):
        r.pop(k, None)
    r["messages"] = [{"role": "user", "content": STOP_TEXT}]
    if "max_completion_tokens" in r or "reasoning_effort" in r:
        r.pop("max_tokens", None)
        r["max_completion_tokens"] = STOP_TOKENS
    else:
        r["max_tokens"] = STOP_TOKENS
    if "reasoning_effort" in r:
        r["reasoning_effort"] = "low"
    if "extra_body" in r:
        r["extra_body"] = _without_thinking(r["extra_body"])
    return r


def _shrink_responses(r):
    # Responses API: input + max_output_tokens (at least 16); it has no messages or max_tokens.
    for k in ("tools", "tool_choice", "parallel_tool_calls", "previous_response_id", "include", "messages",
              "max_tokens", "max_completion_tokens", "text", "prompt_cache_key"):
        r.pop(k, None)
    r["input"] = [{"role": "user", "content": [{"type": "input_text", "text": STOP_TEXT}]}]
    if "instructions" in r:   # some backends (ChatGPT's Codex) insist on instructions: keep one short line
        r["instructions"] = "Answer in one word."
    r["max_output_tokens"] = STOP_TOKENS
    if isinstance(r.get("reasoning"), dict):
        r["reasoning"] = {"effort": "low"}
    if "extra_body" in r:
        r["extra_body"] = _without_thinking(r["extra_body"])
    return r


def _shrink_anthropic(r):
    # Messages API: max_tokens is required, and thinking.budget_tokens must stay below it: thinking goes.
    for k in ("tools", "tool_choice", "thinking", "context_management", "mcp_servers", "container"):
        r.pop(k, None)
    if r.get("temperature") is not None and "top_p" in r:
        r.pop("top_p")
    system = _short_system(r.pop("system", None))
    if system is not None:
        r["system"] = system
    r["messages"] = [{"role": "user", "content": STOP_TEXT}]
    r["max_tokens"] = STOP_TOKENS
    if "extra_body" in r:
        r["extra_body"] = _without_thinking(r["extra_body"])
    return r


def _shrink_bedrock(r):
    # Converse: the limit is inferenceConfig.maxTokens; there is no top-level max_tokens.
    for k in ("toolConfig", "max_tokens", "promptVariables"):
        r.pop(k, None)
    r.pop("system", None)
    r["messages"] = [{"role": "user", "content": [{"text": STOP_TEXT}]}]
    inference = dict(r.get("inferenceConfig") or {})
    inference["maxTokens"] = STOP_TOKENS
    r["inferenceConfig"] = inference
    if isinstance(r.get("additionalModelRequestFields"), dict):
        r["additionalModelRequestFields"] = _without_thinking(r["additionalModelRequestFields"])
    return r


SHRINKERS = {"chat_completions": _shrink_chat, "codex_responses": _shrink_responses,
             "anthropic_messages": _shrink_anthropic, "bedrock_converse": _shrink_bedrock}


def _shrink_unknown(r):
    """A format Plutus does not know: only fields it already has are changed, none added. Returns the levers used."""
    used = []
    if isinstance(r.get("messages"), list):
        r["messages"] = [{"role": "user", "content": STOP_TEXT}]
        used.append("messages replaced by one line")
    elif isinstance(r.get("input"), (list, str)):
        r["input"] = STOP_TEXT
        used.append("input replaced by one line")
    for k in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
        if k in r:
            r[k] = STOP_TOKENS
            used.append("%s=%d" % (k, STOP_TOKENS))
    if isinstance(r.get("inferenceConfig"), dict) and "maxTokens" in r["inferenceConfig"]:
        r["inferenceConfig"] = dict(r["inferenceConfig"], maxTokens=STOP_TOKENS)
        used.append("inferenceConfig.maxTokens=%d" % STOP_TOKENS)
    for k in ("tools", "toolConfig", "tool_choice"):
        if r.pop(k, None) is not None:
            used.append("%s dropped" % k)
    return used


def shrink_request(request, api_mode):
    """The request as one its provider accepts and that costs almost nothing, and the lever used when
    the format is unknown (None for a known one)."""
    r = dict(request)
    shrinker = SHRINKERS.get(api_mode)
    if shrinker is not None:
        return shrinker(r), None
    used = _shrink_unknown(r)
    return r, ", ".join(used) if used else None


class Bridge:
    def __init__(self, settings, pause_job=None):
        self.s = settings
        self.home = settings["plutus_home"]
        self.local = threading.local()
        self.lock = threading.Lock()
        self.endpoint = None          # (host, port, token, daemon.json mtime, hook socket path, hook channel path)
        self.down_until = 0.0         # after a failure, spool straight away for a moment
        self.last_autostart = 0.0
        self.unchecked = set()        # sessions whose tools ran while the daemon was unreachable
        self.warned = set()           # sessions already told so (once each)
        # job id -> reason of the pause last carried out for it. The daemon asks once per job, window
        # and period, and its reason names the period, so only a repeat of the same request is skipped:
        # a job the user resumed is paused again when it goes over budget in a later period.
        self.paused_jobs = {}
        self.stopped = {}             # session -> why Plutus stopped it
        self.held = collections.deque()   # spool lines not yet written: retried before every new one
        self.spool_problem = None     # why the spool refused them, while it does
        self.spool_told = False       # the conversation was told (once per episode)
        self.dropped = 0              # events lost because even the memory queue was full
        self.refusal_told = False     # the log was told that refused events are spooled (once)
        self.clean_problem_told = False   # the log was told that some kwargs could not be serialised (once)
        self.lever_told = set()       # api_modes whose shrink lever was logged
        self.unchanged_told = set()   # (session, api_mode) whose request went out unchanged, logged once each
        self.pause_job = pause_job or _hermes_pause_job
        self.client = transport.DaemonClient()
        # Hooks go over the daemon's framed hook channel when it announces one; HTTP when it has none or fails.
        self.channel = transport.ChannelClient()
        self.channel_down_until = 0.0   # after the channel could not be reached, HTTP for a moment
        self.slow_answers = 0           # hooks in a row the daemon answered too late (see _pause_after)
        self.channel_problem = None     # why, while it could not (logged once per episode)
        self.sent_by = {"channel": 0, "http": 0}   # hooks sent each way (the benchmark checks them)
        # Hooks with no verdict go to this journal, which the daemon tails; None: every hook is sent (shell hooks).
        self.journal = transport.Journal(os.path.join(self.home, "hook-journal")) if settings.get("journal", True) else None
        self.journal_down_until = 0.0   # after a failed journal write, spool straight away for a moment
        self.journal_problem = None     # why the journal refused, while it does (logged once per episode)
        # pre_tool_call answered from the daemon's published verdicts when provably current (docs/hook-snapshot.md).
        self.snapshot = (transport.VerdictSnapshot(os.path.join(self.home, transport.SNAPSHOT_FILE))
                         if self.journal is not None and settings.get("snapshot", True) else None)
        self.answered_by = {"snapshot": 0, "daemon": 0}   # pre_tool_call answers each way (the benchmark checks them)
        self.llm_answered_by = {"snapshot": 0, "daemon": 0}   # pre_llm_call answers each way
        # (session, api_request_id, provider, model) of requests the daemon holds money for on the middleware's ask, newest last: their
        # pre_api_request only renews that hold, so it is journaled instead of asked (docs/hook-journal.md).
        self.held_by_middleware = collections.OrderedDict()
        self.api_answered_by = {"journal": 0, "daemon": 0}   # pre_api_request each way (the benchmark checks them)
        # (session, api_request_id) -> approx_input_tokens of requests not yet reported, newest last: their
        # post_api_request carries it, so a reply without usage is estimated from its own request whatever order the
        # daemon reads the journal and the spool in, and across a daemon restart.
        self.request_sizes = collections.OrderedDict()

    # --- transport -------------------------------------------------------------------------
    def _endpoint(self):
        info_path = os.path.join(self.home, "daemon.json")
        mtime = os.stat(info_path).st_mtime_ns
        ep = self.endpoint
        if ep is None or ep[3] != mtime:
            with open(info_path, encoding="utf-8") as f:
                info = json.load(f)
            with open(os.path.join(self.home, "daemon.token"), encoding="ascii") as f:
                token = f.read().strip()
            ep = self.endpoint = (info["host"], int(info["port"]), token, mtime, info.get("socket"), info.get("hook_channel"))
            self.close()
        return ep

    def post(self, path, body, timeout_ms, content_type="application/json"):
        """POST over a pooled kept-alive connection (transport.py); returns (status, body bytes) or raises."""
        return self.client.post(self._endpoint(), path, body, timeout_ms, content_type)

    def post_hook(self, event, body):
        """Sends one hook: on the hook channel when the daemon has one, else (or when it cannot be reached) over HTTP.

        Returns (status, body bytes) or raises, as post does; a daemon that answers slowly is not asked twice.
        """
        ep = self._endpoint()
        if ep[5] and time.time() >= self.channel_down_until:
            try:
                status, answer, generation = self.channel.request_with_generation(ep[5], ep[2], event, body,
                                                                                   self.s["timeout_ms"])
                self.sent_by["channel"] += 1
                self.slow_answers = 0
                if self.snapshot is not None:
                    self.snapshot.saw(generation)
                if self.channel_problem is not None:
                    self.channel_problem = None
                    log.info("Plutus hook channel usable again")
                return status, answer
            except transport.ChannelUnavailable as e:
                self.channel_down_until = time.time() + 1.0
                if self.channel_problem is None:
                    log.info("Plutus hook channel unavailable (%s); hooks use HTTP meanwhile", one_line(e))
                self.channel_problem = str(e)
        self.sent_by["http"] += 1
        self.client.answered.generation = None
        answer = self.post("/hooks/" + event, body, self.s["timeout_ms"])
        self.slow_answers = 0
        if self.snapshot is not None:
            self.snapshot.saw(self.client.last_generation())
        return answer

    def spool(self, event, body):
        """Appends the event to the spool (owner-only file); if that fails it waits in memory and is retried."""
        line = '{"event": %s, "kwargs": %s}\n' % (json.dumps(event), body)
        with self.lock:
            self.held.append(line)
            if len(self.held) > MAX_HELD:
                self.held.popleft()
                self.dropped += 1
                if self.dropped == 1:
                    log.error("Plutus spool unwritable and %d events already held in memory: the oldest are being dropped",
                              MAX_HELD)
            self._flush_held()

    def _flush_held(self):
        """Writes the events held in memory to the spool, oldest first; the caller holds self.lock."""
        if not self.held:
            return True
        spool_dir = os.path.join(self.home, "spool")
        try:
            os.makedirs(spool_dir, mode=0o700, exist_ok=True)
            name = "%s-%d.jsonl" % (socket.gethostname(), os.getpid())
            fd = os.open(os.path.join(spool_dir, name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                while self.held:
                    f.write(self.held[0])
                    f.flush()
                    self.held.popleft()
        except (OSError, ValueError) as e:
            if self.spool_problem is None:
                log.warning("Plutus cannot write its spool (%s); %d event(s) held in memory and retried", e, len(self.held))
            self.spool_problem = str(e)
            return False
        if self.spool_problem is not None:
            log.warning("Plutus spool writable again; held events written")
        self.spool_problem, self.spool_told = None, False
        return True

    def retry_held(self):
        """Called after the daemon answered: the spool may be writable again (the daemon replays it)."""
        if self.held:
            with self.lock:
                self._flush_held()

    def serve_command(self):
        """`plutus serve` as the user types it: with --home when this home is not the one a bare command finds."""
        import shlex
        if os.path.abspath(self.home) == os.path.abspath(os.path.expanduser("~/.hermes/plutus")):
            return "%s serve" % shlex.quote(self.s["launcher"])
        return "%s serve --home %s" % (shlex.quote(self.s["launcher"]), shlex.quote(self.home))

    def autostart(self):
        if not self.s["autostart"] or time.time() - self.last_autostart < 30:
            return
        self.last_autostart = time.time()
        try:
            subprocess.Popen([self.s["launcher"], "serve", "--home", self.home], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            log.warning("Plutus daemon was down; started `%s`", self.serve_command())
        except Exception as e:  # noqa: BLE001 - never raise into Hermes
            log.warning("could not start the Plutus daemon: %s", e)

    def forward(self, event, kwargs):
        """The daemon's answer as a dict, or None when it gave none (the event is spooled).

        None covers a daemon that is down or slow and one that answered anything but 200: no verdict
        was computed, so pre_tool_call follows fail_mode, and the event is kept in the spool rather than
        dropped (the daemon replays it, and sets aside in spool/rejected.jsonl what it still refuses).
        """
        self.local.why = None
        payload = self.payload(event, self.with_journal_position(kwargs))
        if time.time() >= self.down_until:
            try:
                status, body = self.post_hook(event, payload.encode("utf-8"))
                if status == 200:
                    self.retry_held()
                    return verdict_of(body)
                self.local.why = "the daemon refused the event (HTTP %d)" % status
                self._refused(event, status, body)
            except NoVerdict as e:
                # As from a daemon that is away: no verdict, so fail_mode applies and the event is kept
                # (it carries its id, so a daemon that did record it does not count it twice).
                self.local.why = str(e)
                log.warning("Plutus got no verdict for %s: %s; %s spooled", event, e, event)
            except Exception as e:  # noqa: BLE001
                log.warning("%s (%s); %s spooled", UNREACHABLE, one_line(e), event)
                if self._pause_after(e):
                    self.autostart()
        self.spool(event, payload)
        return None

    def journal_event(self, event, kwargs):
        """Appends a hook that carries no verdict to the journal; when that fails, to the spool (or memory)."""
        payload = self.payload(event, kwargs)
        if time.time() >= self.journal_down_until:
            try:
                self.journal.append(('{"event": %s, "kwargs": %s}\n' % (json.dumps(event), payload)).encode("utf-8"),
                                    marks=event not in NO_VERDICT_CHANGE,
                                    cost=call_cost(kwargs) if event == "post_api_request" else None)
                if self.journal_problem is not None:
                    self.journal_problem = None
                    log.warning("Plutus hook journal writable again")
                if self.held:
                    self.retry_held()
                return
            except OSError as e:
                self.journal_down_until = time.time() + 1.0
                if self.journal_problem is None:
                    log.warning("Plutus cannot write its hook journal (%s); events go to the spool meanwhile", one_line(e))
                self.journal_problem = str(e)
        self.spool(event, payload)

    def with_journal_position(self, kwargs):
        """The kwargs plus where this process's journal stands, so the daemon counts every earlier event first.

        With them goes this bridge's timeout: the daemon gives up catching up with the journal in time to answer
        "verdict unknown" before the bridge stops waiting (fail_mode then decides, as for a daemon that is down).
        """
        position = self.journal.position() if self.journal is not None else None
        if position is None:
            return kwargs
        return dict(kwargs, _plutus_journal=position[0], _plutus_journal_offset=position[1],
                    _plutus_timeout_ms=self.s["timeout_ms"])

    def payload(self, event, kwargs):
        """The event as a JSON body within the daemon's limit; never raises, so the event is sent or spooled.

        Kwargs that cannot be made into JSON at all leave at least what the daemon prices and
        attributes with (usage, ids, provider, model), each field cleaned on its own.
        """
        limit = self.s.get("max_body_bytes") or MAX_BODY_BYTES
        try:
            data = slim(event, kwargs)
            return fast_body(data, limit) or fit(clean(data), limit)
        except Exception as e:  # noqa: BLE001 - a RecursionError, an odd mapping: keep what can be kept
            if not self.clean_problem_told:
                self.clean_problem_told = True
                log.warning("Plutus could not serialise the %s kwargs (%s: %s); only the fields it needs are sent "
                            "(said once)", event, type(e).__name__, e)
            else:
                log.debug("Plutus could not serialise the %s kwargs (%s)", event, e)
        kept = {"_plutus_event_id": event_id(), "_plutus_ts": time.time()}
        try:
            names = [k for k in list(kwargs) if isinstance(k, str) and needed(k)]
        except Exception:  # noqa: BLE001
            names = []
        for name in names:
            try:
                value = clean(kwargs[name])
                json.dumps(value, allow_nan=False)
                kept[name] = value
            except Exception:  # noqa: BLE001
                kept[name] = "<unserialisable>"
        if event == "post_api_request" and kept.get("usage") is None:
            kept["_plutus_tool_call_chars"] = tool_call_chars(kwargs)
        try:
            return fit(kept, limit)
        except Exception:  # noqa: BLE001
            return json.dumps({k: kept[k] for k in ("_plutus_event_id", "_plutus_ts")})

    def _refused(self, event, status, body):
        text = body[:200].decode("utf-8", "replace")
        if not self.refusal_told:
            self.refusal_told = True
            log.warning("Plutus daemon answered %d to %s (%s): no verdict, so fail_mode applies; the event is spooled for "
                        "the daemon to replay, which sets what it still refuses aside in spool/rejected.jsonl (said once)",
                        status, event, text)
        else:
            log.debug("Plutus daemon answered %d to %s (%s); event spooled", status, event, text)

    def close(self):
        """Closes the idle connections to the daemon."""
        self.client.close_all()
        self.channel.close_all()

    # --- hooks -----------------------------------------------------------------------------
    def on_hook(self, event, kwargs):
        try:
            if event == "pre_api_request":
                self._note_request_size(kwargs)
            elif event == "post_api_request":
                kwargs = self._with_request_size(kwargs)
            if self.journal is not None and event not in VERDICT_HOOKS:
                self.journal_event(event, kwargs)
                return None
            if event == "pre_api_request" and self.journal is not None:
                if self._held_by_middleware(kwargs):
                    # Hermes ignores this hook's answer and the middleware has already decided this very request:
                    # what is left is to renew its hold with the request as it finally went out, which the
                    # daemon does as it reads the journal.
                    self.api_answered_by["journal"] += 1
                    self.journal_event(event, kwargs)
                    return None
                self.api_answered_by["daemon"] += 1
            if event == "pre_tool_call" and self.snapshot is not None:
                reply = self.from_snapshot(kwargs)
                if reply is not None:
                    return self.carry_out(event, kwargs, reply)
                self.answered_by["daemon"] += 1
            elif event == "pre_llm_call" and self.snapshot is not None:
                if self.quiet_from_snapshot(kwargs):
                    return self.carry_out(event, kwargs, {})
                self.llm_answered_by["daemon"] += 1
            reply = self.forward(event, kwargs)
            return self.carry_out(event, kwargs, reply)
        except Exception as e:  # noqa: BLE001 - a bridge fault must never break the agent
            log.warning("Plutus bridge error in %s: %s", event, e)
            if event == "pre_tool_call" and self.s["fail_mode"] == "closed":
                return {"action": "block", "message": "%s and fail_mode is closed: %s" % (UNREACHABLE, e)}
            return None

    def from_snapshot(self, kwargs):
        """pre_tool_call's answer from verdicts.snap, or None to ask the daemon.

        Only when the daemon is not known to be down, and the snapshot is whole, at least as new as every
        daemon answer this process got, has counted every journaled event of this process that may change
        a verdict, is within its valid_until and lists the session (transport.VerdictSnapshot.answer).
        """
        if time.time() < self.down_until:
            return None
        session = kwargs.get("session_id")
        if not isinstance(session, str) or not session:
            return None
        reply = self.snapshot.answer(session, self.journal.marked(), time.time() * 1000.0, self.journal.uncounted)
        if reply is not None:
            self.answered_by["snapshot"] += 1
        return reply

    def quiet_from_snapshot(self, kwargs):
        """True when verdicts.snap shows pre_llm_call has nothing to hand out for the session (answered "nothing"
        without asking the daemon); under the rules of from_snapshot (transport.VerdictSnapshot.quiet)."""
        if time.time() < self.down_until:
            return False
        session = kwargs.get("session_id")
        if not isinstance(session, str) or not session:
            return False
        if self.snapshot.quiet(session, kwargs, self.journal.marked(), time.time() * 1000.0, self.journal.uncounted):
            self.llm_answered_by["snapshot"] += 1
            return True
        return False

    def carry_out(self, event, kwargs, reply):
        session = kwargs.get("session_id") or ""
        out = {}
        if reply is None:
            if event == "pre_tool_call":
                if self.s["fail_mode"] == "closed":
                    why = getattr(self.local, "why", None)
                    head = UNREACHABLE if why is None else "Plutus could not compute a budget verdict (%s)" % why
                    return {"action": "block", "message": head + " and fail_mode is closed; the tool was not run."}
                self.unchecked.add(session)
        else:
            pause = reply.get("pause_cron_job")
            if isinstance(pause, dict) and pause.get("job_id") and self._first_asking(pause):
                try:
                    self.pause_job(pause["job_id"], reason=pause.get("reason"))
                    log.warning("Plutus paused cron job %s: %s", pause["job_id"], pause.get("reason"))
                except Exception as e:  # noqa: BLE001
                    log.warning("could not pause cron job %s: %s", pause["job_id"], e)
            if reply.get("stop_session"):
                stop = reply["stop_session"]
                self.stopped[session] = (stop.get("reason") if isinstance(stop, dict) else None) or "The budget is exhausted."
            elif event in ("pre_api_request", "llm_request"):
                # Hermes ignores this hook's answer, so a hard verdict here stops the session through
                # the request middleware instead: chat-only sessions are stopped too, not just tool users.
                if reply.get("action") == "block":
                    self.stopped[session] = reply.get("message") or "The budget is exhausted."
                else:
                    self.stopped.pop(session, None)
            out = {k: v for k, v in reply.items() if k in ("context", "action", "message")}
        if event == "pre_llm_call":
            notes = [out["context"]] if out.get("context") else []
            if session in self.stopped:
                # The budget notice of this turn already says why: the stop is then one line, not the reason twice.
                reason = self.stopped[session]
                said = reason[len("Plutus: "):] if reason.startswith("Plutus: ") else reason
                why = "" if any(said in n for n in notes) else reason + " "
                notes.append(why + "Plutus stopped this run: reply in one line and call no tools.")
            if (reply is None or session in self.unchecked) and session not in self.warned:
                self.warned.add(session)
                if self.s["fail_mode"] == "closed":
                    notes.append(UNREACHABLE + "; spend is still recorded and will be counted, and tools are blocked "
                                 "until it answers again (fail_mode: closed).")
                else:
                    notes.append(UNREACHABLE + "; spend is still recorded and will be counted, but budgets were "
                                 "not enforced while it was away.")
            if self.spool_problem is not None and not self.spool_told:
                self.spool_told = True
                notes.append("Plutus cannot write its spool (%s): %d event(s) are held in memory and retried; they are "
                             "lost if Hermes stops before the disk is fixed." % (self.spool_problem, len(self.held)))
            if notes:
                out["context"] = "\n\n".join(notes)
        return out or None

    def _first_asking(self, pause):
        """True the first time the daemon asks for this pause; a failed pause is not retried until it asks anew."""
        job, reason = pause.get("job_id"), pause.get("reason")
        with self.lock:
            if job in self.paused_jobs and self.paused_jobs[job] == reason:
                return False
            self.paused_jobs[job] = reason
            return True

    def llm_request(self, request=None, session_id=None, api_mode=None, **context):
        """Middleware: a session over budget makes no costly model call; its request shrinks to one line.

        Hermes applies this middleware before it fires pre_api_request, so the verdict is asked for
        here, for this very call; the last one known stands only when the daemon gives none.
        """
        try:
            if not isinstance(request, dict) or self._stop_reason(session_id, request, api_mode, context) is None:
                return None
            small, lever = shrink_request(request, api_mode)
            if api_mode not in SHRINKERS and lever is None:
                self._went_out_unchanged(session_id, api_mode)
                return None
            if lever is not None and api_mode not in self.lever_told:
                self.lever_told.add(api_mode)
                log.warning("Plutus stopped a request of unknown api_mode %r by the safest lever it has: %s (said once "
                            "per api_mode)", api_mode, lever)
            return {"request": small}
        except Exception as e:  # noqa: BLE001
            log.warning("Plutus middleware error: %s", e)
        return None

    def _went_out_unchanged(self, session, api_mode):
        """A stopped session's request Plutus could not shrink: it goes out as it was, and the log says so.

        Hermes's llm_execution middleware cannot decline a call safely: one that raises is logged and the
        call proceeds, and one that returns without calling next_call must hand back a provider response,
        whose shape Hermes's caller decides and Plutus cannot forge. So the request is not touched.
        """
        key = (session or "", api_mode)
        if key in self.unchanged_told:
            return
        self.unchanged_told.add(key)
        log.warning("Plutus could NOT stop session %s: its request (api_mode %r) has no field Plutus knows how to "
                    "shrink, so it went out UNCHANGED at full cost although the budget says stop (%s). Hermes offers no "
                    "way for a plugin to cancel a model call; its tools are still blocked (said once per session and "
                    "api_mode)", session or "(none named)", api_mode, self.stopped.get(session or ""))

    def _stop_reason(self, session, request, api_mode, context):
        """Why this call must not go out at full size, or None: the daemon's verdict now, else the last one known."""
        kwargs = {"session_id": session, "platform": context.get("platform"), "model": context.get("model"),
                  "provider": context.get("provider"), "api_request_id": context.get("api_request_id"),
                  "api_mode": api_mode, "approx_input_tokens": approx_tokens(request),
                  "max_tokens": requested_max_tokens(request, api_mode)}
        reply = self.ask("llm_request", kwargs)
        if reply is not None:
            self.carry_out("llm_request", kwargs, reply)
            self._note_held(kwargs)
        return self.stopped.get(session or "")

    def _note_held(self, kwargs):
        """Remembers a request the daemon answered the middleware for with an id and provider: it admitted the request
        (a hold) or refused it, either way decided under its lock (HookDispatcher.preApiRequest)."""
        session, request_id, provider = kwargs.get("session_id"), kwargs.get("api_request_id"), kwargs.get("provider")
        if not all(isinstance(v, str) and v.strip() for v in (request_id, provider)):
            return
        key = (session, request_id, provider, kwargs.get("model"))
        with self.lock:
            self.held_by_middleware[key] = True
            self.held_by_middleware.move_to_end(key)
            while len(self.held_by_middleware) > MAX_HELD_REQUESTS:
                self.held_by_middleware.popitem(last=False)

    def _note_request_size(self, kwargs):
        request_id, tokens = kwargs.get("api_request_id"), kwargs.get("approx_input_tokens")
        if not isinstance(request_id, str) or isinstance(tokens, bool) or not isinstance(tokens, (int, float)):
            return
        if not (math.isfinite(tokens) and tokens > 0):
            return
        key = (kwargs.get("session_id"), request_id)
        with self.lock:
            self.request_sizes[key] = int(tokens)
            self.request_sizes.move_to_end(key)
            while len(self.request_sizes) > MAX_HELD_REQUESTS:
                self.request_sizes.popitem(last=False)

    def _with_request_size(self, kwargs):
        """The post_api_request's kwargs with its request's size added (a copy: Hermes's dict is left alone)."""
        request_id = kwargs.get("api_request_id")
        if not isinstance(request_id, str):
            return kwargs
        with self.lock:
            tokens = self.request_sizes.pop((kwargs.get("session_id"), request_id), None)
        if tokens is None:
            return kwargs
        out = dict(kwargs)
        out["_plutus_approx_input_tokens"] = tokens
        return out

    def _held_by_middleware(self, kwargs):
        """Whether this pre_api_request is for a request the middleware already asked the daemon about (a retry too:
        Hermes keeps the api_request_id), to the same provider and model (a fallback switch is asked anew), with a journal
        to write it to."""
        request_id, provider = kwargs.get("api_request_id"), kwargs.get("provider")
        if not all(isinstance(v, str) and v.strip() for v in (request_id, provider)):
            return False
        if time.time() < self.journal_down_until:
            return False
        with self.lock:
            return (kwargs.get("session_id"), request_id, provider, kwargs.get("model")) in self.held_by_middleware

    def ask(self, event, kwargs):
        """The daemon's answer to a question that records nothing (so nothing is spooled), or None."""
        if time.time() < self.down_until:
            return None
        try:
            status, body = self.post_hook(event, to_json(self.with_journal_position(kwargs)).encode("utf-8"))
            return verdict_of(body) if status == 200 else None
        except NoVerdict as e:
            log.warning("Plutus got no verdict for %s: %s; answered from the last verdict known", event, e)
            return None
        except Exception as e:  # noqa: BLE001
            log.warning("%s (%s); %s answered from the last verdict known", UNREACHABLE, one_line(e), event)
            self._pause_after(e)
            return None

    def _pause_after(self, error):
        """After a failed hook: True (and hooks skip the daemon for 2 s) unless it was one slow answer.

        A daemon that cannot be reached is skipped at once, so Hermes does not wait on it hook after hook. One
        that accepted and then answered too late is running (a verdict in a fresh JVM can take longer than the
        hook timeout): the next hook asks it again, so a stop it decides is not lost for two seconds of calls;
        only a second slow answer in a row starts the pause.
        """
        if isinstance(error, (socket.timeout, TimeoutError)):
            with self.lock:
                self.slow_answers += 1
                if self.slow_answers < 2:
                    return False
        self.down_until = time.time() + 2.0
        return True

    # --- commands --------------------------------------------------------------------------
    def command(self, name, raw_args):
        try:
            status, body = self.post("/commands/" + name, (raw_args or "").encode("utf-8"),
                                     self.s["command_timeout_ms"], "text/plain; charset=utf-8")
            text = body.decode("utf-8", "replace")
            return text if status == 200 else "Plutus: %s (HTTP %d)" % (text.strip(), status)
        except (socket.timeout, TimeoutError) as e:
            # It accepted the connection, so it runs: starting another would not help.
            log.warning("Plutus daemon did not answer /%s within %d ms (%s)", name, self.s["command_timeout_ms"], one_line(e))
            return ("Plutus: the budget daemon is running but did not answer within %.1f s; it may be busy or stuck "
                    "(`%s status` shows its state, its log is plutus.log in %s)."
                    % (self.s["command_timeout_ms"] / 1000.0, self.s["launcher"], self.home))
        except Exception as e:  # noqa: BLE001
            self.autostart()
            return "%s (%s). Start it with `%s`." % (UNREACHABLE, one_line(e), self.serve_command())


def _hermes_pause_job(job_id, reason=None):
    from cron.jobs import pause_job  # Hermes's own cron API, in the scheduler's process
    return pause_job(job_id, reason=reason)


# Side-task model calls (compression, titles, vision, ...): newer Hermes fires these (INTEGRATION.md §13).
AUXILIARY_HOOKS = ("pre_auxiliary_call", "post_auxiliary_call")
# A hook makes at most two attempts (a kept-alive connection the daemon closed is retried once) and may
# then write the spool: the bridge's timeout is held to this share of Hermes's hook_callback_timeout.
HOOK_TIMEOUT_SHARE = 4


# What Hermes uses when plugins.hook_callback_timeout is unset, null, negative, not a number, or
# config.yaml is missing or unreadable.
HERMES_DEFAULT_HOOK_TIMEOUT_S = 30.0


def hermes_hook_timeout(config_path=None):
    """Hermes's hook timeout in seconds as it applies it: plugins.hook_callback_timeout from config.yaml, its
    30 s default where Hermes replaces the value by it, or None for 0 (Hermes sets no limit)."""
    path = config_path or os.path.join(os.path.expanduser(os.environ.get("HERMES_HOME") or "~/.hermes"), "config.yaml")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return HERMES_DEFAULT_HOOK_TIMEOUT_S
    value = None
    try:
        import yaml  # Hermes itself depends on PyYAML
        loaded = yaml.safe_load(text)
        plugins = loaded.get("plugins") if isinstance(loaded, dict) else None
        value = plugins.get("hook_callback_timeout") if isinstance(plugins, dict) else None
    except ImportError:
        value = _scan_hook_timeout(text)
    except Exception:  # noqa: BLE001 - a config Hermes could not read either: it runs on its defaults
        return HERMES_DEFAULT_HOOK_TIMEOUT_S
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return HERMES_DEFAULT_HOOK_TIMEOUT_S
    if isinstance(value, bool) or not math.isfinite(seconds) or seconds < 0:
        return HERMES_DEFAULT_HOOK_TIMEOUT_S
    return None if seconds == 0 else seconds


def _scan_hook_timeout(text):
    """The key under a top-level `plugins:` mapping, for a Python without PyYAML."""
    inside = False
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            inside = line.split(":", 1)[0].strip() == "plugins"
            continue
        stripped = line.strip()
        if inside and stripped.startswith("hook_callback_timeout:"):
            return stripped.split(":", 1)[1].split("#", 1)[0].strip().strip("'\"")
    return None


def fit_timeout(settings, hook_timeout_s):
    """Holds the bridge's timeout safely below Hermes's hook timeout; returns the cap applied, or None."""
    if hook_timeout_s is None:
        return None
    cap = max(1, int(hook_timeout_s * 1000 / HOOK_TIMEOUT_SHARE))
    if settings["timeout_ms"] <= cap:
        return None
    log.warning("Hermes's plugins.hook_callback_timeout is %gs: Plutus holds its daemon timeout to %d ms (bridge.json says "
                "%d) so no hook outlasts it and Hermes never skips its callbacks", hook_timeout_s, cap, settings["timeout_ms"])
    settings["timeout_ms"] = cap
    return cap


def host_has_auxiliary_hooks():
    """Whether this Hermes fires pre/post_auxiliary_call: it lists them, or it has the newer dispatch that fires them."""
    try:
        from hermes_cli import plugins as hermes_plugins
        if all(h in getattr(hermes_plugins, "VALID_HOOKS", ()) for h in AUXILIARY_HOOKS):
            return True
        import importlib.util
        return importlib.util.find_spec("hermes_cli.plugins_dispatch") is not None
    except Exception:  # noqa: BLE001 - not inside Hermes, or an older one
        return False


def register(ctx, settings=None):
    s = settings or load_settings()
    fit_timeout(s, hermes_hook_timeout(s.get("hermes_config")))
    bridge = Bridge(s)
    hooks = list(s["hooks"])
    if s.get("auxiliary_hooks", host_has_auxiliary_hooks()):
        hooks += [h for h in AUXILIARY_HOOKS if h not in hooks]
    for hook in hooks:
        ctx.register_hook(hook, (lambda h: lambda **kw: bridge.on_hook(h, kw))(hook))
    for c in s["commands"]:
        ctx.register_command(c["name"], (lambda n: lambda raw_args="": bridge.command(n, raw_args))(c["name"]),
                             description=c.get("description", ""), args_hint=c.get("args_hint", ""))
    if hasattr(ctx, "register_middleware"):
        try:
            ctx.register_middleware("llm_request", bridge.llm_request)
        except Exception as e:  # noqa: BLE001
            log.warning("Plutus could not register its request middleware: %s", e)
    return bridge
