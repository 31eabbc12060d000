"""A tiny but valid argostranslate package, built offline in well under a second.

What it holds is what a real `.argosmodel` holds, so the real install, load and translate code
runs on it: a SentencePiece model trained on a few hundred lines, a one-layer CTranslate2
Transformer written with ctranslate2's model-spec API (random weights: its output is
nonsense), and a small ONNX sentence splitter in `minisbd/`, so that the first translation does
not try to download one.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

SENTENCES = (
    "hola buenos dias necesito ayuda con mi cita mañana la familia quiere saber cuando es la "
    "entrevista gracias por favor donde esta el albergue tengo dos hijos bonjou mwen bezwen ed "
    "pou randevou demen fanmi an vle konnen hello good morning i need help with my appointment"
)
WORDS = SENTENCES.split(" ")
#: Model sizes: as small as CTranslate2 accepts and still a real Transformer.
DEPTH, FFN, HEADS = 16, 32, 2


def _sentencepiece(rng: np.random.Generator) -> tuple[bytes, list[str]]:
    import sentencepiece as spm

    lines = [" ".join(rng.choice(WORDS, size=8)) for _ in range(300)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=60,
        model_type="unigram",
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    return model.getvalue(), pieces


def _transformer(vocabulary: list[str], rng: np.random.Generator, out: Path) -> None:
    from ctranslate2 import specs

    def weight(*shape: int) -> Any:
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    def norm(layer_norm: Any) -> None:
        layer_norm.gamma = np.ones(DEPTH, np.float32)
        layer_norm.beta = np.zeros(DEPTH, np.float32)

    def ffn(layer: Any) -> None:
        norm(layer.ffn.layer_norm)
        layer.ffn.linear_0.weight = weight(FFN, DEPTH)
        layer.ffn.linear_1.weight = weight(DEPTH, FFN)

    def self_attention(layer: Any) -> None:
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = weight(3 * DEPTH, DEPTH)  # fused q, k, v
        layer.self_attention.linear[1].weight = weight(DEPTH, DEPTH)

    size = len(vocabulary)
    spec = specs.TransformerSpec.from_config(num_layers=1, num_heads=HEADS)
    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = weight(size, DEPTH)
    decoder.embeddings.weight = weight(size, DEPTH)
    norm(encoder.layer_norm)
    norm(decoder.layer_norm)
    for layer in encoder.layer:
        self_attention(layer)
        ffn(layer)
    for layer in decoder.layer:
        self_attention(layer)
        norm(layer.attention.layer_norm)
        layer.attention.linear[0].weight = weight(DEPTH, DEPTH)  # query
        layer.attention.linear[1].weight = weight(2 * DEPTH, DEPTH)  # fused k, v
        layer.attention.linear[2].weight = weight(DEPTH, DEPTH)
        ffn(layer)
    decoder.projection.weight = weight(size, DEPTH)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    out.mkdir(parents=True)
    spec.save(str(out))


def _sentence_splitter(lang: str, out: Path) -> None:
    """A minisbd model that never splits inside a paragraph (minisbd ends it by itself): the
    inputs and metadata minisbd reads, and logits for its five classes."""
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["units"], ["as_float"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["as_float", "last_axis"], ["column"]),
            helper.make_node("Mul", ["column", "zeros"], ["zero_logits"]),
            helper.make_node("Add", ["zero_logits", "bias"], ["logits"]),
        ],
        "sentence_splitter",
        [
            helper.make_tensor_value_info("units", TensorProto.INT64, ["batch", "chars"]),
            helper.make_tensor_value_info(
                "features", TensorProto.FLOAT, ["batch", "chars", "features"]
            ),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "chars", 5])],
        [
            helper.make_tensor("last_axis", TensorProto.INT64, [1], [2]),
            helper.make_tensor("zeros", TensorProto.FLOAT, [5], [0.0] * 5),
            helper.make_tensor("bias", TensorProto.FLOAT, [5], [1.0, 0.0, 0.0, 0.0, 0.0]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    vocab = {
        "lang": lang,
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": {"<PAD>": 0, "<UNK>": 1},
        "_id2unit": ["<PAD>", "<UNK>"],
    }
    config = {"feat_funcs": ["space_before"], "max_seqlen": 300, "batch_size": 1}
    for key, value in {
        "lang_code": lang,
        "config": json.dumps(config),
        "vocab": json.dumps(vocab),
        "lexicon": "null",
    }.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    onnx.checker.check_model(model)
    out.mkdir(parents=True)
    onnx.save(model, str(out / f"{lang}.onnx"))


def build_package(workdir: Path, source: str, target: str, *, splitter: bool = True) -> Path:
    """Write `translate-<source>_<target>.argosmodel` in `workdir` and return its path."""
    rng = np.random.default_rng(7)
    name = f"translate-{source}_{target}"
    root = workdir / "build" / name
    root.mkdir(parents=True)
    sentencepiece_model, pieces = _sentencepiece(rng)
    (root / "sentencepiece.model").write_bytes(sentencepiece_model)
    _transformer(pieces, rng, root / "model")
    if splitter:
        _sentence_splitter(source, root / "minisbd")
    metadata = {
        "package_version": "0.1",
        "argos_version": "1.11",
        "from_code": source,
        "to_code": target,
        "from_name": source,
        "to_name": target,
        "type": "translate",
    }
    (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    package = workdir / f"{name}.argosmodel"
    with zipfile.ZipFile(package, "w") as archive:
        for path in sorted(root.rglob("*")):
            archive.write(path, path.relative_to(root.parent))
    return package
