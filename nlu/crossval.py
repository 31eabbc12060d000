"""Cross-validated accuracy per language: train on part of the data, score the rest.

Why per language: one model serves every language, and a language with weaker data
(Kreyòl typed many ways) must not hide behind the others' average. Folds are stratified by
language and intent, and each held-out example is parsed with the full parser (model,
yes/no lexicon, threshold), exactly as in production.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from nlu.classifier import train_model
from nlu.embedded import EmbeddedParser
from nlu.evaluate import counts_as
from nlu.training_data import Example

__all__ = ["cross_validate"]


def cross_validate(
    examples: Sequence[Example], *, folds: int = 5, seed: int = 0
) -> tuple[dict[str, float], list[dict[str, str]]]:
    """Accuracy per language over ``folds`` stratified folds, and the misclassified examples."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    strata = [f"{e.lang}:{e.intent}" for e in examples]
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    errors: list[dict[str, str]] = []
    for train_idx, test_idx in splitter.split(list(examples), strata):
        model = train_model([examples[i].text for i in train_idx],
                            [examples[i].intent for i in train_idx])
        parser = EmbeddedParser(model)
        for i in test_idx:
            ex = examples[i]
            got = counts_as(parser.parse(ex.text, ex.lang)["intent"]["name"], ex.intent)
            total[ex.lang] += 1
            if got == ex.intent:
                right[ex.lang] += 1
            else:
                errors.append({"text": ex.text, "lang": ex.lang, "expected": ex.intent,
                               "predicted": got})
    return {lang: right[lang] / total[lang] for lang in sorted(total)}, errors
