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
    e = sub.add_parser("evaluate", help="score a Rasa NLU YAML file of labelled messages, or "
                       "cross-validate the training data per language (--cross-validate)")
    e.add_argument("file", type=Path, nargs="?")
    e.add_argument("--lang", default=None, help="language of every message in FILE")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument("--cross-validate", action="store_true",
                   help="5-fold cross-validation of the training data, accuracy per language")
    e.add_argument("--shufflings", type=int, default=2,
                   help="cross-validation: average over this many shufflings (default 2)")
    e.add_argument("--min-accuracy", type=float, default=None,
                   help="cross-validation: exit 1 when a language scores below this")
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

    if args.command == "evaluate" and args.cross_validate:
        return _cross_validate(args.shufflings, args.min_accuracy, as_json=args.json)
    if args.command == "evaluate" and args.file is None:
        print("frontdoor nlu evaluate: give a FILE or --cross-validate", file=sys.stderr)
        return 2

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


def _cross_validate(shufflings: int, minimum: float | None, *, as_json: bool) -> int:
    """Print cross-validated accuracy per language (mean over ``shufflings`` seeds)."""
    from nlu.crossval import cross_validate
    from nlu.training_data import load_examples

    examples = load_examples()
    runs = [cross_validate(examples, seed=seed)[0] for seed in range(max(1, shufflings))]
    langs = sorted(runs[0])
    mean = {lang: round(sum(r[lang] for r in runs) / len(runs), 4) for lang in langs}
    counts = {lang: sum(1 for e in examples if e.lang == lang) for lang in langs}
    below = sorted(lang for lang in langs if minimum is not None and mean[lang] < minimum)
    if as_json:
        print(json.dumps({"cv_accuracy": mean, "examples": counts,
                          "runs": [{k: round(v, 4) for k, v in r.items()} for r in runs],
                          "below_minimum": below}, indent=2))
    else:
        print(f"5-fold cross-validation, {len(runs)} shuffling(s), {len(examples)} examples")
        print(f"{'language':<9} {'accuracy':>8} {'examples':>8}  per shuffling")
        for lang in langs:
            each = " / ".join(f"{r[lang]:.3f}" for r in runs)
            print(f"{lang:<9} {mean[lang]:>8.3f} {counts[lang]:>8}  {each}")
        if below:
            print(f"below {minimum}: {', '.join(below)}")
    return 1 if below else 0


def main() -> None:
    raise SystemExit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
