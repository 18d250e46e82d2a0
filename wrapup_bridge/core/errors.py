"""The root of every error wrapup-bridge raises on purpose, and what makes them immutable once raised.

The whole tree is drawn in ``wrapup_bridge.errors`` (the public module); this module holds only the root, at the
bottom of the layers, so every layer's errors can derive from it without importing anything above ``core``.
"""

from __future__ import annotations

from typing import Any, Self, cast

__all__ = ["WrapupBridgeError"]

#: What Python itself sets on an exception after it is built (``raise``, ``raise ... from``, ``add_note``,
#: ``contextlib``): the only attributes a sealed error still lets be set or deleted.
_BOOKKEEPING = frozenset({"__traceback__", "__cause__", "__context__", "__suppress_context__", "__notes__"})


class _Sealed(type):
    """Seals an error once its constructor returns: what a handler reads is what the raiser said."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        error = super().__call__(*args, **kwargs)
        if isinstance(error, cls):
            object.__setattr__(error, "_sealed", True)
        return error


def _rebuild(cls: type[WrapupBridgeError], args: tuple[Any, ...], state: dict[str, Any]) -> WrapupBridgeError:
    """An error of ``cls`` with ``args`` and the attributes in ``state``, sealed, without calling its ``__init__``
    (whose signature is each class's own: keyword-only fields, messages derived from them)."""
    error = cls.__new__(cls, *args)
    if isinstance(error, OSError):
        OSError.__init__(error, *args)  # errno, strerror and filename live in OSError's own fields
    for name, value in state.items():
        object.__setattr__(error, name, value)
    object.__setattr__(error, "_sealed", True)
    return error


class WrapupBridgeError(Exception, metaclass=_Sealed):
    """Root of every error wrapup-bridge raises on purpose: ``except WrapupBridgeError`` catches them all.

    Errors are immutable once built: setting or deleting an attribute raises ``AttributeError``. Python's own
    bookkeeping (``__traceback__``, ``__cause__``, ``__context__``, ``__suppress_context__``, ``__notes__`` from
    ``add_note``) still works, so chaining and notes behave as for any exception. A raiser that needs a changed
    error builds a new one. Errors pickle and copy with every attribute (``copy.copy``, ``pickle``, process pools).
    """

    _sealed: bool = False

    def __setattr__(self, name: str, value: Any) -> None:
        if self._sealed and name not in _BOOKKEEPING:
            raise AttributeError(f"{type(self).__name__} is immutable once built (tried to set {name!r})")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if self._sealed and name not in _BOOKKEEPING:
            raise AttributeError(f"{type(self).__name__} is immutable once built (tried to delete {name!r})")
        super().__delattr__(name)

    def _parts(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Its arguments and attributes, as its builtin base reduces them: an ``OSError``'s arguments keep the
        filename ``args`` leaves out, an ``ImportError``'s attributes its ``name`` and ``path``."""
        base: type[BaseException] = (
            OSError if isinstance(self, OSError) else ImportError if isinstance(self, ImportError) else BaseException
        )
        reduced: tuple[Any, ...] = tuple(base.__reduce__(self))
        state: dict[str, Any] = reduced[2] if len(reduced) > 2 and reduced[2] else {}
        return tuple(reduced[1]), dict(state)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its arguments and attributes, not through ``__init__`` (see ``_rebuild``).
        args, state = self._parts()
        return _rebuild, (type(self), args, state)

    def _replace(self, **changes: Any) -> Self:
        """A new error like this one with ``changes`` to attributes it already has (what a raiser does instead of
        changing an error). Its message (``args``) is kept: change only what ``str()`` does not already spell out.
        Traceback, cause and context are not carried over: the new error has not been raised yet."""
        args, state = self._parts()
        unknown = sorted(set(changes) - set(vars(self)))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no attribute(s) {', '.join(map(repr, unknown))} to replace")
        return cast(Self, _rebuild(type(self), args, {**state, **changes}))
