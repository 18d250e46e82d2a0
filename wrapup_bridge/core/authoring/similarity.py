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
never a match, whatever a caller asks for (``best_matches``). Pure: no I/O; the synonyms list is handed in
(``Synonyms.from_data`` over the parsed YAML).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.core.normalize import normalize_text

__all__ = [
    "MAX_SIMILAR",
    "NEGATION_FACTOR",
    "SAME_NAME",
    "SYNONYM_SCORE",
    "THRESHOLD",
    "Match",
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


def rank(value: str, names: Sequence[str], synonyms: Synonyms | None = None, *, limit: int = 3) -> list[Match]:
    """The ``limit`` names closest to ``value``, best first, however far (to show a reviewer what was nearest);
    ties by normalized name, then position, so the same inputs give the same answer. Not a match: see
    ``best_matches``."""
    scored = [Match(i, name, similarity(value, name, synonyms)) for i, name in enumerate(names)]
    scored.sort(key=lambda m: (-m.score.score, normalize_text(m.name), m.index))
    return scored[:limit]


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
    floor = max(minimum, THRESHOLD)
    return [m for m in rank(value, names, synonyms, limit=len(names)) if m.score.score >= floor][:limit]
