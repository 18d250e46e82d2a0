"""How close a legacy disposition's name is to a Genesys wrap-up code's name: one score in [0, 1] and why.

``mapping init`` proposes, for each legacy value, the org's code whose name is closest. A wrong proposal costs a
reviewer more than a TODO does, so the score is built to be explainable and conservative:

- **Same name** (1.0): equal after ``core.normalize.normalize_text``, the one normalization the mapping table
  matches with (case, spacing, smart quotes and dashes, invisible characters). Nothing else scores 1.0.
- **Synonyms** (0.9): equal once phrases of the reviewed synonyms list (``wrapup_bridge/data/synonyms.yaml``, each
  group with why it holds) are read as their group (``Callback Scheduled`` and ``Call Back`` are both *callback*).
- **Similar names** (at most 0.9): the better of a *word* score (the words after dropping filler words such as
  "to" or "by" and light suffix stemming, so ``Escalation`` and ``Escalated`` share ``escal``: the mean of the
  Dice coefficient and the overlap coefficient, which rewards a name wholly inside the other, as ``Transferred``
  in ``Transferred To 3rd Party``) and a *spelling* score (Dice over character trigrams, for typos and run-together
  words). Computed on the plain words and, at 0.9 times, on the words with synonym phrases read as their group.
- **Negation** decides: a name that says *not* (``not``, ``no``, ``couldn't``, ``unable`` ...) against one that
  does not is scaled by ``NEGATION_FACTOR`` (0.5), below any threshold: ``Resolved`` never proposes ``Not
  Resolved``, ``No Answer`` never ``Answering Machine``.

Every part is symmetric, so ``similarity(a, b) == similarity(b, a)``. ``THRESHOLD`` is the floor under which a name is
never a match, whatever a caller asks for (``best_matches``). ``rank`` and ``best_matches`` order names by these
scores; ``NameIndex`` reads the names once to rank many values against them (``mapping init``: thousands of values
against an org's codes) with the same answers. Pure: no I/O; the synonyms list is handed in (``Synonyms.from_data``
over the parsed YAML).
"""

from __future__ import annotations

import functools
import heapq
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from wrapup_bridge.core.normalize import normalize_text

__all__ = [
    "MAX_SIMILAR",
    "NEGATION_FACTOR",
    "SAME_NAME",
    "SYNONYM_SCORE",
    "THRESHOLD",
    "Match",
    "NameIndex",
    "Score",
    "SynonymGroup",
    "Synonyms",
    "best_matches",
    "rank",
    "similarity",
    "words",
]

SAME_NAME = 1.0  #: equal normalized names, and only they
SYNONYM_SCORE = 0.9  #: equal once reviewed synonym phrases are read as their group
MAX_SIMILAR = 0.9  #: the most two different names score (below SAME_NAME, so 1.0 always means "the same name")
NEGATION_FACTOR = 0.5  #: one name negated and the other not: at most 0.5, under THRESHOLD
THRESHOLD = 0.55  #: never a match below this, whatever the caller's minimum

#: Words that carry no meaning in a disposition's name ("Transferred To 3rd Party", "Completed by Supervisor").
STOP_WORDS = frozenset({"a", "an", "the", "to", "of", "by", "for", "with", "on", "in", "at", "and", "or", "is", "was", "be",
                        "been", "has", "had", "from", "my", "our", "your", "their", "his", "her"})  # fmt: skip
#: Words that turn a name's meaning around; apostrophes are dropped before the lookup ("couldn't" -> couldnt). The
#: last ones say an action did not happen ("Transfer Failed" is no "Transferred", "Payment Declined" no "Payment
#: Taken"), which for choosing a code is the same.
NEGATIONS = frozenset({"not", "no", "non", "never", "cannot", "cant", "couldnt", "didnt", "dont", "doesnt", "wont", "wasnt",
                       "isnt", "arent", "unable", "without",
                       "failed", "fail", "failure", "unsuccessful", "cancelled", "canceled", "declined", "refused",
                       "rejected"})  # fmt: skip
_WORD = re.compile(r"[^\W_]+")  # letters and digits; spaces, punctuation and underscores separate words
_CONCEPT = "\x00"  # prefix of a synonym group's token: no word read from text can start with it
_SUFFIXES = ("ations", "ation", "ated", "ating", "ings", "ing", "ed", "es", "s")


def words(text: str) -> list[str]:
    """The words of a name, normalized as the mapping table normalizes values (``machine_end_beep`` -> machine,
    end, beep; ``Couldn't`` -> couldnt)."""
    return _WORD.findall(normalize_text(text).replace("'", ""))


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light suffix stemmer (Porter's first step, simplified): ``escalation``/``escalated`` -> ``escal``,
    ``transferred`` -> ``transfer``, ``resolved``/``resolve`` -> ``resolv``. Words of up to 3 letters and numbers
    are kept as they are; a stem is never shorter than 3 letters."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and not (suffix == "s" and word.endswith("ss")):
            base = word[: -len(suffix)]
            if len(base) >= 3:
                if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":  # transferr -> transfer
                    base = base[:-1]
                word = base
                break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


@dataclass(frozen=True)
class SynonymGroup:
    """Phrases that name one outcome in contact-center vocabulary, with the reason a reviewer accepted them."""

    concept: str
    phrases: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Synonyms:
    """A reviewed synonyms list, ready to read names with: each phrase (its words) -> its group's concept."""

    groups: tuple[SynonymGroup, ...] = ()
    name: str = "<synonyms>"
    _phrases: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False, compare=False)
    _longest: int = field(default=0, repr=False, compare=False)
    _readings: dict[str, _Reading] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, groups: Iterable[SynonymGroup], *, name: str = "<synonyms>") -> Synonyms:
        """The list of ``groups``; ``ValueError`` when a concept is named twice, a phrase has no words, or one
        phrase belongs to two groups (it could then be read as either)."""
        kept = tuple(groups)
        phrases: dict[tuple[str, ...], str] = {}
        concepts: set[str] = set()
        for number, group in enumerate(kept, 1):
            if group.concept in concepts:
                raise ValueError(f"{name}: group {number}: concept {group.concept!r} is already a group")
            concepts.add(group.concept)
            for phrase in group.phrases:
                key = tuple(words(phrase))
                if not key:
                    raise ValueError(f"{name}: group {number} ({group.concept}): phrase {phrase!r} has no words")
                other = phrases.get(key)
                if other is not None and other != group.concept:
                    raise ValueError(
                        f"{name}: group {number} ({group.concept}): phrase {phrase!r} is already in group {other!r}"
                    )
                phrases[key] = group.concept
        longest = max((len(k) for k in phrases), default=0)
        return cls(kept, name, phrases, longest)

    @classmethod
    def from_data(
        cls, data: Any, *, name: str = "<synonyms>", line_of: Callable[[tuple[str | int, ...]], int] | None = None
    ) -> Synonyms:
        """The list from a parsed synonyms file: ``{version: 1, groups: [{concept, why, phrases: [...]}, ...]}``.
        ``ValueError`` names the file (with the line, when ``line_of`` gives the line of a key path), the group (by
        number and concept) and what is wrong."""

        def at(*path: str | int) -> str:
            return f"{name}:{line_of(path)}" if line_of is not None else name

        if not isinstance(data, Mapping) or data.get("version") not in (1, "1"):
            raise ValueError(f"{at()}: a synonyms file is a mapping with 'version: 1' and 'groups:'")
        unknown = sorted(set(map(str, data)) - {"version", "groups"})
        if unknown:
            raise ValueError(f"{at()}: unknown key(s) {', '.join(unknown)} (a synonyms file has version and groups)")
        raw_groups = data.get("groups")
        if not isinstance(raw_groups, list):
            raise ValueError(f"{at('groups')}: 'groups' must be a list of {{concept, why, phrases}}")
        groups = []
        for number, raw in enumerate(raw_groups, 1):
            where = f"{at('groups', number - 1)}: group {number}"
            if not isinstance(raw, Mapping):
                raise ValueError(f"{where}: must be a mapping with concept, why and phrases")
            extra = sorted(set(map(str, raw)) - {"concept", "why", "phrases"})
            if extra:
                raise ValueError(f"{where}: unknown key(s) {', '.join(extra)}")
            concept, why, phrases = raw.get("concept"), raw.get("why"), raw.get("phrases")
            if not isinstance(concept, str) or not concept.strip():
                raise ValueError(f"{where}: 'concept' must name the outcome the phrases share")
            if not isinstance(why, str) or not why.strip():
                raise ValueError(f"{where} ({concept}): 'why' must say why these phrases mean the same outcome")
            if not isinstance(phrases, list) or len(phrases) < 2 or not all(isinstance(p, str) for p in phrases):
                raise ValueError(f"{where} ({concept}): 'phrases' must list at least two phrases (text)")
            groups.append(SynonymGroup(concept.strip(), tuple(phrases), " ".join(why.split())))
        return cls.build(groups, name=name)

    def group(self, concept: str) -> SynonymGroup | None:
        return next((g for g in self.groups if g.concept == concept), None)

    def read(self, tokens: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``tokens`` with each synonym phrase (longest first, left to right) replaced by its group's token, and
        the concepts used."""
        if not self._phrases:
            return tuple(tokens), ()
        out: list[str] = []
        used: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                concept = self._phrases.get(tuple(tokens[i : i + size]))
                if concept is not None:
                    out.append(_CONCEPT + concept)
                    used.append(concept)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return tuple(out), tuple(dict.fromkeys(used))


@dataclass(frozen=True)
class _Reading:
    """One name, read once: its content words (stemmed, no filler, no negation), whether it is negated, and its
    character trigrams; ``grouped`` is the same with synonym phrases read as their groups."""

    plain: frozenset[str]
    plain_negated: bool
    grouped: frozenset[str]
    grouped_negated: bool
    concepts: tuple[str, ...]
    trigrams: frozenset[str]


def _content(tokens: Iterable[str]) -> tuple[frozenset[str], bool]:
    negations = 0
    kept: set[str] = set()
    for token in tokens:
        if token in NEGATIONS:
            negations += 1
        elif token.startswith(_CONCEPT):
            kept.add(token)
        elif token not in STOP_WORDS:
            kept.add(stem(token))
    return frozenset(kept), negations % 2 == 1


def _trigrams(tokens: Sequence[str]) -> frozenset[str]:
    text = f" {' '.join(tokens)} "
    return frozenset(text[i : i + 3] for i in range(len(text) - 2))


def _read(normalized: str, synonyms: Synonyms) -> _Reading:
    tokens = _WORD.findall(normalized.replace("'", ""))
    plain, plain_negated = _content(tokens)
    grouped_tokens, concepts = synonyms.read(tokens)
    grouped, grouped_negated = _content(grouped_tokens)
    return _Reading(plain, plain_negated, grouped, grouped_negated, concepts, _trigrams(tokens))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _word_score(a: frozenset[str], b: frozenset[str]) -> float:
    """Mean of Dice (how much the two share) and the overlap coefficient (how much of the smaller is in the
    larger): ``{transfer}`` in ``{transfer, 3rd, party}`` gives (0.5 + 1) / 2 = 0.75."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return (2 * shared / (len(a) + len(b)) + shared / min(len(a), len(b))) / 2


@dataclass(frozen=True, order=True)
class Score:
    """How close two names are (``score``), what kind of closeness it is (``basis``: same name, synonyms, similar
    names or not close) and a short text a reviewer reads (``detail``)."""

    score: float
    basis: str = "not close"
    detail: str = ""


def _round(value: float) -> float:
    return round(value, 4)


def similarity(a: str, b: str, synonyms: Synonyms | None = None) -> Score:
    """How close names ``a`` and ``b`` are, in [0, 1]: 1.0 exactly when they are equal after ``normalize_text``;
    symmetric; see the module docstring for the parts."""
    na, nb = normalize_text(a), normalize_text(b)
    if na == nb:
        return Score(SAME_NAME, "same name", "ignoring case, spacing and quotes")
    syn = synonyms if synonyms is not None else _NO_SYNONYMS
    ra, rb = _read_cached(na, syn), _read_cached(nb, syn)
    words_score = _word_score(ra.plain, rb.plain)
    spelling = _dice(ra.trigrams, rb.trigrams)
    plain = max(words_score, spelling)
    if ra.plain_negated != rb.plain_negated:
        plain *= NEGATION_FACTOR
    best = Score(
        _round(min(MAX_SIMILAR, plain)),
        "similar names" if plain > 0 else "not close",
        f"words {words_score:.2f}, spelling {spelling:.2f}"
        + ("; one name is negated and the other not" if ra.plain_negated != rb.plain_negated else ""),
    )
    concepts = tuple(dict.fromkeys((*ra.concepts, *rb.concepts)))
    if concepts:
        groups = ", ".join(concepts)
        negated = ra.grouped_negated != rb.grouped_negated
        if ra.grouped == rb.grouped and ra.grouped and not negated:
            grouped = Score(SYNONYM_SCORE, "synonyms", f"reviewed group {groups}")
        else:
            value = _word_score(ra.grouped, rb.grouped) * SYNONYM_SCORE * (NEGATION_FACTOR if negated else 1.0)
            grouped = Score(_round(value), "similar names", f"words {value:.2f} reading group {groups}")
        if grouped.score >= best.score:
            best = grouped
    return best


_NO_SYNONYMS = Synonyms()
_READINGS_KEPT = 20_000


def _read_cached(normalized: str, synonyms: Synonyms) -> _Reading:
    """A name's reading, kept on the synonyms list it was read with: a history's values are compared with every
    code of the org, and a code's reading is the same each time."""
    cache = synonyms._readings
    reading = cache.get(normalized)
    if reading is None:
        if len(cache) >= _READINGS_KEPT:
            cache.clear()
        reading = cache[normalized] = _read(normalized, synonyms)
    return reading


@dataclass(frozen=True)
class Match:
    """A candidate name for a value: its position among the names given, the name, and the score."""

    index: int
    name: str
    score: Score


class NameIndex:
    """Names read once, to rank many values against: ``mapping init`` compares each of up to 5,000 legacy values
    with every code of the org (hundreds to thousands in a large one), so the codes' names are normalized and read
    here once, not once per pair, and indexed by what a score is made of (character trigrams, content words,
    words with synonym groups read).

    A value is scored against the names that share something with it, from the index's counts: a name that shares
    no trigram, no content word and no grouped word with the value scores 0.0 (all three parts are 0; the same name,
    which scores 1.0 even with no words, is looked up by its normalized text), so it is only ever ranked among the
    names that score 0.0, by normalized name and position. The numbers are the ones ``similarity`` computes, by the
    same arithmetic; the ``Score`` (with its ``detail`` text) is built by ``similarity`` itself, only for the names
    kept. ``rank`` and ``best_matches`` answer exactly as their module-level namesakes (a property test holds
    them to sorting every ``similarity`` result)."""

    def __init__(self, names: Sequence[str], synonyms: Synonyms | None = None) -> None:
        self.names = tuple(names)
        self.synonyms = synonyms
        syn = synonyms if synonyms is not None else _NO_SYNONYMS
        self._syn = syn
        normalized = [normalize_text(name) for name in self.names]
        readings = [_read_cached(n, syn) for n in normalized]
        self._normalized = normalized
        self._plain_sizes = [len(r.plain) for r in readings]
        self._trigram_sizes = [len(r.trigrams) for r in readings]
        self._grouped_sizes = [len(r.grouped) for r in readings]
        self._plain_negated = [r.plain_negated for r in readings]
        self._grouped_negated = [r.grouped_negated for r in readings]
        self._has_concepts = [bool(r.concepts) for r in readings]
        self._same: dict[str, list[int]] = {}
        self._by_trigram: dict[str, list[int]] = {}
        self._by_word: dict[str, list[int]] = {}
        self._by_grouped: dict[str, list[int]] = {}
        for index, (norm, reading) in enumerate(zip(normalized, readings, strict=True)):
            self._same.setdefault(norm, []).append(index)
            for trigram in reading.trigrams:
                self._by_trigram.setdefault(trigram, []).append(index)
            for word in reading.plain:
                self._by_word.setdefault(word, []).append(index)
            for word in reading.grouped:
                self._by_grouped.setdefault(word, []).append(index)
        #: every position in rank order among names of equal score: by normalized name, then position
        self._order = sorted(range(len(normalized)), key=lambda i: (normalized[i], i))

    def _scored(self, value: str, *, wanted: int | None = None, floor: float = 0.0) -> list[tuple[float, str, int]]:
        """The sort keys ``(-score, normalized name, position)`` of the names scoring above 0.0 and at least
        ``floor`` against ``value``, unsorted; with ``wanted``, names that cannot be among the ``wanted`` best are
        left out (never one that can).

        Names that share a word with the value are scored first. A name that shares only trigrams scores its
        spelling alone, ``2t / (ta + tb)`` for ``t`` shared of ``ta`` and ``tb``, which is at most ``2t / (ta + t)``
        (``tb >= t``) whatever the name, before the cap, the negation and the rounding, none of which raises it;
        so when that bound, rounded as scores are, is under the ``wanted``-th best score found (or ``floor``), the
        name is left out by its count ``t`` alone, unscored. Most of a large org's names share a trigram or two
        with any value ("ed ", " ca") and nothing else: they are counted, not scored."""
        nv = normalize_text(value)
        rv = _read_cached(nv, self._syn)
        same = self._same.get(nv, ())
        keys = [(-SAME_NAME, nv, i) for i in same]
        plain = Counter(chain.from_iterable(self._by_word.get(w, ()) for w in rv.plain))
        grouped = Counter(chain.from_iterable(self._by_grouped.get(w, ()) for w in rv.grouped))
        trigrams = Counter(chain.from_iterable(self._by_trigram.get(t, ()) for t in rv.trigrams))
        worded = plain.keys() | grouped.keys()
        worded.difference_update(same)
        score = self._scorer(rv, plain, grouped, trigrams)
        keys += score(worded)
        bound = floor
        if wanted is not None and 0 < wanted <= len(keys):
            bound = max(bound, -heapq.nsmallest(wanted, keys)[-1][0])
        least = _least_shared(len(rv.trigrams), bound)
        spelled = {i for i, t in trigrams.items() if t >= least} if least > 1 else set(trigrams)
        spelled.difference_update(worded, same)
        keys += score(spelled)
        return keys if floor <= 0.0 else [k for k in keys if -k[0] >= floor]

    def _scorer(
        self, rv: _Reading, plain: Counter[int], grouped: Counter[int], trigrams: Counter[int]
    ) -> Callable[[Iterable[int]], list[tuple[float, str, int]]]:
        """Scores names against the value read as ``rv``, from the counts of what each name shares with it: the
        arithmetic of ``similarity``, ``_word_score`` and ``_dice`` on the same integers, so the same floats (a part
        with nothing shared is 0.0 there too). Keeps the names scoring above 0.0."""
        p_get, g_get, t_get = plain.get, grouped.get, trigrams.get
        normalized = self._normalized
        p_sizes, t_sizes, g_sizes = self._plain_sizes, self._trigram_sizes, self._grouped_sizes
        p_negated, g_negated, has_concepts = self._plain_negated, self._grouped_negated, self._has_concepts
        pa, ta, ga = len(rv.plain), len(rv.trigrams), len(rv.grouped)
        neg_a, gneg_a, concepts_a = rv.plain_negated, rv.grouped_negated, bool(rv.concepts)

        def score(candidates: Iterable[int]) -> list[tuple[float, str, int]]:
            keys = []
            for i in candidates:
                shared = p_get(i, 0)
                if shared:
                    pb = p_sizes[i]
                    words_score = (2 * shared / (pa + pb) + shared / min(pa, pb)) / 2
                else:
                    words_score = 0.0
                shared = t_get(i, 0)
                spelling = 2 * shared / (ta + t_sizes[i]) if shared else 0.0
                best = words_score if words_score >= spelling else spelling
                if neg_a != p_negated[i]:
                    best *= NEGATION_FACTOR
                result = round(MAX_SIMILAR if best > MAX_SIMILAR else best, 4)
                if concepts_a or has_concepts[i]:
                    negated = gneg_a != g_negated[i]
                    shared = g_get(i, 0)
                    gb = g_sizes[i]
                    if not negated and ga and shared == ga == gb:
                        group_score = SYNONYM_SCORE
                    else:
                        group_words = (2 * shared / (ga + gb) + shared / min(ga, gb)) / 2 if shared else 0.0
                        group_score = round(group_words * SYNONYM_SCORE * (NEGATION_FACTOR if negated else 1.0), 4)
                    result = max(group_score, result)
                if result > 0.0:
                    keys.append((-result, normalized[i], i))
            return keys

        return score

    def _matches(self, value: str, keys: Iterable[tuple[float, str, int]]) -> list[Match]:
        names, synonyms = self.names, self.synonyms
        return [Match(i, names[i], similarity(value, names[i], synonyms)) for _, _, i in keys]

    def rank(self, value: str, *, limit: int = 3) -> list[Match]:
        """As the module's ``rank(value, names, synonyms, limit=limit)``: the ``limit`` names closest to ``value``,
        best first (a negative ``limit`` drops that many from the end, as a slice does)."""
        count = len(self.names)
        wanted = min(limit if limit >= 0 else max(0, count + limit), count)
        if wanted == 0:
            return []
        scored = self._scored(value, wanted=wanted)
        kept = heapq.nsmallest(wanted, scored) if wanted < len(scored) else sorted(scored)
        if len(kept) < wanted:  # then every name above 0.0 is scored; the rest are 0.0, in name order
            above = {i for _, _, i in scored}
            zero = (i for i in self._order if i not in above)
            normalized = self._normalized
            kept += [(0.0, normalized[i], i) for i in islice(zero, wanted - len(kept))]
        return self._matches(value, kept)

    def best_matches(self, value: str, *, minimum: float = THRESHOLD, limit: int = 3) -> list[Match]:
        """As the module's ``best_matches(value, names, synonyms, minimum=minimum, limit=limit)``."""
        floor = max(minimum, THRESHOLD)
        if not floor <= 1.0:  # no score reaches it (a NaN minimum included)
            return []
        return self._matches(value, sorted(self._scored(value, floor=floor))[:limit])


@functools.lru_cache(maxsize=4096)
def _least_shared(size: int, bound: float) -> int:
    """The fewest trigrams a name must share with a value of ``size`` trigrams for its spelling to reach ``bound``:
    the least ``t`` whose ``round(2t / (size + t), 4)`` is at least ``bound`` (``size + 1``: none does). That bound
    rises with ``t``, and the rounding keeps its order."""
    for shared in range(1, size + 1):
        if round(2 * shared / (size + shared), 4) >= bound:
            return shared
    return size + 1


def rank(value: str, names: Sequence[str], synonyms: Synonyms | None = None, *, limit: int = 3) -> list[Match]:
    """The ``limit`` names closest to ``value``, best first, however far (to show a reviewer what was nearest);
    ties by normalized name, then position, so the same inputs give the same answer. Not a match: see
    ``best_matches``. Ranking many values against the same names: ``NameIndex(names, synonyms).rank``."""
    return NameIndex(names, synonyms).rank(value, limit=limit)


def best_matches(
    value: str,
    names: Sequence[str],
    synonyms: Synonyms | None = None,
    *,
    minimum: float = THRESHOLD,
    limit: int = 3,
) -> list[Match]:
    """The ``limit`` names closest to ``value`` scoring at least ``max(minimum, THRESHOLD)``, best first (ordered
    as ``rank``). Never a name below ``THRESHOLD``, whatever ``minimum`` asks."""
    return NameIndex(names, synonyms).best_matches(value, minimum=minimum, limit=limit)
