"""The mapping table: load and validate a YAML table, compile it once, resolve dispositions fast.

Semantics people can hold in their head: rules are tried in file order and the first whose conditions all
hold wins; values are compared after ``normalize_text``; a record no rule matches gets the table's
``unmapped`` policy. The compiled resolver indexes exact ``code`` conditions in a dict and keeps every other
rule as an ordered fallback list, so a lookup touches only the rules that could match, in file order. It must
always give the same answer as ``resolve_naive``, the plain scan kept beside it as the reference (and
checked against it by property tests).

What one normalized code value can lead to (its "bucket") is worked out once per value. For the values the
table names it is done when the table is compiled, and for any other value the rules whose ``code`` conditions
are patterns are tried together (``patterns.PatternSet``, one RE2 set per kind), so a big table's first pass over
an export costs about what its next one does (a 3,000-rule table used to take 20 times longer on its first).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError

from wrapup_bridge.core.correlate.spec import CorrelateSpec, LegacyIdSpec
from wrapup_bridge.core.decision import CodeRef, Decision, DecisionKind, RuleRef
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping.errors import MappingProblem, MappingTableError
from wrapup_bridge.core.mapping.patterns import PatternSet, compile_glob, compile_regex
from wrapup_bridge.core.mapping.schema import (
    CodeSpec,
    Condition,
    ConditionKind,
    MappingDocument,
    ReviewSpec,
    RuleSpec,
    SourceSpec,
    UnmappedAction,
    UnmappedSpec,
)
from wrapup_bridge.core.mapping.yamlsource import LocatedYaml, load_located_yaml
from wrapup_bridge.core.normalize import normalize_key, normalize_text
from wrapup_bridge.core.outbound.spec import OutboundSpec

if TYPE_CHECKING:
    from wrapup_bridge.core.mapping.explain import ConditionTrace, Explanation, RuleTrace

__all__ = [
    "CompiledRule",
    "ConditionTrace",
    "Explanation",
    "MappingTable",
    "Matcher",
    "RuleTrace",
    "load_mapping",
    "record_value",
    "resolve_naive",
]

#: Condition keys that read the record itself rather than one of its ``fields``.
RECORD_KEYS = frozenset({"code", "media", "agent", "source"})
_FIELDS_PREFIX = "fields."


@functools.lru_cache(maxsize=4096)
def _condition_key(key: str) -> str:
    """The canonical form of a ``when:`` key: record keys as is, field names normalized."""
    stripped = key.strip()
    if stripped.startswith(_FIELDS_PREFIX):
        return _FIELDS_PREFIX + normalize_key(stripped[len(_FIELDS_PREFIX) :])
    canonical = normalize_key(stripped)
    return canonical if canonical in RECORD_KEYS else _FIELDS_PREFIX + canonical


def record_value(disposition: Disposition, key: str) -> str:
    """The raw text a condition on canonical ``key`` compares against; a missing field reads as ''."""
    if not key.startswith(_FIELDS_PREFIX):
        if key == "code":
            return disposition.code
        if key == "media":
            return disposition.media.value
        if key == "agent":
            return disposition.agent or ""
        return disposition.source
    name = key[len(_FIELDS_PREFIX) :]
    fields = disposition.fields
    value = fields.get(name)
    if value is not None:
        return value
    for field_name, field_value in fields.items():  # adapters emit canonical keys; tolerate hand-made records
        if normalize_key(field_name) == name:
            return field_value
    return ""


@dataclass(frozen=True, slots=True)
class Matcher:
    """A compiled condition: a canonical key and a test over the *normalized* value."""

    key: str
    condition: Condition
    exact: frozenset[str]
    tests: tuple[Callable[[str], object], ...]

    @classmethod
    def compile(cls, key: str, condition: Condition) -> Matcher:
        if condition.kind is ConditionKind.EXACT:
            return cls(key, condition, frozenset(normalize_text(v) for v in condition.values), ())
        tests: tuple[Callable[[str], object], ...]
        if condition.kind is ConditionKind.GLOB:
            tests = tuple(compile_glob(normalize_text(v)) for v in condition.values)
        else:
            tests = tuple(_regex_test(compile_regex(v)) for v in condition.values)
        return cls(key, condition, frozenset(), tests)

    def matches(self, normalized: str) -> bool:
        if self.condition.kind is ConditionKind.EXACT:
            return normalized in self.exact
        return any(test(normalized) is not None for test in self.tests)


def _regex_test(matches: Callable[[str], bool]) -> Callable[[str], object]:
    """A regex test in the shape of ``re.Pattern.match`` (None for no match), as the glob tests are."""
    return lambda value: True if matches(value) else None


@dataclass(frozen=True)
class CompiledRule:
    """One rule ready to run: its matchers, its line and the Decision it yields when it matches."""

    number: int  #: 1-based position in the file, as people count
    line: int
    spec: RuleSpec
    matchers: tuple[Matcher, ...]
    decision: Decision

    @property
    def code_values(self) -> frozenset[str] | None:
        """The normalized values of an exact ``code`` condition, the key the index uses; None otherwise."""
        for matcher in self.matchers:
            if matcher.key == "code" and matcher.condition.kind is ConditionKind.EXACT:
                return matcher.exact
        return None


# A candidate rule for a known code: the (non-code) matchers still to check, and the decision if they all hold.
_Candidate = tuple[tuple[Matcher, ...], Decision]


@dataclass(frozen=True, slots=True)
class _Bucket:
    """Everything one normalized code value can still lead to, in file order, code conditions already settled.

    ``candidates`` are the rules whose answer depends on fields; ``tail`` is the first rule that matches on the code
    alone (None: the unmapped policy). When there are no candidates the answer is ``tail`` for every such record.
    """

    candidates: tuple[_Candidate, ...]
    tail: Decision | None


_CACHE_LIMIT = 65_536

#: At most this many candidate entries are prepared when a table is compiled (the buckets of the values its exact
#: ``code`` conditions name); beyond it, as for every other value, a bucket is made on the value's first record.
_KNOWN_BUDGET = 250_000


#: The fewest ``code`` patterns of one kind (globs, regexes) tried together in an RE2 set; a table with fewer tries
#: each on its own (a shipped table's glob or two), without loading RE2 (``PatternSet``'s ``set_from``).
_SET_FROM = 8


@dataclass(frozen=True, slots=True)
class _Routing:
    """What a new normalized code value needs to find its rules, prepared once when the table is compiled, so
    that a value's first record costs about what every later one does: the rules whose ``code`` conditions are
    patterns are all tried at once (``PatternSet``), not one by one."""

    #: Per rule: its conditions on anything but the code, what is left to check per record.
    rest: tuple[tuple[Matcher, ...], ...]
    #: Rules with no ``code`` condition: a candidate for every value.
    always: tuple[int, ...]
    #: Indexed rules with more than one ``code`` condition: those the index did not settle.
    unsettled: dict[int, tuple[Matcher, ...]]
    #: The patterns of the rules whose ``code`` conditions are all patterns, and for each pattern id the rule and
    #: which of its ``code`` conditions it belongs to; ``needs``: how many such conditions each of those rules has.
    patterns: PatternSet
    owners: tuple[tuple[int, int], ...]
    needs: dict[int, int]

    @classmethod
    def build(cls, rules: list[CompiledRule]) -> _Routing:
        rest: list[tuple[Matcher, ...]] = []
        always: list[int] = []
        unsettled: dict[int, tuple[Matcher, ...]] = {}
        patterns = PatternSet(set_from=_SET_FROM)
        owners: list[tuple[int, int]] = []
        needs: dict[int, int] = {}
        for i, rule in enumerate(rules):
            code_matchers = [m for m in rule.matchers if m.key == "code"]
            rest.append(tuple(m for m in rule.matchers if m.key != "code"))
            if not code_matchers:
                always.append(i)
            elif rule.code_values is not None:
                settled = next(m for m in code_matchers if m.condition.kind is ConditionKind.EXACT)
                if len(code_matchers) > 1:
                    unsettled[i] = tuple(m for m in code_matchers if m is not settled)
            else:
                needs[i] = len(code_matchers)
                for position, matcher in enumerate(code_matchers):
                    for value, test in zip(matcher.condition.values, matcher.tests, strict=True):
                        if matcher.condition.kind is ConditionKind.GLOB:
                            patterns.add_glob(normalize_text(value), test)
                        else:
                            patterns.add_regex(value, test)
                        owners.append((i, position))
        return cls(tuple(rest), tuple(always), unsettled, patterns.compile(), tuple(owners), needs)

    def patterned_rules(self, code: str) -> set[int]:
        """The rules whose ``code`` conditions are all patterns and all hold for the normalized ``code``."""
        if not self.needs:
            return set()
        held: dict[int, set[int]] = {}
        for ident in self.patterns.matching(code):
            rule, position = self.owners[ident]
            held.setdefault(rule, set()).add(position)
        return {rule for rule, positions in held.items() if len(positions) == self.needs[rule]}


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a table loads: reading, validating and compiling it makes hundreds of
    thousands of objects, none of them garbage in a cycle, and the collector's passes over them (as they piled up)
    were a third of a 3,000-rule table's load. Whatever the load leaves in cycles waits for the next collection."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class MappingTable:
    """A validated, compiled mapping table. Build it with ``load_mapping`` or ``MappingTable.from_text``."""

    document: MappingDocument
    name: str
    sha256: str
    rules: tuple[CompiledRule, ...]
    codes: dict[str, CodeRef]
    _index: dict[str, tuple[int, ...]] = field(repr=False)
    _policy_decision: Decision | None = field(repr=False)
    _routing: _Routing = field(repr=False)
    #: The buckets of the values the table names, made when it is compiled; ``_buckets``: the others, as met.
    _known: dict[str, _Bucket] = field(default_factory=dict, repr=False)
    #: The bucket of every value no exact condition names and no ``code`` pattern matches (most of those an
    #: export holds that the table does not know): only the rules without a ``code`` condition.
    _plain: _Bucket = field(default_factory=lambda: _Bucket((), None), repr=False)
    _buckets: dict[str, _Bucket] = field(default_factory=dict, repr=False)
    _norm_cache: dict[str, str] = field(default_factory=dict, repr=False)
    _unmapped_cache: dict[str, Decision] = field(default_factory=dict, repr=False)

    # ----------------------------------------------------------------------------------------- loading
    @classmethod
    def from_text(cls, text: str, *, name: str = "<mapping>", sha256: str | None = None) -> MappingTable:
        """Parse, validate and compile ``text``; raise ``MappingTableError`` listing every problem with its line."""
        with _collector_paused():
            return cls._from_text(text, name=name, sha256=sha256)

    @classmethod
    def _from_text(cls, text: str, *, name: str, sha256: str | None) -> MappingTable:
        digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
        located = load_located_yaml(text)
        problems = [MappingProblem(name, p.line, _path_text(p.path), p.message) for p in located.problems]
        if located.value is None and not problems:
            problems.append(
                MappingProblem(name, 1, "", "the file is empty; a table needs at least 'version: 1' and 'codes:'")
            )
        elif located.value is not None and not isinstance(located.value, dict):
            problems.append(MappingProblem(name, 1, "", "the top level must be a mapping (version, codes, rules, ...)"))
        document: MappingDocument | None = None
        if isinstance(located.value, dict):
            problems.extend(_reference_problems(located, name))
            try:
                document = MappingDocument.model_validate(located.value)
            except ValidationError as exc:
                problems.extend(_validation_problems(exc, located, name))
        if problems or document is None:
            raise MappingTableError(problems)
        rule_lines = [located.line_of(("rules", index)) for index in range(len(document.rules))]
        return cls.compile(document, name=name, sha256=digest, rule_lines=rule_lines)

    @classmethod
    def compile(
        cls, document: MappingDocument, *, name: str, sha256: str, rule_lines: list[int] | None = None
    ) -> MappingTable:
        codes = {
            alias: CodeRef(alias=alias, id=spec.id.lower(), name=spec.name) for alias, spec in document.codes.items()
        }
        rules: list[CompiledRule] = []
        for index, spec in enumerate(document.rules):
            number = index + 1
            line = rule_lines[index] if rule_lines else number
            matchers = tuple(Matcher.compile(_condition_key(k), c) for k, c in spec.when.items())
            ref = RuleRef(number=number, line=line, notes=spec.notes)
            if spec.code is not None:
                code = codes[spec.code]
                decision = Decision(
                    kind=DecisionKind.MAPPED, code=code, rule=ref, reason=f"{ref} maps it to {code.name!r}"
                )
            else:
                decision = Decision(kind=DecisionKind.SKIP, rule=ref, reason=f"{ref} skips it: {spec.skip}")
            rules.append(CompiledRule(number, line, spec, matchers, decision))

        indexed: dict[str, list[int]] = {}
        for i, rule in enumerate(rules):
            for value in rule.code_values or ():
                indexed.setdefault(value, []).append(i)

        policy = document.unmapped
        policy_decision: Decision | None = None
        if policy.action is UnmappedAction.FALLBACK:
            assert policy.code is not None  # guaranteed by UnmappedSpec
            code = codes[policy.code]
            policy_decision = Decision(
                kind=DecisionKind.FALLBACK,
                code=code,
                reason=policy.reason or f"no rule matches; the table's fallback code {code.name!r} applies",
            )
        elif policy.action is UnmappedAction.SKIP:
            policy_decision = Decision(
                kind=DecisionKind.SKIP, reason=policy.reason or "no rule matches; the table skips unmatched records"
            )
        table = cls(
            document=document,
            name=name,
            sha256=sha256,
            rules=tuple(rules),
            codes=codes,
            _index={value: tuple(ids) for value, ids in indexed.items()},
            _policy_decision=policy_decision,
            _routing=_Routing.build(rules),
        )
        table._prepare_known()
        return table

    # ------------------------------------------------------------------------------------- properties
    @property
    def source(self) -> SourceSpec:
        return self.document.source or SourceSpec()

    @property
    def review(self) -> ReviewSpec:
        return self.document.review or ReviewSpec()

    @property
    def unmapped(self) -> UnmappedSpec:
        return self.document.unmapped

    @property
    def agents(self) -> dict[str, str]:
        """The agent directory: legacy agent -> Genesys user (id, e-mail or login)."""
        return dict(self.document.agents)

    @property
    def correlate(self) -> CorrelateSpec:
        """The ``correlate:`` section, or its defaults when the table has none."""
        return self.document.correlate or CorrelateSpec()

    # -------------------------------------------------------------------------------------- resolving
    def normalized(self, value: str) -> str:
        """``normalize_text`` with a bounded cache: exports repeat a few hundred distinct values millions of times."""
        cache = self._norm_cache
        result = cache.get(value)
        if result is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            result = cache[value] = normalize_text(value)
        return result

    def resolve(self, disposition: Disposition) -> Decision:
        """The decision for one record. Total: any valid Disposition gets a Decision, never an exception."""
        normalized = self.normalized
        code = normalized(disposition.code)
        bucket = self._known.get(code) or self._buckets.get(code) or self._bucket(code)
        for matchers, decision in bucket.candidates:
            for matcher in matchers:
                if not matcher.matches(normalized(record_value(disposition, matcher.key))):
                    break
            else:
                return decision
        return bucket.tail or self.unmatched_decision(disposition)

    def _bucket(self, code: str) -> _Bucket:
        """The bucket of a value the table does not name (or did not prepare), made on its first record."""
        if len(self._buckets) >= _CACHE_LIMIT:
            self._buckets.clear()
        bucket = self._buckets[code] = self._make_bucket(code)
        return bucket

    def _prepare_known(self) -> None:
        """Make the buckets of the values the table's exact ``code`` conditions name, within ``_KNOWN_BUDGET``:
        the values most records carry then cost their first record no more than their next."""
        self._plain = self._assemble(self._routing.always, "")
        budget = _KNOWN_BUDGET
        for code in self._index:
            bucket = self._known[code] = self._make_bucket(code)
            budget -= len(bucket.candidates) + 1
            if budget <= 0:
                break

    def _make_bucket(self, code: str) -> _Bucket:
        """Settle every ``code`` condition for one normalized value: exact ones through the index, patterns through
        the routing's pattern sets. What is left per record is only the other conditions of the surviving rules."""
        routing = self._routing
        ids = routing.patterned_rules(code)
        indexed = self._index.get(code)
        if not ids and not indexed:
            return self._plain
        ids.update(indexed or ())
        ids.update(routing.always)
        return self._assemble(sorted(ids), code)

    def _assemble(self, ids: Iterable[int], code: str) -> _Bucket:
        """The bucket of ``code`` from the rules (``ids``, in file order) whose ``code`` conditions may hold."""
        routing = self._routing
        candidates: list[_Candidate] = []
        tail: Decision | None = None
        unsettled = routing.unsettled
        for i in ids:
            rule = self.rules[i]
            if i in unsettled and not all(m.matches(code) for m in unsettled[i]):
                continue
            rest = routing.rest[i]
            if not rest:
                tail = rule.decision
                break
            candidates.append((rest, rule.decision))
        return _Bucket(tuple(candidates), tail)

    def resolve_many(self, dispositions: Iterable[Disposition]) -> list[Decision]:
        return [self.resolve(d) for d in dispositions]

    def unmatched_decision(self, disposition: Disposition) -> Decision:
        """What the ``unmapped`` policy says for a record no rule matched."""
        if self._policy_decision is not None:
            return self._policy_decision
        cached = self._unmapped_cache.get(disposition.code)
        if cached is None:
            if len(self._unmapped_cache) >= _CACHE_LIMIT:
                self._unmapped_cache.clear()
            reason = self.unmapped.reason or (
                f"no rule matches disposition {disposition.code!r}"
                if disposition.code.strip()
                else "the record has no disposition and no rule matches an empty one"
            )
            cached = self._unmapped_cache[disposition.code] = Decision(kind=DecisionKind.UNMAPPED, reason=reason)
        return cached

    def explain(self, disposition: Disposition) -> Explanation:
        """Every rule tried in order with each condition's outcome, up to the first that matches."""
        from wrapup_bridge.core.mapping.explain import ConditionTrace, Explanation, RuleTrace

        traces: list[RuleTrace] = []
        for rule in self.rules:
            conditions = []
            for matcher in rule.matchers:
                raw = record_value(disposition, matcher.key)
                norm = normalize_text(raw)
                conditions.append(ConditionTrace(matcher.key, raw, norm, matcher.condition, matcher.matches(norm)))
            trace = RuleTrace(rule, tuple(conditions))
            traces.append(trace)
            if trace.matched:
                return Explanation(rule.decision, tuple(traces))
        return Explanation(self.unmatched_decision(disposition), tuple(traces))

    def known_code_values(self) -> list[str]:
        """Every legacy value an exact ``code`` condition names, as written, first occurrence in file order."""
        seen: dict[str, str] = {}
        for rule in self.rules:
            for matcher in rule.matchers:
                if matcher.key == "code" and matcher.condition.kind is ConditionKind.EXACT:
                    for value in matcher.condition.values:
                        seen.setdefault(normalize_text(value), value)
        return list(seen.values())

    def suggestions(self, value: str, limit: int = 3) -> list[str]:
        """Values the table knows that look like ``value``: the likely typo or respelling behind an unmapped one."""
        known = {normalize_text(v): v for v in self.known_code_values()}
        close = _close_matches(normalize_text(value), list(known), n=limit, cutoff=0.6)
        return [known[c] for c in close]

    # --------------------------------------------------------------------------------------- writing
    def to_yaml(self) -> str:
        """The table as YAML that loads back to the same decisions (comments are not kept)."""
        return dump_document(self.document)


# Hidden from type checkers, so they see the names imported under TYPE_CHECKING above with their types.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """``ConditionTrace``, ``RuleTrace`` and ``Explanation`` (in ``__all__``) live in ``explain``, loaded by the
        first explanation or the first use of one of these names."""
        if name in ("ConditionTrace", "Explanation", "RuleTrace"):
            from wrapup_bridge.core.mapping import explain

            return getattr(explain, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def dump_document(document: MappingDocument) -> str:
    data = document.model_dump(mode="json", exclude_none=True)
    if data.get("unmapped") == {"action": "dead-letter"}:
        data.pop("unmapped")
    if not data.get("agents"):
        data.pop("agents", None)
    if document.correlate is not None:  # only what differs from the defaults; an absent section stays absent
        data["correlate"] = document.correlate.model_dump(mode="json", exclude_defaults=True)
    if document.outbound is not None:  # likewise: the keys the table wrote
        data["outbound"] = document.outbound.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def resolve_naive(table: MappingTable, disposition: Disposition) -> Decision:
    """The reference semantics, written as plainly as possible: scan every rule in order, first match wins."""
    for rule in table.rules:
        if all(m.matches(normalize_text(record_value(disposition, m.key))) for m in rule.matchers):
            return rule.decision
    return table.unmatched_decision(disposition)


def load_mapping(path: str | Path) -> MappingTable:
    """Load the table at ``path``; ``MappingTableError`` lists every problem with ``file:line``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingTableError(
            [MappingProblem(str(path), 1, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MappingTableError([MappingProblem(str(path), line, "", "the file is not valid UTF-8 text")]) from None
    return MappingTable.from_text(text, name=str(path), sha256=hashlib.sha256(data).hexdigest())


# ------------------------------------------------------------------------------------------ problems
def _path_text(path: tuple[str | int, ...]) -> str:
    parts: list[str] = []
    items = [p for p in path if p != "[key]"]  # pydantic's mark of a bad mapping key: the key's own path is where
    if len(items) >= 2 and items[0] == "rules" and isinstance(items[1], int):
        parts.append(f"rule #{items[1] + 1}")
        items = items[2:]
    text = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in items).replace(".[", "[")
    if parts and text:
        return f"{parts[0]}: {text}"
    return parts[0] if parts else text


_MODELS_BY_PATH_SHAPE: list[tuple[tuple[str, ...], type[BaseModel]]] = [
    (("rules", "#"), RuleSpec),
    (("codes", "*"), CodeSpec),
    (("review",), ReviewSpec),
    (("source",), SourceSpec),
    (("unmapped",), UnmappedSpec),
    (("correlate",), CorrelateSpec),
    (("correlate", "legacy_id"), LegacyIdSpec),
    (("outbound",), OutboundSpec),
    ((), MappingDocument),
]


def _model_at(path: tuple[str | int, ...]) -> type[BaseModel] | None:
    for shape, model in _MODELS_BY_PATH_SHAPE:
        if len(shape) != len(path):
            continue
        if all(s == "*" or (s == "#" and isinstance(p, int)) or s == p for s, p in zip(shape, path, strict=True)):
            return model
    return None


def _close_matches(word: str, possibilities: list[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches``, imported when first needed: only problems and suggestions use it, and a table
    that loads clean for live use never does (its import is part of a serverless cold start)."""
    import difflib

    return difflib.get_close_matches(word, possibilities, n=n, cutoff=cutoff)


def _validation_problems(exc: ValidationError, located: LocatedYaml, name: str) -> list[MappingProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        message = str(error["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden" and loc:
            key = str(loc[-1])
            model = _model_at(loc[:-1])
            allowed = list(model.model_fields) if model else []
            hint = _close_matches(key, allowed, n=1)
            message = f"unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            if allowed:
                message += f"; allowed here: {', '.join(allowed)}"
        elif kind == "missing" and loc:
            message = f"missing required key {loc[-1]!r}"
        elif kind == "literal_error" and loc == ("version",):
            message = "version must be 1 (the only format version so far)"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
            message = f"{error.get('input')!r} is not a Genesys wrap-up code id (expected a UUID like 5c1f...-...)"
        problems.append(MappingProblem(name, located.line_of(loc), _path_text(loc), message))
    return problems


def _reference_problems(located: LocatedYaml, name: str) -> list[MappingProblem]:
    """Checks on the raw document that a schema cannot express: aliases that must exist, ids used twice."""
    value: dict[str, Any] = located.value
    problems: list[MappingProblem] = []
    codes = value.get("codes")
    aliases = list(codes) if isinstance(codes, dict) else []

    def check_alias(alias: Any, path: tuple[str | int, ...]) -> None:
        if not isinstance(alias, str) or not isinstance(codes, dict) or alias in codes:
            return
        hint = _close_matches(alias, aliases, n=1)
        message = f"code alias {alias!r} is not defined under 'codes:'"
        message += f" (did you mean {hint[0]!r}?)" if hint else (f"; defined: {', '.join(aliases)}" if aliases else "")
        problems.append(MappingProblem(name, located.line_of(path), _path_text(path), message))

    rules = value.get("rules")
    if isinstance(rules, list):
        for index, rule in enumerate(rules):
            if isinstance(rule, dict):
                check_alias(rule.get("code"), ("rules", index, "code"))
    unmapped = value.get("unmapped")
    if isinstance(unmapped, dict):
        check_alias(unmapped.get("code"), ("unmapped", "code"))
    outbound = value.get("outbound")
    if isinstance(outbound, dict) and isinstance(outbound.get("codes"), dict):
        for alias in outbound["codes"]:
            check_alias(alias, ("outbound", "codes", alias))

    if isinstance(codes, dict):
        seen: dict[str, tuple[str, str]] = {}
        for alias, spec in codes.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
                continue
            code_id, code_name = spec["id"].lower(), str(spec.get("name"))
            if code_id in seen and seen[code_id][1] != code_name:
                other_alias, other_name = seen[code_id]
                problems.append(
                    MappingProblem(
                        name,
                        located.line_of(("codes", alias, "id")),
                        f"codes.{alias}.id",
                        f"the same id is also alias {other_alias!r} but with name {other_name!r} (here {code_name!r}); "
                        "one id has one name in Genesys",
                    )
                )
            seen.setdefault(code_id, (alias, code_name))
    return problems
