"""Expire the work-item locks a killed sidecar left in its SQLite file.

Both sidecars' SQLite stores lock an orchestration instance or activity while a worker runs it,
for two minutes (``LockExpiration``), and a restarted sidecar does not release the locks its
previous life held: items that were in flight when it died wait out those two minutes before
anyone gets them again. Neither sidecar's command line can shorten the timeout. A fault test
that wants to finish in seconds expires the locks while the sidecar is down, which is what the
sidecar itself would do after two minutes; nothing else in the file is touched.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def expire_stale_locks(database: Path) -> int:
    """Release every lock in ``database`` (the sidecar must be stopped); returns how many there were."""
    with sqlite3.connect(database) as connection:
        released = 0
        for table, columns in (
            ("Instances", "[LockedBy] = NULL, [LockExpiration] = NULL"),
            ("NewTasks", "[LockedBy] = NULL, [LockExpiration] = NULL"),
            ("NewEvents", "[LockedBy] = NULL"),
        ):
            cursor = connection.execute(f"UPDATE {table} SET {columns} WHERE [LockedBy] IS NOT NULL")
            released += max(cursor.rowcount, 0)
        return released
