#!/usr/bin/env python3
"""Writes every fixture's answer as a seed of its provider's fuzz target, in the harness's
input form: [operation index][status index | 0x80 for text/html][body].

    python3 fuzz/seed.py            # writes fuzz/corpus/<target>/<operation>__<case>

The operation index is the operation's place in the crate's operation table (ops.rs);
inbound decoders come after the operations (the exchanger's bid callback). An inbound
fixture's seed is its request body (the notification, the callback's form).
"""
import json
import os
import re
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUSES = [200, 201, 204, 304, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]
TARGETS = {
    "anor_bm": ("anor-bm", []),
    "requisite_uz": ("requisite-uz", []),
    "mobilnik": ("mobilnik", []),
    "mserver": ("mserver", []),
    "exchanger": ("exchanger", ["bid-callback"]),
}
LOCAL = {"payment-notification"}


def operations(provider):
    text = open(os.path.join(ROOT, "crates", provider, "src", "ops.rs"), encoding="utf-8").read()
    block = text[text.index("kassa_core::operations!"):]
    return re.findall(r'^\s*"([a-z0-9-]+)"\s*=>', block, re.M)


def raw_json(text):
    """The response's `json` value as written in the file (no re-serialising)."""
    start = text.index('"response"')
    at = text.find('"json"', start)
    if at < 0:
        return None
    dec = json.JSONDecoder()
    i = text.index(":", at) + 1
    while text[i] in " \t\r\n":
        i += 1
    _, end = dec.raw_decode(text, i)
    return text[i:end].encode()


def main():
    for target, (provider, inbound) in TARGETS.items():
        ops = operations(provider)
        out = os.path.join(ROOT, "fuzz", "corpus", target)
        os.makedirs(out, exist_ok=True)
        n = 0
        base = os.path.join(ROOT, "fixtures", provider)
        for op in sorted(os.listdir(base)):
            folder = os.path.join(base, op)
            if not os.path.isdir(folder):
                continue
            if op in ops:
                index = ops.index(op)
            elif op in inbound:
                index = len(ops) + inbound.index(op)
            else:
                raise SystemExit(f"{provider}/{op}: not in the operation table")
            for name in sorted(os.listdir(folder)):
                if not name.endswith(".json"):
                    continue
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                f = json.loads(text)
                req, resp = f["request"], f["response"]
                if op in inbound or op in LOCAL:
                    sel = 0
                    if req.get("form") is not None:
                        body = urllib.parse.urlencode(req["form"]).encode()
                    elif req.get("json") is not None:
                        body = json.dumps(req["json"]).encode()
                    else:
                        body = (req.get("text") or "").encode()
                else:
                    status = resp["status"]
                    sel = STATUSES.index(status)
                    ctype = " ".join(v for k, v in resp.get("headers", {}).items() if k.lower() == "content-type")
                    if "html" in ctype:
                        sel |= 0x80
                    body = raw_json(text) if "json" in resp else (resp.get("text") or "").encode()
                seed = bytes([index, sel]) + body
                with open(os.path.join(out, f"{op}__{name[:-5]}"), "wb") as fh:
                    fh.write(seed)
                n += 1
        print(f"{target}: {n} seeds")


if __name__ == "__main__":
    main()
