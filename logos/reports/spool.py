"""Sequences of session outputs (orders, fills) kept in a temporary file, a batch in memory.

A year of minute bars for many symbols makes about a million orders and as many fills; kept
as objects they take gigabytes. A :class:`Spool` holds the items appended to it in a
temporary file, in batches of ``batch`` items, and only the batch being filled (and, while
it is read, one batch read back) in memory. It reads like a list: ``len``, iteration (any
number of times), ``spool[i]`` and the other :class:`collections.abc.Sequence` methods.

A :class:`KeyedSpool` takes ``(key, item)`` pairs in any order and gives the items back in key
order — items with equal keys in the order they were appended — by an external merge sort:
each full batch is sorted and written as a run of small blocks, and iteration merges the
runs (:func:`heapq.merge`) holding one block of each in memory. The engine appends an order
when it ends, keyed by its creation number, so orders.csv lists orders as they were created
while the few that rest for a long time are written when they end.

Items are written a batch at a time by a :class:`Codec` chosen for the batch. A batch of
orders, fills or positions (all of one of the :data:`JSON_RECORDS`) is written as JSON by
pydantic itself (a ``TypeAdapter`` of a list of the model): Decimals as their exact text,
timestamps as ISO-8601, enums as their values, all read back and validated as the model's
own fields — equal objects, in UTC, with their enums. Writing is the cost paid while a
session runs, and pydantic's JSON writes a batch several times faster than :mod:`pickle`
(which calls back into Python for every Decimal and every model); reading is about as fast.
Any other batch is pickled (protocol 5): JSON gives back exactly what was written only for
models whose every field has a precise type (an ``Any`` field holding a Decimal would come
back as text), which these records are checked to have by the tests.

The temporary file is made by :func:`tempfile.TemporaryFile` in ``directory`` (the system's
temporary directory by default) when the first batch is written, so a small session never
touches the disk. It has no name where the system allows it (Linux, macOS): the system
deletes it when it is closed — by :meth:`Spool.close`, when the spool is garbage collected, at
interpreter exit — and when the process ends in any other way, a crash included.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from pathlib import Path
from types import NotImplementedType
from typing import IO, Any, Generic, SupportsIndex, TypeVar, overload

import numpy as np
from pydantic import BaseModel, TypeAdapter

from logos.domain import Fill, Order, Position
from logos.errors import LogosError

T = TypeVar("T")

JSON_RECORDS: tuple[type[BaseModel], ...] = (Order, Fill, Position)
"""The records a batch of which is written as pydantic's JSON (the module docstring says
why); a batch of anything else (or of several types) is pickled."""

BATCH = 50_000
"""Items a spool keeps in memory before writing them, by default: a session with up to this
many orders and as many fills (an active strategy over a million bars) never encodes them
nor reads them back, for about 4 KB an order and 2 KB a fill held; a longer one holds a
batch per spool (and one batch read back)."""

BLOCK = 64
"""Items of a sorted run a :class:`KeyedSpool` reads back at a time, by default."""

_KEY = itemgetter(0)


class SpoolError(LogosError):
    """The temporary file of a spool could not be made or written (a full disk, a folder
    that is not writable); the message names the folder."""


class Codec(Generic[T]):
    """Turns a list of items into bytes and back: pickle (protocol 5) unless a subclass
    says otherwise."""

    def encode(self, items: list[T]) -> bytes:
        return pickle.dumps(items, protocol=5)

    def decode(self, data: bytes) -> list[T]:
        items: list[T] = pickle.loads(data)  # our own temporary file
        return items


class ModelCodec(Codec[T]):
    """A list of pydantic models as pydantic's JSON, validated as the model when read."""

    def __init__(self, model: type[T]) -> None:
        self._adapter: TypeAdapter[list[T]] = TypeAdapter(list[model])  # type: ignore[valid-type]

    def encode(self, items: list[T]) -> bytes:
        return self._adapter.dump_json(items)

    def decode(self, data: bytes) -> list[T]:
        return self._adapter.validate_json(data)


_PICKLE: Codec[Any] = Codec()
_JSON: dict[type, Codec[Any]] = {}


def codec_for(items: list[T]) -> Codec[T]:
    """The codec of a batch: JSON when every item is of the same one of the
    :data:`JSON_RECORDS` (not a subclass), else pickle."""
    kind = type(items[0]) if items else None
    if kind not in JSON_RECORDS or not all(type(item) is kind for item in items):
        return _PICKLE
    codec = _JSON.get(kind)
    if codec is None:
        codec = _JSON[kind] = ModelCodec(kind)
    return codec


class BlockFile:
    """An append-only temporary file of byte blocks, each read back by its offset and length
    (made when the first block is written, deleted when closed or collected).

    Every read and write seeks first, so a reader and a writer may take turns (a spool
    appended to while it is read)."""

    def __init__(self, directory: str | Path | None) -> None:
        self._directory = directory
        self._file: IO[bytes] | None = None
        self._end = 0
        self._closer: Callable[[], None] | None = None
        self._closed = False

    def write(self, data: bytes) -> tuple[int, int]:
        """Append ``data``; return its offset and length. A file that cannot be made or
        written is a :class:`SpoolError` naming its folder."""
        if self._closed:
            raise ValueError("the temporary file was closed (deleted)")
        offset = self._end
        try:
            if self._file is None:
                # open as long as its owner lives: the finalizer closes (so deletes) it when
                # the owner is collected or at interpreter exit, if close() did not
                file = tempfile.TemporaryFile(prefix="logos-spool-", dir=self._directory)  # noqa: SIM115
                self._file, self._closer = file, weakref.finalize(self, file.close)
            self._file.seek(offset)
            self._file.write(data)
            self._file.flush()  # a full disk is found here, not at a later read
        except OSError as exc:
            folder = self._directory or tempfile.gettempdir()
            hint = "free some space there" if self._directory else "free some space, or set TMPDIR"
            raise SpoolError(
                f"{folder}: cannot write a session's spooled outputs there: "
                f"{exc.strerror or exc} ({hint})"
            ) from None
        self._end += len(data)
        return offset, len(data)

    def read(self, offset: int, length: int) -> bytes:
        if self._file is None or self._closed:
            raise ValueError("the temporary file was closed (deleted)")
        self._file.seek(offset)
        data = self._file.read(length)
        if len(data) != length:
            raise OSError(f"spool file truncated: {len(data)} of {length} bytes at {offset}")
        return data

    def close(self) -> None:
        """Close (so delete) the file; idempotent."""
        self._closed = True
        if self._closer is not None:
            self._closer()


class Spool(Sequence[T]):
    """An append-only sequence kept in a temporary file in ``directory`` (the system's
    temporary directory by default), ``batch`` items in memory (see the module docstring).
    Closing it (or leaving the ``with`` block) deletes the file; reading it afterwards is a
    ``ValueError``."""

    def __init__(self, *, batch: int | None = None, directory: str | Path | None = None) -> None:
        batch = BATCH if batch is None else batch  # read now: a test may lower BATCH
        if batch < 1:
            raise ValueError(f"a spool's batch must be at least 1 item (got {batch})")
        self._batch = batch
        self._file = BlockFile(directory)
        self._batches: list[tuple[int, int, Codec[T]]] = []  # each written batch: where, how
        self._tail: list[T] = []  # the items after the last written batch
        self._cached: tuple[int, list[T]] = (-1, [])  # the batch read last, for random access
        self._closed = False

    # writing -------------------------------------------------------------------------

    def append(self, item: T) -> None:
        """Add ``item`` at the end."""
        self._check_open()
        tail = self._tail
        tail.append(item)
        if len(tail) >= self._batch:
            self._write_tail()

    def extend(self, items: Iterable[T]) -> None:
        """Add ``items`` at the end, in order."""
        for item in items:
            self.append(item)

    def _write_tail(self) -> None:
        codec = codec_for(self._tail)
        self._batches.append((*self._file.write(codec.encode(self._tail)), codec))
        self._tail = []

    # reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._batches) * self._batch + len(self._tail)

    def __iter__(self) -> Iterator[T]:
        """The items in the order they were appended: those there when iteration starts."""
        count = len(self)
        for number in range(-(-count // self._batch)):
            # the tail may grow (or be written) meanwhile: only the items counted at the start
            yield from islice(self._batch_items(number), count - number * self._batch)

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T | list[T]:
        """The item at ``index`` (negative from the end), or a list for a slice; an index
        reads (and keeps) the batch that holds it."""
        count = len(self)
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(count))]
        position = index.__index__()
        if not -count <= position < count:
            raise IndexError(f"spool index {position} out of range ({count} items)")
        number, offset = divmod(position % count, self._batch)
        return self._batch_items(number)[offset]

    def _batch_items(self, number: int) -> list[T]:
        """Batch ``number``: read back from the file, or the tail being filled."""
        self._check_open()
        if number == len(self._batches):
            return self._tail
        cached, items = self._cached
        if cached != number:
            offset, length, codec = self._batches[number]
            items = codec.decode(self._file.read(offset, length))
            self._cached = (number, items)
        return items

    # the file ------------------------------------------------------------------------

    def close(self) -> None:
        """Delete the temporary file and forget the items (idempotent)."""
        self._closed = True
        self._file.close()
        self._tail, self._cached = [], (-1, [])

    def __enter__(self) -> Spool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the spool is closed: its temporary file was deleted")

    def __eq__(self, other: object) -> bool | NotImplementedType:
        """Equal to a list (or a spool) of equal items in the same order, as a list is."""
        return _equal(self, other)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __reduce__(self) -> Any:
        raise TypeError("a Spool lives in a temporary file and cannot be pickled; list() it")

    @property
    def batches_on_disk(self) -> int:
        """How many batches were written to the temporary file (0: all still in memory)."""
        return len(self._batches)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self)} items"
        return f"Spool({state}, {self.batches_on_disk} batches on disk)"


class KeyedSpool(Sequence[T]):
    """Items appended with an int key (``append(key, item)``) in any order, read in key order
    and, for equal keys, in the order they were appended (see the module docstring). Memory:
    the batch being filled, plus one block of ``block`` items per sorted run while it is read.

    Indexing (``spool[i]``) writes the merged order once to a :class:`Spool` (kept until the
    next append), so a session's orders can be read like a list without sorting them again."""

    def __init__(
        self,
        *,
        batch: int | None = None,
        block: int = BLOCK,
        directory: str | Path | None = None,
    ) -> None:
        batch = BATCH if batch is None else batch
        if batch < 1 or block < 1:
            raise ValueError(f"batch and block must be at least 1 item (got {batch}, {block})")
        self._batch, self._block, self._directory = batch, block, directory
        self._file = BlockFile(directory)
        self._runs: list[list[tuple[int, int, int, Codec[T]]]] = []  # blocks: where, count, how
        self._count = 0
        self._pending: list[tuple[int, T]] = []
        self._ordered: Spool[T] | None = None
        self._closed = False

    def append(self, key: int, item: T) -> None:
        """Add ``item`` with ``key`` (an int that fits int64: a sequence number)."""
        if self._closed:
            raise ValueError("the spool is closed: its temporary file was deleted")
        pending = self._pending
        pending.append((key, item))
        self._count += 1
        if self._ordered is not None:
            self._ordered.close()
            self._ordered = None
        if len(pending) >= self._batch:
            self._write_run()

    def _write_run(self) -> None:
        pending = self._pending
        pending.sort(key=_KEY)  # stable: equal keys stay in append order
        run = []
        for start in range(0, len(pending), self._block):
            part = pending[start : start + self._block]
            keys = np.array([key for key, _ in part], dtype=np.int64).tobytes()
            items = [item for _, item in part]
            codec = codec_for(items)
            run.append((*self._file.write(keys + codec.encode(items)), len(part), codec))
        self._runs.append(run)
        self._pending = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[T]:
        """The items in key order: those there when iteration starts."""
        if self._closed:
            raise ValueError("the spool is closed: its temporary file was deleted")
        if self._ordered is not None:
            yield from self._ordered
            return
        runs = [self._read_run(run) for run in self._runs]
        pending = sorted(self._pending, key=_KEY)
        # heapq.merge breaks ties by argument order: earlier runs, then the pending items
        for _, item in heapq.merge(*runs, pending, key=_KEY):
            yield item

    def _read_run(self, run: list[tuple[int, int, int, Codec[T]]]) -> Iterator[tuple[int, T]]:
        for offset, length, count, codec in run:
            data = self._file.read(offset, length)
            keys = np.frombuffer(data, dtype=np.int64, count=count).tolist()
            yield from zip(keys, codec.decode(data[8 * count :]), strict=True)

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T | list[T]:
        """The item at ``index`` in key order (or a list for a slice)."""
        if self._ordered is None:
            ordered: Spool[T] = Spool(batch=self._batch, directory=self._directory)
            ordered.extend(self)
            self._ordered = ordered
        return self._ordered[index]

    def close(self) -> None:
        """Delete the temporary file(s) and forget the items (idempotent)."""
        self._closed = True
        self._file.close()
        if self._ordered is not None:
            self._ordered.close()
            self._ordered = None
        self._pending = []

    def __enter__(self) -> KeyedSpool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __eq__(self, other: object) -> bool | NotImplementedType:
        """Equal to a list (or a spool) of equal items in the same order, as a list is."""
        return _equal(self, other)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __reduce__(self) -> Any:
        raise TypeError("a KeyedSpool lives in a temporary file and cannot be pickled; list() it")

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self)} items"
        return f"KeyedSpool({state}, {len(self._runs)} sorted runs on disk)"


def _equal(spool: Sequence[Any], other: object) -> bool | NotImplementedType:
    """``spool == other`` for a list or another spool: the same items in the same order (as
    a list compares); anything else is not comparable."""
    if not isinstance(other, list | Spool | KeyedSpool):
        return NotImplemented
    return len(spool) == len(other) and all(a == b for a, b in zip(spool, other, strict=True))
