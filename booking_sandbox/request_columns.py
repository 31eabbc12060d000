"""A port's pending requests for one day, read as columns for the allocation run.

``load_columns`` returns what the rule needs (``allocation.allocate_port``) and what the run
publishes: request ids (as bytes, in id order), household sizes, registration days and each
request's draw key (``draw.draw_keys``).

Two ways to read them, the same columns either way:

* ``load_rows``: the obvious one, and the oracle: one ORM query, a Python tuple per request,
  draw keys hashed in Python. About 5 s for a million requests, most of it building and
  converting the rows; SQLite always reads this way.
* On PostgreSQL, one query that returns a single row: the requests' fixed-width records
  (draw key, registration time, household size, id) concatenated by the server, in id order,
  parsed by numpy in one call. The server computes the draw keys with its own ``sha256``
  (same bytes: ``SHA-256(seed || port '\\n' id)``), so no Python code runs per request.
  Ids longer than ``ID_BYTES`` (never: ids are at most 40 characters) fall back to
  ``load_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_sandbox.draw import draw_keys
from booking_sandbox.models import SlotRequest
from booking_sandbox.publication import registration_days

#: Ids are padded to this many bytes in the server's records (``models.ID_LENGTH``; the
#: 40 in ``_COLUMNS_SQL``).
ID_BYTES = 40
RECORD = np.dtype(
    [("key", "S32"), ("epoch", ">f8"), ("size", ">i4"), ("length", ">i2"), ("id", f"S{ID_BYTES}")]
)

# One row: every pending request's record, in id order. The subquery's order is the order the
# aggregate reads (no parallel plan: see `_load_postgres`). float8send/int4send/int2send are
# big-endian, as `RECORD` reads them; registered_at is UTC without a zone, so its epoch is
# the POSIX time `datetime.timestamp()` gives.
_COLUMNS_SQL = """
SELECT count(*), coalesce(string_agg(record, ''::bytea), ''::bytea) FROM (
    SELECT sha256(%(prefix)s || convert_to(id, 'UTF8'))
        || float8send(extract(epoch FROM registered_at)::float8)
        || int4send(household_size)
        || int2send(octet_length(id)::int2)
        || convert_to(rpad(id, 40, ' '), 'UTF8') AS record
    FROM slot_requests
    WHERE request_date = %(day)s AND port = %(port)s AND status = 'pending'
    ORDER BY id
) AS ordered
"""


@dataclass(frozen=True)
class RequestColumns:
    ids: npt.NDArray[np.bytes_]
    sizes: npt.NDArray[np.int64]
    registered: npt.NDArray[np.int64]
    keys: npt.NDArray[np.bytes_]

    def id_at(self, index: int) -> str:
        return bytes(self.ids[index]).decode()

    def __len__(self) -> int:
        return len(self.sizes)


def _id_array(ids: list[bytes]) -> npt.NDArray[np.bytes_]:
    return np.array(ids, dtype="S") if ids else np.array([], dtype="S1")


def load_rows(db: Session, port: str, request_date: date, seed: bytes) -> RequestColumns:
    """The obvious way (and the oracle of ``load_columns``): rows, then columns."""
    rows = db.execute(
        select(SlotRequest.id, SlotRequest.household_size, SlotRequest.registered_at)
        .where(
            SlotRequest.request_date == request_date,
            SlotRequest.port == port,
            SlotRequest.status == "pending",
        )
        .order_by(SlotRequest.id)
    ).all()
    request_ids = [row[0] for row in rows]
    sizes = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    registered = registration_days(
        np.fromiter((row[2].timestamp() for row in rows), dtype=np.float64, count=len(rows))
    )
    return RequestColumns(
        ids=_id_array([request_id.encode() for request_id in request_ids]),
        sizes=sizes,
        registered=registered,
        keys=draw_keys(seed, port, request_ids),
    )


def _load_postgres(
    db: Session, port: str, request_date: date, seed: bytes
) -> RequestColumns | None:
    # The driver's own cursor, for a binary result (the blob is not sent as hex text), in
    # the session's transaction. A parallel plan could hand the aggregate rows out of order;
    # the sort of a million records is kept in memory.
    connection: Any = db.connection().connection.driver_connection
    with connection.cursor(binary=True) as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            _COLUMNS_SQL,
            {"prefix": seed + port.encode() + b"\n", "day": request_date, "port": port},
        )
        count, data = cursor.fetchone()
    if len(data) != count * RECORD.itemsize:
        return None  # an id longer than ID_BYTES: its record is longer
    records = np.frombuffer(data, dtype=RECORD)
    lengths = records["length"].astype(np.int64)
    if count and int(lengths.max()) > ID_BYTES:
        return None
    width = max(1, int(lengths.max())) if count else 1
    padded = np.ascontiguousarray(records["id"]).view(np.uint8).reshape(count, ID_BYTES)
    if count and int(lengths.min()) != width:
        # The ids were padded with spaces: cut each back to its own length.
        padded = np.where(np.arange(ID_BYTES) < lengths[:, None], padded, 0).astype(np.uint8)
    ids = np.ascontiguousarray(padded[:, :width]).view(f"S{width}").reshape(count)
    return RequestColumns(
        ids=ids,
        sizes=records["size"].astype(np.int64),
        registered=registration_days(records["epoch"].astype(np.float64)),
        keys=np.ascontiguousarray(records["key"]),
    )


def load_columns(db: Session, port: str, request_date: date, seed: bytes) -> RequestColumns:
    """The port's pending requests of ``request_date``, in id order, as columns."""
    if db.get_bind().dialect.name == "postgresql":
        columns = _load_postgres(db, port, request_date, seed)
        if columns is not None:
            return columns
    return load_rows(db, port, request_date, seed)
