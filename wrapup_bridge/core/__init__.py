"""Platform-neutral heart of wrapup-bridge: the Disposition model, text normalization, the mapping table,
decisions and outcomes. Imports nothing else of this package."""
