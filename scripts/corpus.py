#!/usr/bin/env python3
"""Helpers of scripts/corpus's `serve`; python3 only, no packages.

  corpus.py auth SERVED.json      schemathesis's config: credentials for each
                                  security scheme of the document, the ones
                                  the corpus starts contract-stub with
  corpus.py rss PID               peak resident memory of PID's children
                                  (the stub under scripts/supervise), in MiB
  corpus.py verdict OUTPUT.txt    schemathesis's summary split into response
                                  checks (must find nothing) and request-side
                                  checks (reported)
"""

import json
import os
import re
import sys

TOKEN, API_KEY, USER, PASSWORD = "corpus-token", "corpus-key", "corpus", "secret"

# schemathesis's failure codes (`st explain`) that judge what the stub
# answers; the others judge which requests it accepts, where FastAPI's own
# answers (a 401 without credentials, a 422 its export does not document)
# are kept
RESPONSE_CODES = {
    "ST101": "server error",
    "ST102": "server error on an undeclared content type",
    "ST104": "missing content type",
    "ST105": "undocumented content type",
    "ST106": "malformed content type",
    "ST107": "missing response header",
    "ST108": "response schema",
    "ST109": "invalid JSON",
    "ST110": "unparsable body",
    "ST111": "unknown discriminator",
    "ST204": "undeclared method not 405 with Allow",
    "ST205": "Allow differs from the path's methods",
    "ST301": "deleted resource still served",
    "ST302": "created resource not found",
}


def toml_string(value):
    return json.dumps(value)


def auth(path):
    doc = json.load(open(path))
    schemes = doc.get("components", {}).get("securitySchemes", {})
    print("# written by scripts/corpus: credentials contract-stub was started with")
    for name, scheme in schemes.items():
        kind = scheme.get("type")
        lines = []
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            lines = [f"username = {toml_string(USER)}", f"password = {toml_string(PASSWORD)}"]
        elif kind == "http" or kind in ("oauth2", "openIdConnect"):
            lines = [f"bearer = {toml_string(TOKEN)}"]
        elif kind == "apiKey":
            lines = [f"api_key = {toml_string(API_KEY)}"]
        if lines:
            print(f"[auth.openapi.{toml_string(name)}]")
            print("\n".join(lines))


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry))
    return out


def rss(pid):
    peak = 0
    for child in children(int(pid)):
        try:
            for line in open(f"/proc/{child}/status"):
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
    print(f"{peak / 1024:.0f}MiB" if peak else "?")


def verdict(path):
    text = open(path, errors="replace").read()
    found = {code: int(n) for code, n in re.findall(r"(ST\d{3}) [^:\n]*: (\d+)", text)}
    cases = re.search(r"(\d+) generated", text)
    response = {c: n for c, n in found.items() if c in RESPONSE_CODES}
    request = {c: n for c, n in found.items() if c not in RESPONSE_CODES}
    crashed = "SUMMARY" not in text
    parts = [f"cases {cases.group(1) if cases else '?'}"]
    parts.append(f"response failures {'crashed' if crashed else sum(response.values())}")
    if response:
        parts.append("(" + ", ".join(f"{c} {RESPONSE_CODES[c]}: {n}" for c, n in sorted(response.items())) + ")")
    parts.append(f"request-side {sum(request.values())}")
    if request:
        parts.append("(" + ", ".join(f"{c}: {n}" for c, n in sorted(request.items())) + ")")
    print("  ".join(parts))


if __name__ == "__main__":
    command, arg = sys.argv[1], sys.argv[2]
    {"auth": auth, "rss": rss, "verdict": verdict}[command](arg)
