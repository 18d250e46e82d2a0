"""How every command that reads legacy exports is told their shape: one set of options, one merge with the table.

The mapping table's ``source:`` section says how this migration's exports look (format, field map, time zone,
time format, date order, Five9 region, catalog); the same options on the command line override it for one run.
The work (merging the two, reading inputs) is ``services.inputs``; this module holds the click flags of
``normalize``, ``replay plan|run`` and ``mapping coverage|diff|report``, and turns what reading raises into exit codes,
so a setting means the same thing everywhere and an unusable one is refused the same way (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wrapup_bridge.cli._common import fail_setup, fail_usage

if TYPE_CHECKING:
    from wrapup_bridge.adapters import Adapter, AdapterOptions
    from wrapup_bridge.core.mapping import MappingTable

__all__ = ["ADAPTER_FLAGS", "adapter_flags", "adapter_options", "build_adapter", "input_errors"]

F = TypeVar("F", bound=Callable[..., Any])

#: The keyword arguments ``adapter_flags`` adds to a command.
ADAPTER_FLAGS = ("fmt", "conversation_id_field", "adapter_catalog", "timezone", "field", "time_format", "date_order",
                 "region", "encoding", "preset")  # fmt: skip


def adapter_flags(func: F | None = None, *, catalog_flag: str = "--catalog") -> Any:
    """Add the options that describe an export's shape (all default to the mapping table's ``source:``).

    ``catalog_flag`` renames the adapter's side-file option where ``--catalog`` means something else (the mapping
    review commands' Genesys catalog); its value always arrives as ``adapter_catalog``."""
    if func is None:
        return lambda f: adapter_flags(f, catalog_flag=catalog_flag)
    for option in reversed(
        [
            click.option(
                "--preset",
                help="Start from a named export variant (five9-warehouse, twilio-insights-us, ...; "
                "normalize --list-presets); other options win over it.",
            ),
            click.option(
                "--format", "fmt", help="Input format, when it should not be detected (see the adapter's formats)."
            ),
            click.option(
                "--conversation-id-field",
                help="Where this migration stored the Genesys conversation id: a field path, parameter or CSV column.",
            ),
            click.option(
                catalog_flag,
                "adapter_catalog",
                type=click.Path(dir_okay=False),
                help="Side file the adapter joins names from (CXone dispositions, Five9 types).",
            ),
            click.option(
                "--field",
                "field",
                multiple=True,
                metavar="KEY=PLACE",
                help="Where the export keeps a part of the disposition (code, source_id, agent, agent_name, time, "
                "notes, media): a column, parameter or dotted path; A|B tries each; time=DATE+TIME joins two. "
                "Repeatable.",
            ),
            click.option("--timezone", help="IANA zone of local times without an offset (e.g. Europe/London)."),
            click.option(
                "--time-format",
                help="strptime pattern of the export's times (%d/%m/%Y %H:%M), or iso, epoch, epoch-ms.",
            ),
            click.option(
                "--date-order",
                type=click.Choice(["mdy", "dmy", "ymd"]),
                help="How numeric dates read when no --time-format is given (11/24/2025 is mdy).",
            ),
            click.option(
                "--region",
                type=click.Choice(["us", "uk", "ca", "de"]),
                help="Five9 data centre of the domain; decides the zone its reports are written in.",
            ),
            click.option(
                "--encoding",
                help="How the input's bytes read when it is not UTF-8: cp1252 (Excel on Windows), latin-1, "
                "utf-16 ... A wrong one stops at the first byte that does not fit.",
            ),
        ]
    ):
        func = option(func)
    return func


def adapter_options(table: MappingTable | None, platform: str | None = None, **flags: Any) -> AdapterOptions:
    """The adapter options of one run (``services.inputs.adapter_options``) from the flags ``adapter_flags`` adds;
    a setting that cannot be used is a usage error (exit 2)."""
    from wrapup_bridge.services.inputs import adapter_options as options

    with input_errors():
        return options(
            table,
            platform,
            format=flags.get("fmt"),
            conversation_id_field=flags.get("conversation_id_field"),
            catalog=flags.get("adapter_catalog"),
            fields=flags.get("field") or (),
            timezone=flags.get("timezone"),
            time_format=flags.get("time_format"),
            date_order=flags.get("date_order"),
            region=flags.get("region"),
            encoding=flags.get("encoding"),
            preset=flags.get("preset"),
        )


@contextmanager
def input_errors() -> Iterator[None]:
    """What reading inputs raises, as exit codes: a setting that cannot be used (also one the adapter only finds
    unusable once it sees the input's format) or an input that cannot be opened is a usage error; an input in
    another encoding than declared is a set-up error (``Error:`` naming file, line and the encoding to pass)."""
    from wrapup_bridge.adapters import AdapterOptionError
    from wrapup_bridge.adapters.textinput import InputDecodeError
    from wrapup_bridge.services.inputs import InputError, OptionError

    try:
        yield
    except (OptionError, AdapterOptionError, InputError) as exc:
        fail_usage(str(exc))
    except InputDecodeError as exc:
        fail_setup(str(exc))


def build_adapter(source: str, options: AdapterOptions) -> Adapter:
    """The adapter for one run; options it cannot take are a usage error (exit 2) named by their option."""
    from wrapup_bridge.services.inputs import build_adapter as build

    with input_errors():
        return build(source, options)
