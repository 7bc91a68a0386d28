"""The deterministic hashing embedder: offline, dependency-free, good enough for lexical recall.

Feature hashing (Weinberger et al., 2009) of content-word unigrams and bigrams into ``dim`` signed
buckets, L2-normalised. ``make_embedder`` picks the configured embedder: this one, an
OpenAI-compatible endpoint (``engine.adapters.openai_embedder``) or a local model
(``engine.adapters.local_embedder``).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.ports import Embedder
    from engine.settings import Settings

__all__ = ["HashingEmbedder", "make_embedder", "EMBEDDERS"]

#: The values of ``PERSONAE_EMBEDDER``.
EMBEDDERS = ("hashing", "openai", "local")

_WORD = re.compile(r"[a-z0-9']+")
#: Function words carry no topic; hashing them only adds noise.
STOPWORDS = frozenset(
    "a an the and or but if of at by for with about to from in on into over under is are was "
    "were be been being am do does did have has had it its it's this that these those there "
    "i me my we our you your he him his she her they them their what which who whom whose "
    "as so than too very can will would shall should may might must not no nor just s t".split()
)


class HashingEmbedder:
    """Texts to ``dim``-wide vectors by hashing their words and word pairs."""

    name = "hashing"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * self.dim
        words = [w for w in _WORD.findall(text.lower()[:20_000]) if w not in STOPWORDS]
        features = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[bucket] += sign
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector] if norm else vector


def make_embedder(settings: Settings) -> Embedder:
    """The embedder ``settings.embedder`` names, producing vectors of the stored width.

    Args:
        settings: ``embedder`` is ``hashing`` (default), ``openai`` (``embedding_model`` at
            ``embedding_base_url``, else ``llm_base_url``, with ``llm_api_key``) or ``local``.

    Raises:
        RuntimeError: ``local`` without the ``personae[local-embeddings]`` extra installed.
        ValueError: An unknown embedder name.
    """
    # The stored width; imported here so the hashing embedder alone stays dependency-free.
    from engine.adapters.sql.types import EMBEDDING_DIM

    kind = settings.embedder
    if kind == "hashing":
        return HashingEmbedder(EMBEDDING_DIM)
    if kind == "openai":
        from engine.adapters.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder.from_settings(settings, dim=EMBEDDING_DIM)
    if kind == "local":
        from engine.adapters.local_embedder import LocalEmbedder

        embedder = LocalEmbedder()
        if embedder.dim != EMBEDDING_DIM:
            raise ValueError(
                f"the local model gives {embedder.dim}-d vectors; {EMBEDDING_DIM}-d are stored"
            )
        return embedder
    raise ValueError(f"unknown embedder {kind!r}; choose one of {', '.join(EMBEDDERS)}")
