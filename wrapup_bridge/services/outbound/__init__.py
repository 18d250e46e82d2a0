"""Outbound dialer semantics as a job: ``outbound plan`` and ``outbound apply`` (issue 15), as library code.

    plan    ``make_plan``: the org's ``GET /api/v2/outbound/wrapupcodemappings`` and code list, the table's
            ``outbound:`` section and rules, the legacy catalog (``read_legacy_catalog``) -> an ``OutboundPlan``
            (the diff, the version it was read at, a hash), written by ``write_plan``
    apply   ``apply_plan``: preflight (read again; nothing left to change ends it with no write; a moved version
            is a ``StalePlan``), one PUT of the whole object, a read-back, a record beside the plan

The CLI (``wrapup-bridge outbound``) adds options, printing and exit codes only. Nothing is imported here, so each
module costs only its own imports.
"""
