"""Scoring a parser on labelled examples: accuracy, per-intent P/R/F1, confused pairs.

Shared by ``frontdoor nlu evaluate`` (a held-out Rasa YAML file) and the cross-validation
test, so the number in the README is computed the way the test computes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TypedDict

from nlu.result import FALLBACK_INTENT, Parser
from nlu.training_data import Example

__all__ = [
    "OFF_TOPIC", "IntentScore", "LanguageScore", "Report", "counts_as", "evaluate",
    "format_report",
]

#: Off-topic messages ("me gusta la pizza", "m grangou") are learnt as their own intent so
#: they stop pulling others, and the bot does nothing with either that or a fallback: an
#: off-topic message that falls back is right.
OFF_TOPIC = "out_of_scope"


def counts_as(predicted: str, expected: str) -> str:
    """The prediction as scored: ``nlu_fallback`` for an off-topic example is its intent."""
    if expected == OFF_TOPIC and predicted == FALLBACK_INTENT:
        return OFF_TOPIC
    return predicted


class IntentScore(TypedDict):
    precision: float
    recall: float
    f1: float
    support: int


class Confusion(TypedDict):
    expected: str
    predicted: str
    count: int


class LanguageScore(TypedDict):
    accuracy: float
    right: int
    total: int


class Report(TypedDict):
    accuracy: float
    total: int
    #: By the example's language, or (not given) the language the parser identified.
    per_language: dict[str, LanguageScore]
    per_intent: dict[str, IntentScore]
    confused: list[Confusion]
    errors: list[dict[str, str]]


def evaluate(parser: Parser, examples: Sequence[Example], *, top_confused: int = 10) -> Report:
    """Parse every example (with its language when known) and compare intents."""
    predicted: list[str] = []
    langs: list[str] = []
    for ex in examples:
        result = parser.parse(ex.text, ex.lang or None)
        predicted.append(counts_as(result["intent"]["name"], ex.intent))
        langs.append(ex.lang or result["language"]["code"])
    expected = [ex.intent for ex in examples]
    correct = sum(p == e for p, e in zip(predicted, expected, strict=True))
    labels = sorted(set(expected) | set(predicted))
    per_intent: dict[str, IntentScore] = {}
    for label in labels:
        tp = sum(p == e == label for p, e in zip(predicted, expected, strict=True))
        n_pred = predicted.count(label)
        n_true = expected.count(label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = IntentScore(precision=round(precision, 4), recall=round(recall, 4),
                                        f1=round(f1, 4), support=n_true)
    pairs = Counter((e, p) for p, e in zip(predicted, expected, strict=True) if p != e)
    confused = [Confusion(expected=e, predicted=p, count=n)
                for (e, p), n in pairs.most_common(top_confused)]
    errors = [{"text": ex.text, "lang": ex.lang, "expected": ex.intent, "predicted": p}
              for ex, p in zip(examples, predicted, strict=True) if p != ex.intent]
    per_language: dict[str, LanguageScore] = {}
    for lang in sorted(set(langs)):
        marks = [p == e for p, e, g in zip(predicted, expected, langs, strict=True) if g == lang]
        per_language[lang] = LanguageScore(accuracy=round(sum(marks) / len(marks), 4),
                                           right=sum(marks), total=len(marks))
    return Report(accuracy=round(correct / len(examples), 4) if examples else 0.0,
                  total=len(examples), per_language=per_language, per_intent=per_intent,
                  confused=confused, errors=errors)


def format_report(report: Report) -> str:
    """A plain-text table for people reading a terminal."""
    lines = [f"accuracy {report['accuracy']:.4f} on {report['total']} examples", ""]
    for lang, score in report["per_language"].items():
        lines.append(f"  {lang:<6} {score['accuracy']:.4f}  ({score['right']}/{score['total']})")
    lines += ["", f"{'intent':<20} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>5}"]
    for name, s in report["per_intent"].items():
        lines.append(f"{name:<20} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
                     f"{s['support']:>5}")
    if report["confused"]:
        lines += ["", "most confused (expected -> predicted):"]
        lines += [f"  {c['expected']} -> {c['predicted']}: {c['count']}"
                  for c in report["confused"]]
    return "\n".join(lines)
