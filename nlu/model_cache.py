"""Train once, then load: the model is cached on disk under a key made of the data's hash.

Start-up must not retrain (training takes seconds; loading the cached arrays takes
milliseconds), and a change to any training file must not reuse a stale model. The cache
lives outside the repository, in the user's cache directory, unless told otherwise.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from nlu.classifier import IntentModel, train_model
from nlu.training_data import data_files, data_hash, load_examples

__all__ = ["MODEL_VERSION", "default_cache_dir", "load_or_train"]

# Bump when features or training change, so old caches are not read with new code.
MODEL_VERSION = "3"


def default_cache_dir() -> Path:
    """``$FRONTDOOR_NLU_CACHE``, else ``$XDG_CACHE_HOME/frontdoor/nlu``, else ``~/.cache/...``."""
    explicit = os.environ.get("FRONTDOOR_NLU_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "frontdoor" / "nlu"


def load_or_train(cache_dir: Path | None = None, data_dir: Path | None = None) -> IntentModel:
    """The model for the current data: from the cache if there, else trained and cached."""
    root = cache_dir if cache_dir is not None else default_cache_dir()
    key = data_hash(data_files(data_dir), salt=MODEL_VERSION)
    target = root / key
    if (target / "model.json").is_file():
        return IntentModel.load(target)
    examples = load_examples(data_dir)
    model = train_model([e.text for e in examples], [e.intent for e in examples])
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    model.save(staging)
    try:
        staging.rename(target)  # atomic: concurrent workers never see half a model
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another process won the race
    return model
