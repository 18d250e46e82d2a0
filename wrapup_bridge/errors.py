"""Every error wrapup-bridge raises on purpose, under one root: ``except WrapupBridgeError`` catches them all.

Each error keeps the builtin base it has always had (in brackets), so an ``except ValueError`` or
``except OSError`` written before the root existed still works. Errors are immutable once built (setting an
attribute raises ``AttributeError``; ``add_note``, ``raise ... from``, pickling and copying work as usual).

Exceptions::

    WrapupBridgeError                 root of every error below
     ├── MissingDependency            [ImportError, RuntimeError] an optional package is missing; says what installs it
     │
     │   core: the mapping table, input bounds, replay and correlation files
     ├── MappingTableError            [ValueError] a mapping table cannot be loaded; ``problems``: each with file:line
     ├── RegexError                   [ValueError] a mapping regex the linear-time engine cannot run (lookaround, ...)
     ├── NestingError                 [ValueError] a document nests deeper than ``MAX_NESTING`` levels; refused
     │    └── JsonNestingError        [json.JSONDecodeError] the same, met while parsing JSON
     ├── SQLiteFileError              [OSError] an outbox or ledger file cannot be opened where it was named
     ├── PlanError                    [ValueError] a replay plan is unreadable, cut short or not a plan; names the line
     ├── LedgerError                  [ValueError] a ledger is another plan's, locked by another apply, or unreadable
     ├── DeadLetterError              the dead-letter file cannot be written or read; names it (and the line)
     ├── TargetError                  a replay's target refuses every record (credentials, a permission) or went silent
     ├── CorrelationFileError         [ValueError] a correlation file's row is not a valid correlation; file, line, field
     ├── OutboundTerraformError       [ValueError] the org's outbound mapping cannot be written as Terraform; says why
     ├── ExtendRefused                [ValueError] ``mapping init --extend`` cannot extend the table safely; says where
     │
     │   adapters: legacy records in
     ├── AdapterError                 [ValueError] a legacy record cannot become a Disposition; says where, which field
     │    ├── TwilioRecordError       a Twilio task, TaskRouter event, Insights row, Voice callback or Copilot payload
     │    │    └── NoDisposition      a readable Twilio record without a disposition (``task.created``, a ringing call)
     │    ├── Five9RecordError        a Five9 Call Log row or web-connector payload
     │    └── CXoneRecordError        a NICE CXone completed contact or disposition catalog entry
     ├── AdapterOptionError           [ValueError] an option the adapter cannot use for this input; never ignored
     ├── FieldMapError                [ValueError] a field map names an unknown key or an empty place
     ├── HeaderError                  [ValueError] a Twilio Insights CSV header lacks a column every row needs
     ├── InputDecodeError             an input is not in the encoding it is read with; shows the bytes and what to pass
     │
     │   genesys: Genesys Cloud (``wrapup_bridge.genesys.errors`` draws this subtree with more detail)
     ├── GenesysError                 anything about Genesys Cloud; each has ``explain()`` and ``to_dict()``
     │    ├── ConfigurationError      [ValueError] the settings do not describe a usable Genesys connection
     │    │    ├── SettingsError      a GENESYSCLOUD_* variable or setting is missing or unusable; names the variable
     │    │    └── UnknownRegionError a region matched no region name or Genesys host and is not a base URL
     │    ├── CatalogOffline          [LookupError] a catalog loaded from a snapshot lacks what was asked
     │    ├── CatalogFormatError      [ValueError] a catalog answer or snapshot is not shaped as expected
     │    ├── DetailsFormatError      [ValueError] an analytics details answer is not shaped as expected; names the field
     │    ├── DetailsJobError         an async analytics details job did not deliver: job id, last state
     │    │    ├── DetailsJobFailed   Genesys reported it FAILED, CANCELLED or EXPIRED (with its errorMessage)
     │    │    └── DetailsJobTimeout  not FULFILLED within the deadline; cancelled with a DELETE, best effort
     │    └── RequestError            one request failed, answered or not: method, path, host, attempts, elapsed
     │         ├── TransportFailure   no HTTP answer (network, timeout, dropped connection), still none after retries
     │         ├── BudgetExceeded     the call's time budget ran out before any answer; says what was last seen
     │         ├── AmbiguousWrite     a write failed after it was sent: outcome unknown, re-read before writing again
     │         └── GenesysAPIError    Genesys answered an error status: status, code, messageParams, correlation id
     │              ├── AuthenticationError  401, or the login host refused the client credentials
     │              ├── PermissionDenied     403: the OAuth client's roles lack ``missing_permissions``
     │              ├── NotFound             404: an id in the path is unknown, or the endpoint does not exist
     │              ├── Rejected             another 4xx (400, 409, 422, ...): understood and refused
     │              │    └── DetailsQueryRejected  a details query or job refused for its page size or interval
     │              ├── RateLimited          429 still answered when the retries or the time budget ran out
     │              └── Unavailable          5xx still answered when the retries or the time budget ran out
     │
     │   emulator: the local stand-in for Genesys
     ├── OrgFileError                 [ValueError] an org file cannot be used; ``problems``: every reason, with its line
     │
     │   services: the jobs users run
     ├── BadSetting                   [ValueError] an environment variable is set to something unusable; names it
     ├── OrgFileMissing               [FileNotFoundError] the org file the emulator should serve does not exist
     ├── OptionError                  [ValueError] a run or ``source:`` setting cannot be used (encoding, format, ...)
     ├── InputError                   [OSError] an input does not exist, is not a file, or cannot be read
     ├── CatalogFileError             [ValueError] a catalog snapshot file cannot be read as one; names file and line
     ├── OutboundMappingFileError     [ValueError] a file given as the org's outbound mapping is not one; file, field
     ├── CorrelateError               [OSError] a correlation or unmatched file cannot be written; names it
     ├── DemoError                    the demo cannot run as set up (its output folder cannot be made)
     │    └── DemoDataMissing         [FileNotFoundError] the demo's files are not where they were looked for
     ├── ReplayError                  a replay cannot go on as set up; says the fix and what was left
     │    ├── WrongTarget             [ValueError] the work was made for another target than this run talks to
     │    ├── StalePlan               the table, an input or the catalog changed since planning (``reasons``)
     │    └── TargetFailed            the target refused every record or did not answer; the run stopped
     │
     │   live: the Bridge, webhooks, the Lambda handler, the outbox
     ├── PayloadError                 [ValueError] an event or disposition given to the bridge cannot be read (a 400)
     │    └── NotADisposition         a readable event that carries no disposition; webhooks acknowledge and ignore it
     └── OutboxError                  [OSError] the outbox file cannot be opened, read or written; names the file

Raised inside wrapup-bridge but deliberately outside the tree: none of them reaches a caller of the library::

    emulator.errors.ApiError            the emulator's HTTP error answer; clients get a GenesysAPIError
    emulator.errors.DroppedConnection   a dropped connection injected on purpose; clients get a TransportFailure
    emulator.gateway.OAuthError         the emulator's token refusal; clients get an AuthenticationError
    cli._common.SetupError              click's way out of a command (message, exit 2), made from the errors above
    core.limits._NotJsonNumber          private: ``loads_json`` raises a ``json.JSONDecodeError`` in its place
    core.replay.plan._Unreadable        private: raised again as a ``PlanError`` naming the file and line
    core.correlate.result._FieldProblem private: pydantic's ValidationError (a reader's ``CorrelationFileError``)
    adapters.cxone.contacts._TimeError  private: raised again as the record's ``CXoneRecordError``
    live.lambda_handler._BadEvent       private: answered 400 naming the key

Importing this module is light: each class is imported from the module that defines it when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wrapup_bridge.core.errors import WrapupBridgeError

if TYPE_CHECKING:
    from wrapup_bridge._optional import MissingDependency
    from wrapup_bridge.adapters.base import (
        AdapterError,
        AdapterOptionError,
        CXoneRecordError,
        Five9RecordError,
        TwilioRecordError,
    )
    from wrapup_bridge.adapters.fields import FieldMapError
    from wrapup_bridge.adapters.textinput import InputDecodeError
    from wrapup_bridge.adapters.twilio._record import NoDisposition
    from wrapup_bridge.adapters.twilio.insights_csv import HeaderError
    from wrapup_bridge.core.authoring.extend import ExtendRefused
    from wrapup_bridge.core.authoring.terraform_outbound import OutboundTerraformError
    from wrapup_bridge.core.correlate.result import CorrelationFileError
    from wrapup_bridge.core.limits import JsonNestingError, NestingError
    from wrapup_bridge.core.mapping.errors import MappingTableError
    from wrapup_bridge.core.mapping.patterns import RegexError
    from wrapup_bridge.core.replay.deadletter import DeadLetterError
    from wrapup_bridge.core.replay.ledger import LedgerError
    from wrapup_bridge.core.replay.pipeline import TargetError
    from wrapup_bridge.core.replay.plan import PlanError
    from wrapup_bridge.core.sqlite import SQLiteFileError
    from wrapup_bridge.emulator.org import OrgFileError
    from wrapup_bridge.genesys.catalog import CatalogFormatError, CatalogOffline
    from wrapup_bridge.genesys.errors import (
        AmbiguousWrite,
        AuthenticationError,
        BudgetExceeded,
        ConfigurationError,
        DetailsFormatError,
        DetailsJobError,
        DetailsJobFailed,
        DetailsJobTimeout,
        DetailsQueryRejected,
        GenesysAPIError,
        GenesysError,
        NotFound,
        PermissionDenied,
        RateLimited,
        Rejected,
        RequestError,
        TransportFailure,
        Unavailable,
    )
    from wrapup_bridge.genesys.regions import UnknownRegionError
    from wrapup_bridge.genesys.settings import SettingsError
    from wrapup_bridge.live.errors import NotADisposition, OutboxError, PayloadError
    from wrapup_bridge.services.authoring.terraform import OutboundMappingFileError
    from wrapup_bridge.services.catalog import CatalogFileError
    from wrapup_bridge.services.correlate.run import CorrelateError
    from wrapup_bridge.services.demo import DemoDataMissing, DemoError
    from wrapup_bridge.services.inputs import InputError, OptionError
    from wrapup_bridge.services.replay.errors import ReplayError, StalePlan, TargetFailed, WrongTarget
    from wrapup_bridge.services.settings import BadSetting
    from wrapup_bridge.services.target import OrgFileMissing

#: Where each class is defined: imported from there on first use, so importing this module costs next to nothing.
_HOMES: dict[str, str] = {
    "MissingDependency": "wrapup_bridge._optional",
    "MappingTableError": "wrapup_bridge.core.mapping.errors",
    "RegexError": "wrapup_bridge.core.mapping.patterns",
    "NestingError": "wrapup_bridge.core.limits",
    "JsonNestingError": "wrapup_bridge.core.limits",
    "SQLiteFileError": "wrapup_bridge.core.sqlite",
    "PlanError": "wrapup_bridge.core.replay.plan",
    "LedgerError": "wrapup_bridge.core.replay.ledger",
    "DeadLetterError": "wrapup_bridge.core.replay.deadletter",
    "TargetError": "wrapup_bridge.core.replay.pipeline",
    "CorrelationFileError": "wrapup_bridge.core.correlate.result",
    "CorrelateError": "wrapup_bridge.services.correlate.run",
    "AdapterError": "wrapup_bridge.adapters.base",
    "TwilioRecordError": "wrapup_bridge.adapters.base",
    "NoDisposition": "wrapup_bridge.adapters.twilio._record",
    "Five9RecordError": "wrapup_bridge.adapters.base",
    "CXoneRecordError": "wrapup_bridge.adapters.base",
    "AdapterOptionError": "wrapup_bridge.adapters.base",
    "FieldMapError": "wrapup_bridge.adapters.fields",
    "HeaderError": "wrapup_bridge.adapters.twilio.insights_csv",
    "InputDecodeError": "wrapup_bridge.adapters.textinput",
    "GenesysError": "wrapup_bridge.genesys.errors",
    "ConfigurationError": "wrapup_bridge.genesys.errors",
    "SettingsError": "wrapup_bridge.genesys.settings",
    "UnknownRegionError": "wrapup_bridge.genesys.regions",
    "CatalogOffline": "wrapup_bridge.genesys.catalog",
    "CatalogFormatError": "wrapup_bridge.genesys.catalog",
    "RequestError": "wrapup_bridge.genesys.errors",
    "TransportFailure": "wrapup_bridge.genesys.errors",
    "BudgetExceeded": "wrapup_bridge.genesys.errors",
    "AmbiguousWrite": "wrapup_bridge.genesys.errors",
    "GenesysAPIError": "wrapup_bridge.genesys.errors",
    "AuthenticationError": "wrapup_bridge.genesys.errors",
    "PermissionDenied": "wrapup_bridge.genesys.errors",
    "NotFound": "wrapup_bridge.genesys.errors",
    "Rejected": "wrapup_bridge.genesys.errors",
    "RateLimited": "wrapup_bridge.genesys.errors",
    "Unavailable": "wrapup_bridge.genesys.errors",
    "DetailsFormatError": "wrapup_bridge.genesys.errors",
    "DetailsJobError": "wrapup_bridge.genesys.errors",
    "DetailsJobFailed": "wrapup_bridge.genesys.errors",
    "DetailsJobTimeout": "wrapup_bridge.genesys.errors",
    "DetailsQueryRejected": "wrapup_bridge.genesys.errors",
    "OrgFileError": "wrapup_bridge.emulator.org",
    "BadSetting": "wrapup_bridge.services.settings",
    "OrgFileMissing": "wrapup_bridge.services.target",
    "OptionError": "wrapup_bridge.services.inputs",
    "InputError": "wrapup_bridge.services.inputs",
    "CatalogFileError": "wrapup_bridge.services.catalog",
    "OutboundMappingFileError": "wrapup_bridge.services.authoring.terraform",
    "OutboundTerraformError": "wrapup_bridge.core.authoring.terraform_outbound",
    "ExtendRefused": "wrapup_bridge.core.authoring.extend",
    "DemoError": "wrapup_bridge.services.demo",
    "DemoDataMissing": "wrapup_bridge.services.demo",
    "ReplayError": "wrapup_bridge.services.replay.errors",
    "WrongTarget": "wrapup_bridge.services.replay.errors",
    "StalePlan": "wrapup_bridge.services.replay.errors",
    "TargetFailed": "wrapup_bridge.services.replay.errors",
    "PayloadError": "wrapup_bridge.live.errors",
    "NotADisposition": "wrapup_bridge.live.errors",
    "OutboxError": "wrapup_bridge.live.errors",
}

__all__ = [
    "AdapterError",
    "AdapterOptionError",
    "AmbiguousWrite",
    "AuthenticationError",
    "BadSetting",
    "BudgetExceeded",
    "CXoneRecordError",
    "CatalogFileError",
    "CatalogFormatError",
    "CatalogOffline",
    "ConfigurationError",
    "CorrelateError",
    "CorrelationFileError",
    "DeadLetterError",
    "DemoDataMissing",
    "DemoError",
    "DetailsFormatError",
    "DetailsJobError",
    "DetailsJobFailed",
    "DetailsJobTimeout",
    "DetailsQueryRejected",
    "ExtendRefused",
    "FieldMapError",
    "Five9RecordError",
    "GenesysAPIError",
    "GenesysError",
    "HeaderError",
    "InputDecodeError",
    "InputError",
    "JsonNestingError",
    "LedgerError",
    "MappingTableError",
    "MissingDependency",
    "NestingError",
    "NoDisposition",
    "NotADisposition",
    "NotFound",
    "OptionError",
    "OrgFileError",
    "OrgFileMissing",
    "OutboundMappingFileError",
    "OutboundTerraformError",
    "OutboxError",
    "PayloadError",
    "PermissionDenied",
    "PlanError",
    "RateLimited",
    "RegexError",
    "Rejected",
    "ReplayError",
    "RequestError",
    "SQLiteFileError",
    "SettingsError",
    "StalePlan",
    "TargetError",
    "TargetFailed",
    "TransportFailure",
    "TwilioRecordError",
    "Unavailable",
    "UnknownRegionError",
    "WrapupBridgeError",
    "WrongTarget",
]


# Hidden from type checkers, so they see the classes imported under TYPE_CHECKING above with their types, and a
# misspelt name is an error instead of ``Any``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Each error from its own module on first use (``from wrapup_bridge.errors import PlanError`` works as
        usual)."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
