#!/usr/bin/env python3
"""Helpers of scripts/corpus's `serve`; python3 only, no packages.

  corpus.py auth SERVED.json      schemathesis's config: credentials for each
                                  security scheme of the document, the ones
                                  the corpus starts contract-stub with
  corpus.py rss PID               peak resident memory of PID's children
                                  (the stub under scripts/supervise), in MiB
  corpus.py rss-tree PID          the same of PID and its children (Prism)
  corpus.py table REPORT.txt      the docs' table: REPORT.txt (scripts/corpus
                                  build serve) beside target/bench/corpus.txt
                                  (scripts/bench corpus), in markdown
  corpus.py verdict OUTPUT.txt    schemathesis's summary split into response
                                  checks (must find nothing) and request-side
                                  checks (reported); ST205 at a place two
                                  templates of served.json (beside OUTPUT.txt)
                                  name is excused, and counted
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


def rss(pid, itself=False):
    """Peak resident memory of PID's children (the stub under
    scripts/supervise), or of PID and its children (`rss-tree`: Prism)."""
    peak = 0
    for child in children(int(pid)) + ([int(pid)] if itself else []):
        try:
            for line in open(f"/proc/{child}/status"):
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
    print(f"{peak / 1024:.0f}MiB" if peak else "?")


def shared_places(served):
    """The places (`/roles/{}`) that two templates of the document name
    differently (`/roles/{id}` beside `/roles/{scope}`)."""
    try:
        paths = json.load(open(served)).get("paths", {})
    except (OSError, ValueError):
        return set()
    seen = {}
    for path in paths:
        seen.setdefault(re.sub(r"\{[^}/]*\}", "{}", path), set()).add(path)
    return {place for place, templates in seen.items() if len(templates) > 1}


def excused_allow_failures(text, places):
    """ST205 failures of operations at a place two templates name: a request
    of one template's method to the other's is refused with the `Allow` of
    one of them, as Starlette does (the first route whose path matches), so
    schemathesis finds the other's methods missing whichever the stub picks.
    FastAPI itself cannot pass it; the spec names the place twice."""
    excused, place = 0, None
    for line in text.splitlines():
        header = re.match(r"^_+ [A-Z]+ (\S+) _+$", line)
        if header:
            place = re.sub(r"\{[^}/]*\}", "{}", header.group(1))
        elif line.startswith("_"):
            place = None
        elif line.startswith("- ST205") and place in places:
            excused += 1
    return excused


def verdict(path):
    text = open(path, errors="replace").read()
    found = {code: int(n) for code, n in re.findall(r"(ST\d{3}) [^:\n]*: (\d+)", text)}
    cases = re.search(r"(\d+) generated", text)
    response = {c: n for c, n in found.items() if c in RESPONSE_CODES}
    request = {c: n for c, n in found.items() if c not in RESPONSE_CODES}
    excused = min(response.get("ST205", 0),
                  excused_allow_failures(text, shared_places(os.path.join(os.path.dirname(path), "served.json"))))
    if excused:
        response["ST205"] -= excused
        if not response["ST205"]:
            del response["ST205"]
    crashed = "SUMMARY" not in text
    parts = [f"cases {cases.group(1) if cases else '?'}"]
    parts.append(f"response failures {'crashed' if crashed else sum(response.values())}")
    if response:
        parts.append("(" + ", ".join(f"{c} {RESPONSE_CODES[c]}: {n}" for c, n in sorted(response.items())) + ")")
    if excused:
        parts.append(f"(ST205 at a place two templates name, excused: {excused})")
    parts.append(f"request-side {sum(request.values())}")
    if request:
        parts.append("(" + ", ".join(f"{c}: {n}" for c, n in sorted(request.items())) + ")")
    print("  ".join(parts))


def table(report):
    """One markdown row per export from scripts/corpus's report and, where
    it was run, scripts/bench corpus's lines."""
    ours, theirs = {}, {}

    def field(pattern, line, default="?"):
        m = re.search(pattern, line)
        return m.group(1) if m else default

    for line in open(report):
        name = line.split(" ", 1)[0]
        if not name.endswith(".json"):
            continue
        row = ours.setdefault(name, {})
        if " generate " in line:
            row["generate"] = field(r"generate\s+([\d.]+)s", line)
            row["generated"] = field(r"Generated (\d+) of", line, None)
        elif " check client and API " in line:
            row["check"] = field(r"API\s+([\d.]+)s", line)
        elif " start " in line:
            row["start"] = field(r"start\s+([\d.]+)s", line)
            row["rss"] = field(r"rss\s+(\S+)", line)
            row["cases"] = field(r"cases (\d+)", line)
            row["failures"] = field(r"response failures (\w+)", line)
    bench = os.path.join(os.path.dirname(report), "..", "bench", "corpus.txt")
    if os.path.exists(bench):
        for line in open(bench):
            name = line.split(" ", 1)[0]
            slug = re.sub(r"[^a-z0-9]+", "-", name.removesuffix(".json").lower()).strip("-")
            try:
                out = open(os.path.join(os.path.dirname(bench), "corpus", slug, "schemathesis.txt"), errors="replace").read()
            except OSError:
                out = ""
            # Prism's process ended under the run (schemathesis lost the connection)
            crashed = " (Prism crashed)" if "Connection failed" in out or "Remote end closed" in out else ""
            theirs[name] = {
                "og": field(r"og-rust (\S+ ?m?s?|fails)", line),
                "start": field(r"prism start (\S+ ms)", line),
                "rss": field(r"rss (\S+)", line),
                "cases": field(r"cases (\d+)", line),
                "failures": field(r"response failures (\w+)", line) + crashed,
            }
            if "fails to start" in line:
                theirs[name].update(start="fails to start", rss="", cases="", failures="")
    ops = {}
    realworld = os.environ.get("REALWORLD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "realworld"))
    for name in ours:
        try:
            doc = json.load(open(os.path.join(realworld, name)))
            ops[name] = sum(1 for item in doc.get("paths", {}).values() for m in item
                            if m in ("get", "put", "post", "delete", "patch", "options", "head", "trace"))
        except (OSError, ValueError):
            ops[name] = "?"
    print("| export | operations | generated | xtask generate | openapi-generator -g rust | cargo check (client + API) "
          "| stub start, peak RSS | stub: cases, response failures | Prism start, peak RSS | Prism: cases, response failures |")
    print("|---|---:|---:|---:|---:|---:|---|---|---|---|")
    for name in sorted(ours, key=str.lower):
        o, t = ours[name], theirs.get(name, {})
        print(f"| {name.removesuffix('.json')} | {ops[name]} | {o.get('generated') or ops[name]} | {o.get('generate', '?')} s | {t.get('og', 'not run')} "
              f"| {o.get('check', '?')} s | {o.get('start', '?')} s, {o.get('rss', '?')} "
              f"| {o.get('cases', '?')}, {o.get('failures', '?')} "
              f"| {t.get('start', 'not run')}, {t.get('rss', '')} | {t.get('cases', '')}, {t.get('failures', '')} |")


if __name__ == "__main__":
    command, arg = sys.argv[1], sys.argv[2]
    {"auth": auth, "rss": rss, "rss-tree": lambda pid: rss(pid, itself=True), "verdict": verdict,
     "table": table}[command](arg)
