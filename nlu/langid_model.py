"""Loading py3langid fast: its model ships LZMA-compressed and takes ~0.5 s to unpack.

The start-up budget is 1 s, so the model, cut down to the languages we ask it about, is
kept uncompressed next to the intent model (a few MB, ~30 ms to load). The first start
unpacks the packaged model as usual and writes the cut-down copy; any problem with the
copy falls back to the packaged model.
"""

from __future__ import annotations

import logging
import os
import tempfile
from array import array
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["load_identifier"]

log = logging.getLogger(__name__)
_TYPECODE = {2: "H", 4: "I", 8: "L"}


def _to_array(values: np.ndarray[Any, Any]) -> array[int]:
    out = array(_TYPECODE[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


def _narrow(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Store DFA states in 16 bits when they fit (they do not in py3langid 0.4: ~40 MB)."""
    return values.astype(np.uint16) if values.size and values.max() < 1 << 16 else values


def _cache_file(cache_dir: Path, langs: Sequence[str]) -> Path:
    return cache_dir / f"langid-{version('py3langid')}-{'-'.join(sorted(langs))}.npz"


def _from_cache(path: Path) -> Any:
    from py3langid.langid import LanguageIdentifier

    with np.load(path, allow_pickle=False) as data:
        return LanguageIdentifier(
            data["ptc"], data["pc"], data["classes"].tolist(), _to_array(data["nextmove"]),
            data["out_feat"].tolist(), norm_probs=True, tk_row=_to_array(data["nextmove_row"]))


def _write_cache(path: Path, langs: Sequence[str]) -> None:
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, out_feat = load_model(MODEL_DIR / MODEL_FILE)
    keep = [i for i, c in enumerate(classes) if c in set(langs)]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".npz", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        np.savez(f, ptc=np.ascontiguousarray(ptc[:, keep]), pc=pc[keep],
                 classes=np.array([classes[i] for i in keep]),
                 nextmove=_narrow(np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode))),
                 nextmove_row=np.frombuffer(row, dtype=np.dtype(row.typecode)),
                 out_feat=np.asarray(out_feat, dtype=np.int32))
    os.replace(tmp, path)


def load_identifier(langs: Sequence[str], cache_dir: Path) -> Any:
    """A py3langid identifier restricted to ``langs``, normalised probabilities."""
    path = _cache_file(cache_dir, langs)
    try:
        if not path.exists():
            _write_cache(path, langs)
        return _from_cache(path)
    except Exception as exc:  # any trouble with the copy: use the packaged model
        log.warning("langid cache unusable (%s): loading the packaged model", exc)
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages([lang for lang in langs if lang in ident.nb_classes])
    return ident
