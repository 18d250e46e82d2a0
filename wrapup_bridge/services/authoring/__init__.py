"""Authoring jobs as library code: reading history and the org to write a first mapping table for review
(``init``). Each job is its own module, imported by name, so one job never loads another's code."""
