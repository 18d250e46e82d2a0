"""The root of every error wrapup-bridge raises on purpose, and what makes them immutable once raised.

The whole tree is drawn in ``wrapup_bridge.errors`` (the public module); this module holds only the root, at the
bottom of the layers, so every layer's errors can derive from it without importing anything above ``core``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WrapupBridgeError"]


class _Sealed(type):
    """Seals an error once its constructor returns: what a handler reads is what the raiser said."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        error = super().__call__(*args, **kwargs)
        object.__setattr__(error, "_sealed", True)
        return error


class WrapupBridgeError(Exception, metaclass=_Sealed):
    """Root of every error wrapup-bridge raises on purpose: ``except WrapupBridgeError`` catches them all.

    Errors are immutable once built: setting or deleting an attribute raises ``AttributeError``. Python's own
    bookkeeping (``__traceback__``, ``__cause__``, ``__context__``, ``__notes__`` from ``add_note``) still works, so
    chaining and notes behave as for any exception. A raiser that needs a changed error builds a new one.
    """

    _sealed: bool = False

    def __setattr__(self, name: str, value: Any) -> None:
        if self._sealed and not (name.startswith("__") and name.endswith("__")):
            raise AttributeError(f"{type(self).__name__} is immutable once built (tried to set {name!r})")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if self._sealed and not (name.startswith("__") and name.endswith("__")):
            raise AttributeError(f"{type(self).__name__} is immutable once built (tried to delete {name!r})")
        super().__delattr__(name)

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        # Unpickling and copy.copy rebuild the error with its arguments, then restore its attributes.
        for name, value in (state or {}).items():
            object.__setattr__(self, name, value)
