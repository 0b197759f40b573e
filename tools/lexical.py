"""A local mirror of the indexed passages with a BM25 index over them.

Chroma's embedded mode has no lexical or hybrid search, so this mirror (rebuilt from Chroma
whenever the index version changes) gives BM25 scores, fast passage look-ups by id and the
neighbours of a passage. It lives under the data directory, keyed by collection.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from tools.evidence import Passage

_STOPWORDS = "en"


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


class LexicalIndex:
    """BM25 over passages (title, section and text), plus the passages themselves."""

    def __init__(self, passages: list[Passage], bm25: object, version: str) -> None:
        self.passages = passages
        self.version = version
        self._bm25 = bm25
        self._row = {p.id: i for i, p in enumerate(passages)}
        self._scopes = np.array([p.scope for p in passages])
        self._doc_ids = np.array([p.doc_id for p in passages])
        self._by_doc: dict[str, dict[int, Passage]] = {}
        for p in passages:
            self._by_doc.setdefault(p.doc_id, {})[p.position] = p

    # -- building and loading ----------------------------------------------------------------
    @classmethod
    def build(cls, passages: Iterable[Passage], version: str) -> LexicalIndex:
        import bm25s

        items = list(passages)
        bm25 = bm25s.BM25()
        if items:
            tokens = bm25s.tokenize(
                [p.context_text() for p in items],
                stopwords=_STOPWORDS,
                stemmer=_stemmer(),
                show_progress=False,
            )
            bm25.index(tokens, show_progress=False)
        return cls(items, bm25, version)

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.passages:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)  # type: ignore[attr-defined]
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as out:
            for p in self.passages:
                out.write(p.model_dump_json() + "\n")
        (tmp / "version").write_text(self.version)
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)

    @classmethod
    def load(cls, directory: Path, version: str) -> LexicalIndex | None:
        """The saved mirror, or None when it is missing or was built for another version."""
        import bm25s

        marker = directory / "version"
        if not marker.exists() or marker.read_text() != version:
            return None
        with (directory / "passages.jsonl").open(encoding="utf-8") as lines:
            passages = [Passage.model_validate_json(line) for line in lines]
        bm25 = (
            bm25s.BM25.load(str(directory / "bm25"), mmap=True, show_progress=False)
            if passages
            else bm25s.BM25()
        )
        return cls(passages, bm25, version)

    # -- queries -----------------------------------------------------------------------------
    def get(self, passage_id: str) -> Passage | None:
        row = self._row.get(passage_id)
        return self.passages[row] if row is not None else None

    def neighbours(self, passage: Passage, n: int) -> list[Passage]:
        """The passage with up to ``n`` passages either side of it, in document order."""
        doc = self._by_doc.get(passage.doc_id, {})
        return [doc[i] for i in range(passage.position - n, passage.position + n + 1) if i in doc]

    def following(self, passage: Passage) -> Passage | None:
        """The next passage of the same document, or None at its end."""
        return self._by_doc.get(passage.doc_id, {}).get(passage.position + 1)

    def doc_ids(self) -> list[str]:
        return sorted(self._by_doc)

    def mask(self, scopes: list[str] | None, doc_ids: list[str] | None) -> np.ndarray | None:
        """1.0 for passages that pass the filters, 0.0 for the others; None when unfiltered."""
        if not scopes and not doc_ids:
            return None
        keep = np.ones(len(self.passages), dtype=bool)
        if scopes:
            keep &= np.isin(self._scopes, scopes)
        if doc_ids:
            keep &= np.isin(self._doc_ids, doc_ids)
        return keep.astype(np.float32)

    def matches(self, passage_id: str, scopes: tuple[str, ...], doc_ids: tuple[str, ...]) -> bool:
        """Whether a passage passes the filters (a fast local check)."""
        passage = self.get(passage_id)
        return (
            passage is not None
            and (not scopes or passage.scope in scopes)
            and (not doc_ids or passage.doc_id in doc_ids)
        )

    def search_with_coverage(
        self, queries: list[str], n: int, mask: np.ndarray | None = None
    ) -> list[tuple[list[tuple[str, float]], float]]:
        """The top ``n`` passages per query by BM25 as (id, score) pairs with score > 0, and the
        share of each query's terms found in its top passage.

        A coverage near 1 means the query's own words pin a passage down (a name, a programme),
        which is when the lexical ranking deserves more weight in fusion.
        """
        import bm25s

        if not self.passages:
            return [([], 0.0) for _ in queries]
        stemmer = _stemmer()
        tokens = bm25s.tokenize(
            queries, stopwords=_STOPWORDS, stemmer=stemmer, return_ids=False, show_progress=False
        )
        k = min(n, len(self.passages))
        results: list[tuple[list[tuple[str, float]], float]] = []
        for query_tokens in tokens:
            known = [t for t in query_tokens if t in self._bm25.vocab_dict]  # type: ignore[attr-defined]
            if not known:
                results.append(([], 0.0))
                continue
            rows, scores = self._bm25.retrieve(  # type: ignore[attr-defined]
                [known], k=k, show_progress=False, weight_mask=mask, n_threads=0
            )
            hits = [
                (self.passages[int(r)].id, float(s))
                for r, s in zip(rows[0], scores[0], strict=True)
                if s > 0
            ]
            coverage = 0.0
            if hits:
                top = self.passages[int(rows[0][0])].context_text()
                top_terms = set(
                    bm25s.tokenize(
                        [top],
                        stopwords=_STOPWORDS,
                        stemmer=stemmer,
                        return_ids=False,
                        show_progress=False,
                    )[0]
                )
                coverage = sum(t in top_terms for t in set(query_tokens)) / len(set(query_tokens))
            results.append((hits, coverage))
        return results
