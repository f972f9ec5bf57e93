"""Export the Coverage API's OpenAPI document.

    python export.py                 print it to stdout
    python export.py --write PATH    write it to PATH
    python export.py --check PATH    exit 1 with a unified diff when PATH is
                                     not the current export, 0 when it is

The text is `json.dumps(app.openapi(), indent=2)` plus a newline, keys in
FastAPI's order.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app import app  # noqa: E402


def render() -> str:
    return json.dumps(app.openapi(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="PATH", help="write the export to PATH")
    group.add_argument("--check", metavar="PATH", help="compare PATH with the export")
    args = parser.parse_args(argv)

    text = render()
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8", newline="\n")
        return 0
    if args.check:
        path = Path(args.check)
        try:
            old = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            old = ""
        if old == text:
            return 0
        diff = difflib.unified_diff(
            old.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{args.check} (on disk)",
            tofile=f"{args.check} (export of app.py)",
        )
        sys.stdout.writelines(diff)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
