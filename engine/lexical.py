"""Lexical matching of memories: stemmed content words and BM25.

Embeddings blur exact names and rare words; people ask "what did Tom say about Lisbon?". Recall
therefore also scores every memory of a character by BM25 (Robertson and Zaragoza, 2009) over
its stemmed content words, using an inverted index kept beside the memories (the store's
``memory_terms``). This module holds the pure part: turning a text into index terms, and the
BM25 formula, so that the index, the scoring and the tests agree on one definition.

Terms are lower-cased words without function words (``engine.embedding.STOPWORDS``), question
words, nor the words every remembered line carries ("said", ...), reduced to their Snowball
(Porter 2) stem so that "moving", "moved" and "moves" match; at most ``MAX_TERM_CHARS``
characters each.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import snowballstemmer

from engine.embedding import STOPWORDS

__all__ = [
    "BM25_B",
    "BM25_K1",
    "DOC_TERM",
    "MAX_TERM_CHARS",
    "bm25",
    "bm25_rows",
    "bm25_arrays",
    "discriminating",
    "bm25_texts",
    "idf",
    "index_terms",
    "query_terms",
    "split_frame",
    "PARTY",
]

#: BM25 term-frequency saturation and length normalisation (the usual Robertson/Lucene values).
BM25_K1 = 1.2
BM25_B = 0.75
#: Longer words are cut (they are rare enough to stay distinct).
MAX_TERM_CHARS = 64
#: The index's per-memory row that carries the document length (no word stems to "").
DOC_TERM = ""
#: Words of the remembered form ("Jane said to Tom: ...") that every observation shares, and
#: the question words that start queries ("where", "when"...): they match nothing useful.
FRAME_WORDS = frozenset({"said", "say", "says", "told", "tell", "asked", "ask", "me",
                         "where", "when", "why", "how"})

#: A term in more than this share of a character's memories is left out of its BM25 (when the
#: character has at least ``COMMON_MIN_DOCS`` memories): it weighs little (idf below ln 5)
#: and would cost a posting for every memory it is in.
COMMON_SHARE = 0.2
COMMON_MIN_DOCS = 50

#: Marks a term naming who spoke or was spoken to (from the line's frame, not its words).
PARTY = "@"

_WORD = re.compile(r"[a-z0-9']+")
#: "Jane said: ...", "Jane said to Tom: ..." (how observations are worded) or "Jane: ..."
#: (how transcripts usually are): a name of at most four words before the colon.
_FRAME = re.compile(
    r"^\s*(?P<speaker>[A-Z][\w.'-]*(?: [\w.'-]+){0,3}?)"
    r"(?: said(?: to (?P<addressee>[A-Z][\w.'-]*(?: [\w.'-]+){0,3}?))?)?:\s"
)
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))[:MAX_TERM_CHARS]


def _words(text: str) -> Iterable[str]:
    for raw in _WORD.findall(text.lower()[:20_000]):
        word = raw.removesuffix("'s").strip("'")
        if word and word not in STOPWORDS and word not in FRAME_WORDS:
            yield _stem(word)


def split_frame(text: str) -> tuple[list[str], str]:
    """The names in a line's frame ("Jane said to Tom: ...": Jane, Tom) and its words."""
    match = _FRAME.match(text)
    if match is None:
        return [], text
    names = [n for n in (match.group("speaker"), match.group("addressee")) if n]
    return names, text[match.end():]


def index_terms(text: str) -> Counter[str]:
    """The stemmed content words of a text with their counts (what the index stores).

    The words of the people in the line's frame count apart, as ``PARTY`` terms ("@jane"):
    "What did Tom say about Jane?" then matches what Tom said that names Jane better than
    the many short lines Tom addressed to her.
    """
    names, body = split_frame(text)
    counts = Counter(_words(body))
    for name in names:
        counts.update(PARTY + word for word in _words(name))
    return counts


def query_terms(text: str) -> list[str]:
    """The distinct stemmed content words of a query, in first-seen order, each also as a
    ``PARTY`` term (a word of the query may name who spoke)."""
    words = list(dict.fromkeys(_words(text)))
    return words + [PARTY + w for w in words]


def discriminating(df: Mapping[str, int], n_docs: int) -> list[str]:
    """The terms (of ``df``: term -> document frequency) that BM25 should use, sorted."""
    if n_docs < COMMON_MIN_DOCS:
        return sorted(t for t, n in df.items() if n > 0)
    return sorted(t for t, n in df.items() if 0 < n <= COMMON_SHARE * n_docs)


def idf(n_docs: int, df: int) -> float:
    """``ln(1 + (N - df + 0.5) / (df + 0.5))``: never negative, 0 for an absent corpus."""
    if n_docs <= 0:
        return 0.0
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def bm25(
    postings: Mapping[str, Mapping[int, tuple[int, int]]],
    n_docs: int,
    avg_len: float,
    k1: float = BM25_K1,
    b: float = BM25_B,
) -> dict[int, float]:
    """BM25 of every document that contains a query term.

    Args:
        postings: For each query term, ``{doc id: (term frequency, document length)}`` over
            the whole corpus (its size gives the term's document frequency).
        n_docs: How many documents the corpus holds.
        avg_len: Their mean length in terms.

    Returns:
        ``{doc id: score}``: ``sum over terms t in d of idf(t) * tf * (k1 + 1) /
        (tf + k1 * (1 - b + b * len(d) / avg_len))``; documents sharing no term are absent.
    """
    rows = [(term, doc, tf, length) for term, docs in postings.items()
            for doc, (tf, length) in docs.items()]
    return bm25_rows(rows, n_docs, avg_len, k1, b)


def bm25_rows(
    rows: Sequence[tuple[str, int, int, int]],
    n_docs: int,
    avg_len: float,
    k1: float = BM25_K1,
    b: float = BM25_B,
) -> dict[int, float]:
    """``bm25`` over postings given as ``(term, doc id, tf, doc length)`` rows (any order).

    Vectorised; each document's contributions are added in term order, so equal postings give
    bit-for-bit equal scores whatever order they came in (the backends' parity needs it).
    """
    if not rows or n_docs <= 0:
        return {}
    names = sorted({r[0] for r in rows})
    position = {name: i for i, name in enumerate(names)}
    n = len(rows)
    unique, totals = bm25_arrays(
        np.fromiter((position[r[0]] for r in rows), dtype=np.int64, count=n),
        np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
        np.fromiter((r[2] for r in rows), dtype=np.float64, count=n),
        np.fromiter((r[3] for r in rows), dtype=np.float64, count=n),
        len(names), n_docs, avg_len, k1, b)
    return dict(zip(unique.tolist(), totals.tolist(), strict=True))


def bm25_arrays(
    term: np.ndarray,
    docs: np.ndarray,
    tf: np.ndarray,
    length: np.ndarray,
    n_terms: int,
    n_docs: int,
    avg_len: float,
    k1: float = BM25_K1,
    b: float = BM25_B,
) -> tuple[np.ndarray, np.ndarray]:
    """``bm25_rows`` over postings given as arrays: each posting's term (its position among
    the query's terms in sorted order), document id, tf and document length (any order).

    Returns the distinct document ids (ascending, int64) and their scores (float64), each the
    sum of its terms' contributions added in term order, so that equal postings give bit-for-bit
    equal scores whatever order they came in (the backends' parity needs it).
    """
    if len(docs) == 0 or n_docs <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(term) > 1 and bool((term[1:] < term[:-1]).any()):
        # By term (a term holds a document once, so the order within a term does not matter).
        order = np.argsort(term, kind="stable")
        term, docs, tf, length = term[order], docs[order], tf[order], length[order]
    df = np.bincount(term, minlength=n_terms)
    weights = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))[term]
    avg = avg_len if avg_len > 0 else 1.0
    parts = weights * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * length / avg))
    unique, where = np.unique(docs, return_inverse=True)
    # Summed one posting after another, in row order: term order within each document.
    totals = np.bincount(where, weights=parts, minlength=len(unique))
    return unique, totals


def bm25_texts(query: str, texts: Sequence[str]) -> list[float]:
    """BM25 of each text for the query, the texts themselves being the corpus.

    The in-memory equivalent of what the store computes from its index over one character's
    memories, too-common terms left out the same way (tests and small tools use it as the
    reference).
    """
    terms = query_terms(query)
    counted = [index_terms(text) for text in texts]
    if not texts:
        return []
    df = {t: sum(1 for c in counted if c.get(t)) for t in terms}
    kept = set(discriminating(df, len(texts)))
    rows: list[tuple[str, int, int, int]] = []
    total = 0
    for i, counts in enumerate(counted):
        length = sum(counts.values())
        total += length
        rows.extend((t, i, counts[t], length) for t in kept if counts.get(t))
    scores = bm25_rows(rows, len(texts), total / len(texts))
    return [scores.get(i, 0.0) for i in range(len(texts))]
