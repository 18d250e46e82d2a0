"""Authoring mapping tables: the pure pieces that write a first table (and, later, other artefacts) for people to
review, never applying anything.

``similarity`` scores how close a legacy value's name is to a Genesys wrap-up code's name (normalized words and
spelling, plus a small reviewed synonyms list); ``propose`` turns a tally of a history's legacy values into one
proposal per value (a code with its confidence, a skip, or a TODO); ``render`` writes the proposals as a valid
mapping table whose comments say why. No I/O and no Genesys here: ``services.authoring`` reads the history, the
org's codes and the synonyms file, and the CLI (``wrapup-bridge mapping init``) adds options and printing.

Modules are imported by their own names (``from wrapup_bridge.core.authoring.similarity import ...``), so one
authoring job never loads another's code.
"""
