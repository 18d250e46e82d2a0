"""Reading a mapping table's YAML so that every value still knows its line.

PyYAML's ``safe_load`` forgets positions and silently keeps the *last* of two equal keys, which in a table
reviewed by people means a rule quietly vanishing. Tables are therefore read as plain data by the shared reader
(``core.yamlsource``): the line of every key and list item is kept (so validation errors can say ``file:line``),
duplicate keys are reported, and every plain scalar stays *text* (``None`` only for an explicit null). Text is what
a legacy disposition is, so ``code: 404``, ``abandoned: yes`` or ``campaign: 1.10`` mean exactly what they look
like instead of an int, a bool or the float 1.1; typed settings (``version: 1``, dates) are converted by the schema
afterwards. This module only words what goes wrong for a table's author, and never raises.
"""

from __future__ import annotations

import yaml

from wrapup_bridge.core.limits import MAX_NESTING, NestingError
from wrapup_bridge.core.yamlsource import LocatedYaml, YamlProblem, locate_yaml

__all__ = ["LocatedYaml", "YamlProblem", "load_located_yaml"]

#: Why a tag such as ``!include`` or ``!!python/name:...`` is refused: read as text it would mean something else.
_TAG_REFUSAL = "a mapping table is plain data (write the value as text; tables cannot include other files or run code)"


def load_located_yaml(text: str) -> LocatedYaml:
    """Parse ``text``; syntax errors come back as problems (with their line) rather than exceptions."""
    try:
        # PyYAML's own parser, not libyaml's: its syntax messages name what it found ("but got ':'").
        return locate_yaml(text, tag_refusal=_TAG_REFUSAL)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return LocatedYaml(None, problems=[YamlProblem(line, f"YAML syntax error: {message}")])
    except yaml.YAMLError as exc:
        return LocatedYaml(None, problems=[YamlProblem(1, f"YAML error: {exc}")])
    except NestingError:
        return LocatedYaml(None, problems=[YamlProblem(1, f"document {NestingError(MAX_NESTING)}")])
