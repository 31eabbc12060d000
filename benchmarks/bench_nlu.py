"""NLU benchmark: parse latency p50/p99 over a realistic mix, cached model load time, RSS.

Reproduce: ``.venv/bin/python benchmarks/bench_nlu.py [--accuracy] [--json]``
Targets (issue 5): p50 < 0.5 ms, p99 < 2 ms, load < 1 s.

The model is trained into a temporary cache first; load time, latency and memory are then
measured in a fresh process that only loads it, as the service does at start-up.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu_tests" / "data" / "heldout.yml"

# Typed answers and short chat, the bulk of real traffic, next to the held-out sentences.
SHORT = [
    ("si", "es"), ("wi", "ht"), ("sim", "pt"), ("yes", "en"), ("no", None), ("1", None),
    ("14 de febrero de 1992", "es"), ("05/11/1987", None), ("2 fevriye 1990", "ht"),
    ("9 de outubro de 1978", "pt"), ("October 9, 1978", "en"), ("soy colombiana", None),
    ("kiben", "ht"), ("somos 4", "es"), ("Maria Fernanda Lopez Garcia", "es"),
    ("kiero sacar sita pal lunes", None), ("kote randevou m lan ye", None),
    ("ja tenho data marcada?", None), ("hola", None), ("bonjou", None),
]


def _rss_mb() -> float:
    """Current resident set size (ru_maxrss would carry the parent's peak across fork)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(cache: Path, iterations: int) -> dict[str, object]:
    """Load from ``cache`` and time parses; runs in its own process (clean RSS)."""
    rss_start = _rss_mb()
    started = time.perf_counter()
    from nlu.embedded import EmbeddedParser

    parser = EmbeddedParser.load(cache)  # includes warm-up of the lazy tables
    load_s = time.perf_counter() - started
    rss_loaded = _rss_mb()

    from nlu.training_data import load_rasa_yaml

    mix = [(e.text, None) for e in load_rasa_yaml(HELDOUT)] + SHORT * 3
    for text, lang in mix:
        parser.parse(text, lang)
    timings: list[int] = []
    for i in range(iterations):
        text, lang = mix[i % len(mix)]
        t0 = time.perf_counter_ns()
        parser.parse(text, lang)
        timings.append(time.perf_counter_ns() - t0)
    q = statistics.quantiles(timings, n=100)
    return {
        "messages_in_mix": len(mix),
        "iterations": iterations,
        "p50_ms": round(q[49] / 1e6, 4),
        "p99_ms": round(q[98] / 1e6, 4),
        "max_ms": round(max(timings) / 1e6, 3),
        "load_s": round(load_s, 3),
        "rss_mb_interpreter": round(rss_start, 1),
        "rss_mb_loaded": round(rss_loaded, 1),
        "rss_mb_after_parsing": round(_rss_mb(), 1),
        "vocabulary": len(parser.model.vocabulary),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iterations", type=int, default=20000)
    ap.add_argument("--accuracy", action="store_true", help="also run cross-validation (~30 s)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.iterations)))
        return

    from nlu.model_cache import load_or_train

    result: dict[str, object] = {"python": platform.python_version(),
                                 "machine": platform.machine()}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        load_or_train(Path(tmp))
        result["train_s"] = round(time.perf_counter() - started, 2)
        command = [sys.executable, __file__, "--child", tmp, "--iterations"]
        first = subprocess.run([*command, "1000"], check=True, capture_output=True, text=True,
                               cwd=ROOT)  # first start: unpacks the language model too
        result["load_first_start_s"] = json.loads(first.stdout)["load_s"]
        child = subprocess.run([*command, str(args.iterations)], check=True,
                               capture_output=True, text=True, cwd=ROOT)
    result.update(json.loads(child.stdout))
    if args.accuracy:
        from nlu.crossval import cross_validate
        from nlu.training_data import load_examples

        examples = load_examples()
        runs = [cross_validate(examples, seed=seed)[0] for seed in (0, 1)]
        result["cv_accuracy"] = {lang: round(sum(r[lang] for r in runs) / 2, 4)
                                 for lang in runs[0]}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
