"""The jobs users run, as library code: replay, catalog export, mapping review, and what they share (the
settings read from the environment, the target factory that builds "Genesys or the emulator").

The CLI, the demo, the benchmarks and the tests all call these; the CLI adds options, progress and printing only.
Nothing is imported here, so ``import wrapup_bridge.services.target`` stays as cheap as its own imports.
"""
