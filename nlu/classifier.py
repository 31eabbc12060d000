"""The intent classifier: binary TF-IDF over character n-grams, logistic regression.

Trained with scikit-learn, but parsed without it: scikit-learn's per-call validation costs
more than the arithmetic for one short message, so the fitted vocabulary, IDF weights and
coefficients are kept as plain arrays and applied directly (a few dict lookups and one
small matrix product). Logistic regression gives probabilities, which is what the
``nlu_fallback`` threshold needs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlu.features import analyze

__all__ = ["IntentModel", "train_model"]

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class IntentModel:
    """Fitted weights: ``weights[feature_index]`` is that feature's row of class scores."""

    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: FloatArray
    weights: FloatArray
    intercept: FloatArray

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every intent with its probability, most likely first."""
        vocabulary = self.vocabulary
        present = {vocabulary[f] for f in analyze(text) if f in vocabulary}
        scores: npt.NDArray[np.floating[Any]]
        if present:
            idx = np.fromiter(present, dtype=np.intp, count=len(present))
            values = self.idf[idx]
            values = values / np.sqrt(values @ values)
            scores = values @ self.weights[idx] + self.intercept
        else:
            scores = self.intercept.copy()
        scores = np.exp(scores - scores.max())
        probs = scores / scores.sum()
        order = np.argsort(-probs)
        return [(self.classes[i], float(probs[i])) for i in order]

    def save(self, directory: Path) -> None:
        """Write the model as plain arrays and JSON (no pickle: the cache is not trusted code)."""
        directory.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        tmp_json = directory / "model.json.tmp"
        tmp_json.write_text(json.dumps({"classes": self.classes, "vocabulary": vocab}),
                            encoding="utf-8")
        tmp_npz = directory / "model.tmp.npz"
        np.savez(tmp_npz, idf=self.idf, weights=self.weights, intercept=self.intercept)
        tmp_npz.replace(directory / "model.npz")
        tmp_json.replace(directory / "model.json")  # written last: its presence means complete

    @classmethod
    def load(cls, directory: Path) -> IntentModel:
        meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        with np.load(directory / "model.npz", allow_pickle=False) as arrays:
            idf, weights, intercept = arrays["idf"], arrays["weights"], arrays["intercept"]
        vocab: list[str] = meta["vocabulary"]
        return cls(tuple(meta["classes"]), {f: i for i, f in enumerate(vocab)},
                   np.ascontiguousarray(idf, dtype=np.float32),
                   np.ascontiguousarray(weights, dtype=np.float32),
                   np.ascontiguousarray(intercept, dtype=np.float32))


def train_model(
    texts: Sequence[str], intents: Sequence[str], *, c: float = 100.0
) -> IntentModel:
    """Fit on labelled texts (scikit-learn is imported here only, not at parse time)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=analyze, binary=True, min_df=1, dtype=np.float32)
    matrix = vectorizer.fit_transform(list(texts))
    clf = LogisticRegression(C=c, max_iter=2000)
    clf.fit(matrix, list(intents))
    classes = tuple(str(x) for x in clf.classes_)
    weights = np.asarray(clf.coef_, dtype=np.float32).T
    intercept = np.asarray(clf.intercept_, dtype=np.float32)
    if len(classes) == 2:  # binary LR keeps one row; make it two-class softmax-shaped
        weights = np.hstack([-weights / 2, weights / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    return IntentModel(classes, vocabulary, np.asarray(vectorizer.idf_, dtype=np.float32),
                       np.ascontiguousarray(weights), intercept)
