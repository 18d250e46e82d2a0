"""The org's wrap-up codes, which queues carry which, and which a participant may use.

Mapping checks and replays ask the same questions thousands of times ("is this id a code?", "is it on the
Billing queue?"), so the answers are cached: the code list, each queue's codes and each participant's
allowed codes, each for ``ttl`` seconds, with one request in flight per key however many tasks ask at once.
``fingerprint()`` digests the code list so a saved replay plan can tell the catalog changed under it, and
``snapshot()`` / ``from_snapshot()`` carry the catalog to places without credentials (reviews, CI).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from wrapup_bridge.core.clock import SYSTEM_CLOCK, Clock
from wrapup_bridge.core.disposition import is_genesys_id
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.genesys.errors import GenesysError

if TYPE_CHECKING:
    from wrapup_bridge.genesys.http import GenesysClient

__all__ = [
    "SNAPSHOT_VERSION",
    "CatalogFormatError",
    "CatalogOffline",
    "QueueInfo",
    "WrapupCatalog",
    "WrapupCode",
]

SNAPSHOT_VERSION = 1
CODES_PATH = "/api/v2/routing/wrapupcodes"
QUEUES_PATH = "/api/v2/routing/queues"
PAGE_SIZE = 100
_MAX_PAGES = 10_000
#: Queue code lists fetched at once by ``load_queues``; the client's rate limiter paces them anyway.
_QUEUE_FETCH_CONCURRENCY = 8

K = TypeVar("K")
V = TypeVar("V")


class CatalogOffline(GenesysError, LookupError):
    """The catalog came from a snapshot (no client) and the snapshot does not hold what was asked."""

    def explain(self) -> str:
        return (
            f"{self} The catalog was loaded from a snapshot without credentials; export a fresh snapshot that "
            "includes it (wrapup-bridge catalog export), or run with GENESYSCLOUD_* credentials set."
        )


class CatalogFormatError(GenesysError, ValueError):
    """A catalog answer or snapshot does not have the expected shape; the message says where."""

    def explain(self) -> str:
        return f"{self}. The catalog source returned an unexpected shape; check the API host or snapshot file."


@dataclass(frozen=True, slots=True)
class WrapupCode:
    """One wrap-up code: its id (what Genesys needs), its name (what people check) and its division."""

    id: str
    name: str
    division_id: str | None = None
    division_name: str | None = None

    @classmethod
    def from_api(cls, entity: Any, where: str) -> WrapupCode:
        """Read a Genesys ``WrapupCode`` object; ``where`` names it in errors (path, page, index)."""
        if not isinstance(entity, Mapping):
            raise CatalogFormatError(f"{where}: expected a wrap-up code object, got {type(entity).__name__}")
        code_id, name = entity.get("id"), entity.get("name")
        if not isinstance(code_id, str) or not code_id:
            raise CatalogFormatError(f"{where}: field 'id' missing or not a string")
        division_id, division_name = _division(entity)
        return cls(
            id=code_id, name=name if isinstance(name, str) else "", division_id=division_id, division_name=division_name
        )

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "divisionId": self.division_id, "divisionName": self.division_name}


def _division(entity: Mapping[str, Any]) -> tuple[str | None, str | None]:
    division = entity.get("division")
    division = division if isinstance(division, Mapping) else {}
    division_id, division_name = division.get("id"), division.get("name")
    return (
        division_id if isinstance(division_id, str) else None,
        division_name if isinstance(division_name, str) else None,
    )


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """A queue as a review needs it: a name people recognise and the division that decides who sees it."""

    id: str
    name: str
    division_id: str | None = None
    division_name: str | None = None

    @classmethod
    def from_api(cls, entity: Any, where: str) -> QueueInfo:
        """Read a Genesys ``Queue`` object (only the fields a review uses); ``where`` names it in errors."""
        if not isinstance(entity, Mapping):
            raise CatalogFormatError(f"{where}: expected a queue object, got {type(entity).__name__}")
        queue_id, name = entity.get("id"), entity.get("name")
        if not isinstance(queue_id, str) or not queue_id:
            raise CatalogFormatError(f"{where}: field 'id' missing or not a string")
        division_id, division_name = _division(entity)
        return cls(queue_id, name if isinstance(name, str) else "", division_id, division_name)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "divisionId": self.division_id, "divisionName": self.division_name}


class _TTLCache(Generic[K, V]):
    """Values by key for ``ttl`` seconds, with one fetch in flight per key."""

    def __init__(self, ttl: float, clock: Clock) -> None:
        self.ttl = ttl
        self.clock = clock
        self.values: dict[K, tuple[float, V]] = {}
        self._inflight: dict[K, asyncio.Future[V]] = {}

    def fresh(self, key: K) -> V | None:
        entry = self.values.get(key)
        if entry is None or self.clock.monotonic() - entry[0] > self.ttl:
            return None
        return entry[1]

    async def get(self, key: K, fetch: Callable[[], Awaitable[V]]) -> V:
        cached = self.fresh(key)
        if cached is not None:
            return cached
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await fetch()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: callers that are not waiting must not log it as lost
            raise
        else:
            self.values[key] = (self.clock.monotonic(), value)
            future.set_result(value)
            return value
        finally:
            del self._inflight[key]

    def put(self, key: K, value: V) -> None:
        self.values[key] = (self.clock.monotonic(), value)


class WrapupCatalog:
    """Wrap-up codes of one org, looked up by id, exact name or normalized name; async, cached.

    Call ``await load()`` before the synchronous lookups (``by_id``, ``by_name``, ``find``, ``get``). A catalog
    built with ``from_snapshot`` needs no client and never expires.
    """

    def __init__(
        self,
        client: GenesysClient | None,
        *,
        ttl: float = 300.0,
        clock: Clock | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._client = client
        self._clock: Clock = clock or (client.clock if client is not None else SYSTEM_CLOCK)
        self.ttl = ttl
        self.page_size = page_size
        self._codes: tuple[WrapupCode, ...] = ()
        self._by_id: dict[str, WrapupCode] = {}
        self._by_name: dict[str, WrapupCode] = {}
        self._by_normalized: dict[str, list[WrapupCode]] = {}
        self._loaded_at: float | None = None
        self._load_lock = asyncio.Lock()
        self._queues: _TTLCache[str, tuple[str, ...]] = _TTLCache(ttl, self._clock)
        self._participants: _TTLCache[tuple[str, str], tuple[WrapupCode, ...]] = _TTLCache(ttl, self._clock)
        self._queue_info: dict[str, QueueInfo] = {}

    # -- loading -------------------------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._loaded_at is not None

    @property
    def offline(self) -> bool:
        return self._client is None

    def _stale(self) -> bool:
        if self._loaded_at is None:
            return True
        return not self.offline and self._clock.monotonic() - self._loaded_at > self.ttl

    async def load(self, *, refresh: bool = False) -> WrapupCatalog:
        """Fetch every code (paged) unless a fresh list is cached; ``refresh`` forces a fetch."""
        if not refresh and not self._stale():
            return self
        if self._client is None:
            if self._loaded_at is None:
                raise CatalogOffline("this catalog has no client and no snapshot to load codes from")
            return self
        async with self._load_lock:
            if refresh or self._stale():
                codes = await self._fetch_paged(CODES_PATH)
                self._index(codes)
        return self

    async def _fetch_paged(self, path: str) -> tuple[WrapupCode, ...]:
        return tuple(WrapupCode.from_api(e, where) for e, where in await self._fetch_entities(path))

    async def _fetch_entities(self, path: str) -> list[tuple[Any, str]]:
        """Every entity of a paged Genesys listing, each with where it came from (path, page, index) for errors."""
        assert self._client is not None
        found: list[tuple[Any, str]] = []
        page = 1
        while page <= _MAX_PAGES:
            body = await self._client.get_json(path, params={"pageSize": self.page_size, "pageNumber": page})
            where = f"GET {path} page {page}"
            if not isinstance(body, Mapping) or not isinstance(body.get("entities"), list):
                raise CatalogFormatError(f"{where}: expected an object with an 'entities' list")
            entities = body["entities"]
            found.extend((e, f"{where}, entities[{i}]") for i, e in enumerate(entities))
            page_count = body.get("pageCount")
            page_number = body.get("pageNumber", page)
            if isinstance(page_count, int) and isinstance(page_number, int):
                if page_number >= page_count:
                    break
            elif len(entities) < self.page_size:
                break
            if not entities:
                break
            page += 1
        return found

    def _index(self, codes: Iterable[WrapupCode]) -> None:
        unique: dict[str, WrapupCode] = {}
        for code in codes:
            unique.setdefault(code.id, code)
        self._codes = tuple(sorted(unique.values(), key=lambda c: (normalize_text(c.name), c.id)))
        self._by_id = dict(unique)
        self._by_name = {}
        self._by_normalized = {}
        for code in self._codes:
            self._by_name.setdefault(code.name, code)
            self._by_normalized.setdefault(normalize_text(code.name), []).append(code)
        self._loaded_at = self._clock.monotonic()

    def _require_loaded(self) -> None:
        if self._loaded_at is None:
            raise RuntimeError("WrapupCatalog: await load() before looking codes up")

    # -- lookups -------------------------------------------------------------------------------------------------
    @property
    def codes(self) -> tuple[WrapupCode, ...]:
        """Every code, sorted by normalized name."""
        self._require_loaded()
        return self._codes

    def by_id(self, code_id: str) -> WrapupCode | None:
        self._require_loaded()
        key = code_id.strip()
        return self._by_id.get(key) or self._by_id.get(key.lower())

    def by_name(self, name: str) -> WrapupCode | None:
        """The code with exactly this name (Genesys's own spelling)."""
        self._require_loaded()
        return self._by_name.get(name)

    def by_normalized_name(self, name: str) -> tuple[WrapupCode, ...]:
        """Codes whose name matches after ``normalize_text`` (case, spacing, quotes, dashes, invisibles)."""
        self._require_loaded()
        return tuple(self._by_normalized.get(normalize_text(name), ()))

    def find(self, text: str) -> tuple[WrapupCode, ...]:
        """Candidates for ``text``: the code with that id, else exact name, else normalized-name matches."""
        if is_genesys_id(text.strip()):
            code = self.by_id(text)
            return (code,) if code else ()
        exact = self.by_name(text)
        if exact is not None:
            return (exact,)
        return self.by_normalized_name(text)

    def get(self, text: str) -> WrapupCode | None:
        """The one code ``text`` names (id, exact or normalized name), or None if none or several match."""
        found = self.find(text)
        return found[0] if len(found) == 1 else None

    def divisions(self) -> dict[str, str]:
        """Division id -> name, for the divisions the codes belong to."""
        self._require_loaded()
        return {c.division_id: c.division_name or "" for c in self._codes if c.division_id}

    # -- per queue and per participant ---------------------------------------------------------------------------
    async def load_queues(self) -> tuple[QueueInfo, ...]:
        """Every queue of the org (``GET /api/v2/routing/queues``, paged) and each one's assigned codes.

        This is what an offline review needs in one go: after it, ``snapshot()`` holds every queue with its name,
        division and code ids. Offline (from a snapshot) it returns the queues the snapshot holds.
        """
        if self._client is None:
            return self.queue_infos()
        infos = [QueueInfo.from_api(e, where) for e, where in await self._fetch_entities(QUEUES_PATH)]
        gate = asyncio.Semaphore(_QUEUE_FETCH_CONCURRENCY)

        async def codes_of(queue_id: str) -> None:
            async with gate:
                await self._queue_ids(queue_id)

        await asyncio.gather(*(codes_of(info.id) for info in infos))
        for info in infos:
            self._queue_info[info.id] = info
        return self.queue_infos()

    def queue_infos(self) -> tuple[QueueInfo, ...]:
        """The queues whose name and division are known (``load_queues`` or a snapshot), sorted by name."""
        return tuple(sorted(self._queue_info.values(), key=lambda q: (normalize_text(q.name), q.id)))

    def queue_info(self, queue_id: str) -> QueueInfo | None:
        return self._queue_info.get(queue_id) or self._queue_info.get(queue_id.strip().lower())

    def known_queue_code_ids(self, queue_id: str) -> frozenset[str] | None:
        """The codes assigned to a queue if already fetched or in the snapshot; None when unknown (no request)."""
        cached = self._queues.fresh(queue_id)
        return frozenset(cached) if cached is not None else None

    async def queue_code_ids(self, queue_id: str) -> frozenset[str]:
        """Ids of the codes assigned to a queue (``GET /api/v2/routing/queues/{id}/wrapupcodes``, paged)."""
        return frozenset(await self._queue_ids(queue_id))

    async def queue_codes(self, queue_id: str) -> tuple[WrapupCode, ...]:
        """The codes assigned to a queue, as full codes (names from the queue answer or the catalog)."""
        ids = await self._queue_ids(queue_id)
        return tuple(self._by_id.get(i) or WrapupCode(id=i, name="") for i in ids)

    async def _queue_ids(self, queue_id: str) -> tuple[str, ...]:
        client = self._client
        if client is None:
            cached = self._queues.fresh(queue_id)
            if cached is None:
                raise CatalogOffline(f"queue {queue_id} is not in the catalog snapshot")
            return cached

        async def fetch() -> tuple[str, ...]:
            codes = await self._fetch_paged(f"/api/v2/routing/queues/{queue_id}/wrapupcodes")
            for code in codes:
                self._by_id.setdefault(code.id, code)
            return tuple(c.id for c in codes)

        return await self._queues.get(queue_id, fetch)

    async def participant_codes(self, conversation_id: str, participant_id: str) -> tuple[WrapupCode, ...]:
        """Codes Genesys lists for one participant (``GET .../participants/{pid}/wrapupcodes``)."""
        client = self._client
        key = (conversation_id, participant_id)
        if client is None:
            cached = self._participants.fresh(key)
            if cached is None:
                raise CatalogOffline(
                    f"participant {participant_id} of conversation {conversation_id} is not in the snapshot"
                )
            return cached
        path = f"/api/v2/conversations/{conversation_id}/participants/{participant_id}/wrapupcodes"

        async def fetch() -> tuple[WrapupCode, ...]:
            body = await client.get_json(path)
            entities = body.get("entities") if isinstance(body, Mapping) else body
            if not isinstance(entities, list):
                raise CatalogFormatError(f"GET {path}: expected a list of wrap-up codes")
            return tuple(WrapupCode.from_api(e, f"GET {path}, [{i}]") for i, e in enumerate(entities))

        return await self._participants.get(key, fetch)

    # -- change detection and offline use ------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """sha256 over the sorted (id, name, division id) rows: equal catalogs give equal fingerprints."""
        self._require_loaded()
        rows = sorted((c.id, c.name, c.division_id or "") for c in self._by_id.values())
        payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of the codes and of every queue's assigned code ids fetched so far."""
        self._require_loaded()
        queues = {qid: list(entry[1]) for qid, entry in sorted(self._queues.values.items())}
        return {
            "version": SNAPSHOT_VERSION,
            "fingerprint": self.fingerprint(),
            "codes": [c.to_dict() for c in sorted(self._by_id.values(), key=lambda c: (c.name, c.id))],
            "queues": queues,
            "queueDetails": {qid: info.to_dict() for qid, info in sorted(self._queue_info.items())},
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any], *, source: str = "snapshot") -> WrapupCatalog:
        """Rebuild a catalog from ``snapshot()`` output, for use without credentials; ``source`` names it in errors."""
        if not isinstance(data, Mapping):
            raise CatalogFormatError(f"{source}: expected an object")
        if data.get("version") != SNAPSHOT_VERSION:
            raise CatalogFormatError(
                f"{source}: field 'version' is {data.get('version')!r}, expected {SNAPSHOT_VERSION}"
            )
        raw_codes = data.get("codes")
        if not isinstance(raw_codes, list):
            raise CatalogFormatError(f"{source}: field 'codes' must be a list")
        codes = []
        for i, raw in enumerate(raw_codes):
            where = f"{source}: codes[{i}]"
            if not isinstance(raw, Mapping):
                raise CatalogFormatError(f"{where}: expected an object")
            entity = {
                "id": raw.get("id"),
                "name": raw.get("name"),
                "division": {"id": raw.get("divisionId"), "name": raw.get("divisionName")},
            }
            codes.append(WrapupCode.from_api(entity, where))
        catalog = cls(None, ttl=float("inf"))
        catalog._index(codes)
        queues = data.get("queues", {})
        if not isinstance(queues, Mapping):
            raise CatalogFormatError(f"{source}: field 'queues' must be an object of queue id -> code ids")
        for queue_id, ids in queues.items():
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise CatalogFormatError(f"{source}: queues[{queue_id!r}] must be a list of code ids")
            catalog._queues.put(str(queue_id), tuple(ids))
        details = data.get("queueDetails", {})
        if not isinstance(details, Mapping):
            raise CatalogFormatError(f"{source}: field 'queueDetails' must be an object of queue id -> queue")
        for queue_id, raw in details.items():
            where = f"{source}: queueDetails[{queue_id!r}]"
            if not isinstance(raw, Mapping):
                raise CatalogFormatError(f"{where}: expected an object with name, divisionId, divisionName")
            entity = {
                "id": queue_id,
                "name": raw.get("name"),
                "division": {"id": raw.get("divisionId"), "name": raw.get("divisionName")},
            }
            catalog._queue_info[str(queue_id)] = QueueInfo.from_api(entity, where)
        expected = data.get("fingerprint")
        if expected is not None and expected != catalog.fingerprint():
            raise CatalogFormatError(f"{source}: field 'fingerprint' does not match the codes (edited by hand?)")
        return catalog
