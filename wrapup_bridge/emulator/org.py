"""Load an org file: parse YAML, validate its shape, resolve its references, expand its conversations.

Every problem is reported at once, each with the key path and the line it is on, because an org file is
written by hand and a fix-one-rerun loop over 50 conversations is miserable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from wrapup_bridge.core.errors import WrapupBridgeError
from wrapup_bridge.core.limits import NestingError, check_nesting
from wrapup_bridge.emulator.config import EmulatorConfig
from wrapup_bridge.emulator.directory import Directory, Problem, build_directory
from wrapup_bridge.emulator.expand import expand_conversations
from wrapup_bridge.emulator.generate import Generator, build_generator
from wrapup_bridge.emulator.orgfile import UNION_TAGS, OrgSpec
from wrapup_bridge.emulator.outbound import check_outbound_mapping
from wrapup_bridge.emulator.state import ConversationState, building
from wrapup_bridge.emulator.store import Conversations
from wrapup_bridge.emulator.yamlpos import KeyPath, format_path, line_of, load_yaml_with_lines

__all__ = ["Org", "OrgFileError", "OrgProblem", "build_org", "load_org", "parse_org"]


@dataclass(frozen=True)
class OrgProblem:
    """One thing wrong with an org file: where (key path, line) and what."""

    path: KeyPath
    line: int | None
    message: str

    def __str__(self) -> str:
        line = f"line {self.line}: " if self.line is not None else ""
        path = f"{format_path(self.path)}: " if self.path else ""
        return f"{line}{path}{self.message}"

    def located(self, source: str) -> str:
        """``file:line: path: message``, the form editors and terminals link to."""
        line = f"{self.line}:" if self.line is not None else ""
        path = f" {format_path(self.path)}:" if self.path else ""
        return f"{source}:{line}{path} {self.message}"


class OrgFileError(WrapupBridgeError, ValueError):
    """The org file cannot be used; ``problems`` (a tuple) lists every reason found."""

    def __init__(self, source: str, problems: list[OrgProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  {p.located(source)}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) in the org file:\n{listing}")


@dataclass(frozen=True)
class Org:
    """A loaded org: the validated file, its catalog indexes and its conversations in their initial state (the
    listed ones held, the generated ones expanded when read: ``conversations`` is a read-only mapping of both)."""

    spec: OrgSpec
    directory: Directory
    conversations: Conversations
    source: str = "<org>"

    @property
    def generator(self) -> Generator | None:
        """The file's ``generate:`` block, ready to expand conversations; None without one."""
        return self.conversations.generator

    @property
    def emulator_config(self) -> EmulatorConfig | None:
        """The file's optional ``emulator:`` section."""
        return self.spec.emulator

    def fresh_conversations(self) -> dict[str, ConversationState]:
        """A private, mutable copy of the listed conversations (the emulator's state after a reset; generated ones
        are expanded afresh when read)."""
        with building():
            return {cid: conversation.clone() for cid, conversation in self.conversations.listed.items()}


def load_org(path: str | Path) -> Org:
    """Read and validate the org file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        why = f"byte {exc.start} is not UTF-8: an org file is YAML text (is this a binary file?)"
        raise OrgFileError(str(path), [OrgProblem((), None, why)]) from None
    except OSError as exc:
        raise OrgFileError(str(path), [OrgProblem((), None, f"cannot read the file: {exc.strerror or exc}")]) from exc
    return parse_org(text, source=str(path))


def parse_org(text: str, source: str = "<org>") -> Org:
    """Validate an org file given as YAML text; ``source`` names it in errors."""
    try:
        data, lines = load_yaml_with_lines(text)
        check_nesting(data)
    except (RecursionError, NestingError):
        raise OrgFileError(source, [OrgProblem((), None, f"not read: {NestingError()}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise OrgFileError(source, [OrgProblem((), line, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise OrgFileError(
            source, [OrgProblem((), 1, "the org file must be a mapping with divisions, wrapup_codes, ...")]
        )
    try:
        spec = OrgSpec.model_validate(data)
    except ValidationError as exc:
        problems = [_from_pydantic(err, lines) for err in exc.errors(include_url=False)]
        raise OrgFileError(source, problems) from exc
    return build_org(spec, source, lines)


def build_org(spec: OrgSpec, source: str = "<org>", lines: dict[KeyPath, int] | None = None) -> Org:
    """Index and expand a validated ``spec`` (benchmarks build large orgs in code rather than in YAML)."""
    directory, found = build_directory(spec)
    found.extend(check_outbound_mapping(spec.outbound_wrapupcode_mapping, directory))
    with building():
        conversations, more = expand_conversations(spec, directory)
    found.extend(more)
    generator = None
    if spec.generate is not None:
        generator, more = build_generator(spec.generate, directory, spec.realism_settings)
        found.extend(more)
        if generator is not None:
            for i, conversation in enumerate(spec.conversations):
                n = generator.index_of(conversation.id)
                if n is not None:
                    message = (
                        f"conversation id {conversation.id} is also generated conversation {n} (generate.id_prefix)"
                    )
                    found.append((("conversations", i, "id"), message))
    if found:
        raise OrgFileError(source, [_located(p, lines or {}) for p in found])
    return Org(spec=spec, directory=directory, conversations=Conversations(conversations, generator), source=source)


def _located(problem: Problem, lines: dict[KeyPath, int]) -> OrgProblem:
    path, message = problem
    return OrgProblem(path, line_of(path, lines), message)


def _from_pydantic(err: object, lines: dict[KeyPath, int]) -> OrgProblem:
    assert isinstance(err, dict)
    # A bad mapping key is reported at ``key.[key]`` by pydantic: the key's own path is where it is.
    loc: KeyPath = tuple(part for part in err.get("loc", ()) if part not in UNION_TAGS and part != "[key]")
    message = str(err.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        message = "unknown key (check its spelling and indentation)"
    elif err.get("type") == "missing":
        message = "required key is missing"
    return OrgProblem(loc, line_of(loc, lines), message)
