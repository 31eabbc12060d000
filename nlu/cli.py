"""``frontdoor nlu ...``: parse a message, evaluate a labelled file, export a Rasa project.

``bot/cli.py`` calls :func:`run` with the arguments after ``nlu``; ``python -m nlu.cli``
works the same way, so the NLU can be tried without the rest of the service.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["main", "run"]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="frontdoor nlu", description=__doc__)
    ap.add_argument("--cache-dir", type=Path, default=None,
                    help="model cache directory (default: ~/.cache/frontdoor/nlu)")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="print the parse of TEXT as JSON (Rasa's shape)")
    p.add_argument("--lang", default=None, help="language code; detected when omitted")
    p.add_argument("text", nargs="+")
    e = sub.add_parser("evaluate", help="score a Rasa NLU YAML file of labelled messages")
    e.add_argument("file", type=Path)
    e.add_argument("--lang", default=None, help="language of every message in FILE")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    x = sub.add_parser("export-rasa", help="write a Rasa 3.6 project (config, domain, data)")
    x.add_argument("dir", type=Path)
    return ap


def run(argv: list[str]) -> int:
    """Run one ``nlu`` command; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.command == "export-rasa":
        from nlu.export_rasa import export_rasa

        for path in export_rasa(args.dir):
            print(path)
        return 0

    from nlu.factory import make_parser

    parser = make_parser(cache_dir=args.cache_dir)
    if args.command == "parse":
        result = parser.parse(" ".join(args.text), args.lang)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0

    from nlu.evaluate import evaluate, format_report
    from nlu.training_data import load_rasa_yaml

    try:
        examples = load_rasa_yaml(args.file, args.lang or "")
    except (OSError, ValueError) as exc:
        print(f"frontdoor nlu evaluate: {args.file}: {exc}", file=sys.stderr)
        return 2
    report = evaluate(parser, examples)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0


def main() -> None:
    raise SystemExit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
