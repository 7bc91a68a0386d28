"""The deterministic hashing embedder: offline, dependency-free, good enough for lexical recall.

Feature hashing (Weinberger et al., 2009) of content-word unigrams and bigrams into ``dim`` signed
buckets, L2-normalised. Real semantic embedders arrive with issue #4 behind the same port.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

__all__ = ["HashingEmbedder"]

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
