"""Search that forgives (tìm kiếm): Vietnamese spelling variants, missing spaces, typos; ranked by BM25F."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# A procedure code ("1.001193") stays one token; everything else splits on what is not a letter or digit.
_TOKEN = re.compile(r"\d+(?:\.\d+)+|\w+")
_CONSONANTS = frozenset("bcdghklmnpqrstvx")

# Words that carry no subject in a question to the catalog ("tôi muốn làm … cho con", "how do I get …").
# They neither count nor match; a query of nothing else finds nothing. Typed with marks, a word is one
# only as marked here: "đỏ" (red, as in sổ đỏ) is not "do", nor "thẻ" (a card) "the".
_ASKING_EN = """
    a an and are can do does for from get getting how i in is it me my need of on or the to want what
    where with you your
"""
_ASKING_VI = """
    ai bị các cho có của đã để đến đi được gì hay khi không là làm lên lúc mình muốn nào này như những
    nhé nhiêu ở ơi phải ra rồi sao sẽ thế thủ tục tôi trong và vào về vì với xin đâu
"""

# How close a query word must be to a catalog word for the match to count, by the way it was found.
EXACT, TELEX, SPLIT, SOUND, PREFIX, TYPO = 1.0, 0.9, 0.9, 0.75, 0.7, 0.6
# A word typed with its marks ("sổ") found only with others ("số"): half a match.
MISMARKED = 0.5
# How much two neighbouring query words count again when the catalog has them side by side.
PAIR = 0.5
# A procedure is found when the words it matches carry at least this share of the query's weight.
COVERAGE = 0.5


def _folding_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x2000):  # Latin letters with marks, Vietnamese's included
        decomposed = unicodedata.normalize("NFD", chr(code))
        if unicodedata.combining(chr(code)):
            table[code] = None  # a mark left alone, one NFC could not join to its letter
        elif decomposed != chr(code):
            table[code] = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return table


_FOLDING = _folding_table()


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, so that 'dang ky' finds 'Đăng ký'."""
    return unicodedata.normalize("NFC", text).translate(_FOLDING).casefold()


def canonical(word: str) -> str:
    """One spelling for the variants Vietnamese allows: kí/ký, lí/lý, mĩ/mỹ, qui/quy (a folded word)."""
    if len(word) >= 2 and word[-1] == "y" and (word[-2] in _CONSONANTS or word.endswith("quy")):
        return word[:-1] + "i"
    return word


def sound(word: str) -> str:
    """What a word sounds like across regions, where people misspell: d/gi/r, tr/ch, s/x, final n/ng, c/t."""
    key = word
    for before, after in (("gi", "z"), ("d", "z"), ("r", "z"), ("tr", "ch"), ("s", "x")):
        if key.startswith(before) and len(key) > len(before):
            key = after + key[len(before) :]
            break
    for before, after in (("ng", "n"), ("nh", "n"), ("ch", "t"), ("c", "t")):
        if key.endswith(before) and len(key) > len(before) + 1:
            return key[: -len(before)] + after
    return key


TELEX_MARKS = (("dd", "d"), ("aa", "a"), ("aw", "a"), ("ee", "e"), ("oo", "o"), ("ow", "o"), ("uw", "u"))


def untelex(word: str) -> str:
    """A word typed in Telex with the input method off ('ddawng kys' for 'đăng ký'), without its marks."""
    plain = word
    for before, after in TELEX_MARKS:
        plain = plain.replace(before, after)
    if len(plain) >= 3 and plain[-1] in "sfrxj" and plain[-2] not in "sfrxj":
        plain = plain[:-1]
    return plain


@lru_cache(maxsize=65536)  # a catalog repeats its words: thousands of procedures, a few thousand words
def marked(word: str) -> str:
    """A word with its marks kept (sổ is not số), but in any order (hoà is hòa) and with kí for ký."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    marks = sorted(ch for ch in decomposed if unicodedata.combining(ch))
    return canonical(fold(word)) + "|" + "".join(marks) + ("đ" if "đ" in word.lower() else "")


STOPWORDS = frozenset(canonical(fold(word)) for word in (_ASKING_EN + _ASKING_VI).split())
_MARKED_STOPWORDS = frozenset(marked(word) for word in _ASKING_VI.split())


def asks(token: str) -> bool:
    """Whether a typed word only asks: a stopword typed without marks, or with a stopword's own marks."""
    form = marked(token)
    return canonical(fold(token)) in STOPWORDS and (form.endswith("|") or form in _MARKED_STOPWORDS)


def words(text: str) -> list[str]:
    """The canonical words of a text: folded, split, with one spelling per variant."""
    return [canonical(token) for token in _TOKEN.findall(fold(text))]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    coverage: float  # the share of the query's weight this document matches, 0–1


@dataclass(frozen=True)
class Found:
    """What a query found: the documents that match it, best first, and when none does, what comes close."""

    hits: list[Hit]
    near: list[Hit] = field(default_factory=list)  # best first, below the coverage a hit needs


@dataclass(frozen=True)
class _Term:
    """One word of the query and the catalog words it stands for, each with how close it is."""

    typed: str
    matches: dict[str, float]
    # As typed, when typed with marks: a document with the word marked otherwise matches it less.
    marks: str | None = None

    @property
    def best(self) -> str:
        return max(self.matches, key=self.matches.__getitem__) if self.matches else ""


class SearchIndex:
    """An in-memory BM25F index of a few thousand short documents (a province's procedures).

    Each document has named fields of text; `weights` says how much a word in each counts (the name
    most). Built once per container, in a few milliseconds for the demo province.
    """

    K1 = 1.2
    B = 0.75

    def __init__(self, documents: Iterable[tuple[str, Mapping[str, str]]], weights: Mapping[str, float]):
        self.weights = dict(weights)
        self.keys: list[str] = []
        counts: list[dict[str, Counter[str]]] = []
        lengths: list[dict[str, int]] = []
        self._marked: list[frozenset[str]] = []  # each document's words with their marks
        vocabulary: set[str] = set()  # single words, without the pairs
        for key, fields in documents:
            self.keys.append(key)
            unknown = set(fields) - set(self.weights)
            if unknown:
                raise ValueError(f"fields without a weight: {', '.join(sorted(unknown))}")
            self._marked.append(frozenset(map(marked, set(_TOKEN.findall(" ".join(fields.values()))))))
            tf: dict[str, Counter[str]] = {}
            length: dict[str, int] = {}
            for name, text in fields.items():
                tokens = words(text)
                # Neighbouring words count again as a pair: "work permit" is more than "work" and "permit".
                tf[name] = Counter(tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)])
                length[name] = len(tokens)
                vocabulary.update(tokens)
            counts.append(tf)
            lengths.append(length)
        n = len(self.keys)
        self._postings = self._saturate(counts, lengths)
        self.idf = {
            term: math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for term, docs in self._postings.items()
        }
        self._rarest = max(self.idf.values(), default=0.0)
        self._words = frozenset(vocabulary)
        self._sounds: defaultdict[str, set[str]] = defaultdict(set)
        self._near: defaultdict[str, set[str]] = defaultdict(set)
        for term in vocabulary:
            self._sounds[sound(term)].add(term)
            if len(term) >= 4 and not term[0].isdigit():
                for variant in {term} | _deletions(term):
                    self._near[variant].add(term)
        self._sorted = sorted(vocabulary)

    def _saturate(
        self, counts: list[dict[str, Counter[str]]], lengths: list[dict[str, int]]
    ) -> dict[str, list[tuple[int, float]]]:
        """BM25F: a term's frequency in each field, weighted and normalised by the field's length, summed
        and then saturated; computed once, so that a query only adds."""
        n = len(counts)
        average = {
            name: (sum(length.get(name, 0) for length in lengths) / n if n else 0.0) or 1.0
            for name in self.weights
        }
        postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, (tf, length) in enumerate(zip(counts, lengths, strict=True)):
            weighted: defaultdict[str, float] = defaultdict(float)
            for name, field_counts in tf.items():
                factor = self.weights[name] / (1 - self.B + self.B * length[name] / average[name])
                for term, count in field_counts.items():
                    weighted[term] += factor * count
            for term, value in weighted.items():
                postings[term].append((doc, value / (self.K1 + value)))
        return dict(postings)

    @property
    def vocabulary(self) -> int:
        return len(self._words)

    def search(self, query: str, among: Sequence[str] | None = None) -> Found:
        """Documents matching `query`, best first; `among` limits them to these keys (filters)."""
        terms = self._understand(query)
        if not terms:
            return Found(hits=[])
        allowed = None if among is None else set(among)
        if not any(term.matches for term in terms):
            return Found(hits=[])
        # A word the catalog does not know counts as much as its rarest word: "đăng ký kết hôn" must
        # not find every "đăng ký" of a catalog without marriages.
        unknown = self._rarest
        weights = [max(self.idf[t] for t in term.matches) if term.matches else unknown for term in terms]
        total = sum(weights)
        scores, covered = self._score(terms, weights)
        ranked = sorted(
            (Hit(self.keys[doc], score, covered[doc] / total) for doc, score in scores.items()),
            key=lambda hit: -hit.score,
        )
        if allowed is not None:
            ranked = [hit for hit in ranked if hit.key in allowed]
        hits = [hit for hit in ranked if hit.coverage >= COVERAGE]
        if hits:
            return Found(hits=hits)
        return Found(hits=[], near=ranked[:3])

    def _score(self, terms: list[_Term], weights: list[float]) -> tuple[dict[int, float], dict[int, float]]:
        """Each document's BM25F score and the query weight it covers."""
        scores: defaultdict[int, float] = defaultdict(float)
        covered: defaultdict[int, float] = defaultdict(float)
        for term, weight in zip(terms, weights, strict=True):
            best: dict[int, tuple[float, float]] = {}  # doc -> (score, closeness) of this query word
            for word, close in term.matches.items():
                idf = self.idf[word]
                for doc, saturated in self._postings[word]:
                    mismarked = term.marks is not None and term.marks not in self._marked[doc]
                    closeness = close * (MISMARKED if mismarked else 1)
                    score = closeness * idf * saturated
                    if score > best.get(doc, (0.0, 0.0))[0]:
                        best[doc] = (score, closeness)
            for doc, (score, closeness) in best.items():
                scores[doc] += score
                covered[doc] += weight * closeness
        for first, second in itertools.pairwise(terms):
            pair = f"{first.best} {second.best}"
            for doc, saturated in self._postings.get(pair, ()):
                scores[doc] += PAIR * self.idf[pair] * saturated
        return scores, covered

    def _understand(self, query: str) -> list[_Term]:
        """The query's words, each with the catalog words it may mean; stopwords dropped."""
        tokens = _TOKEN.findall(query)
        typed = [canonical(fold(token)) for token in tokens]
        terms: list[_Term] = []
        for position, (token, word) in enumerate(zip(tokens, typed, strict=True), start=1):
            if asks(token):
                continue
            if word in self._words:
                form = marked(token)
                terms.append(_Term(word, {word: EXACT}, form if not form.endswith("|") else None))
                continue
            plain = canonical(untelex(word))
            if plain != word and plain in self._words and plain not in STOPWORDS:
                terms.append(_Term(word, {plain: TELEX}))
                continue
            parts = self._split(word)
            if parts:
                terms.extend(_Term(part, {part: SPLIT}) for part in parts if part not in STOPWORDS)
                continue
            terms.append(_Term(word, self._close(word, last=position == len(typed))))
        return terms

    def _close(self, word: str, *, last: bool) -> dict[str, float]:
        """Catalog words a word not in the catalog may mean: same sound, a typo away, or its start."""
        matches: dict[str, float] = {}

        def add(term: str, closeness: float) -> None:
            if term not in STOPWORDS and closeness > matches.get(term, 0.0):
                matches[term] = closeness

        for term in self._sounds.get(sound(word), ()):
            add(term, SOUND)
        if len(word) >= 4:
            for variant in {word} | _deletions(word):
                for term in self._near.get(variant, ()):
                    # A syllable of four letters is a letter away from many others (nuoi: nuoc, nguoi,
                    # cuoi): only two letters swapped (khia, sihn) count as its typo.
                    if len(word) >= 5 or (len(term) == 4 and sorted(term) == sorted(word)):
                        add(term, TYPO)
        # The last word may be half typed ("khai si"); a short one only then.
        if len(word) >= 3 or (last and len(word) == 2):
            for term in self._starting_with(word):
                add(term, PREFIX)
        return matches

    def _starting_with(self, prefix: str) -> list[str]:
        found = []
        for term in self._sorted[bisect_left(self._sorted, prefix) :]:
            if not term.startswith(prefix):
                break
            if term != prefix:
                found.append(term)
        return found

    def _split(self, word: str) -> list[str] | None:
        """A word typed without its spaces ('khaisinh') as the fewest catalog words, 2 to 4 of them."""
        if len(word) < 4 or word[0].isdigit():
            return None
        n = len(word)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(max(0, end - 8), end):
                head = best[start]
                part = canonical(word[start:end])
                if head is not None and part in self._words and len(part) >= 2 and part[0].isalpha():
                    candidate = [*head, part]
                    current = best[end]
                    if current is None or len(candidate) < len(current):
                        best[end] = candidate
        parts = best[n]
        return parts if parts is not None and 2 <= len(parts) <= 4 else None


def slug(text: str) -> str:
    """An id for a name, as a URL shows it: 'Hộ tịch' → 'ho-tich'."""
    return "-".join(_TOKEN.findall(fold(text).replace(".", " "))) or "-"
