"""A session that records what the student's code runs (builder side).

The student's function gets a real session, so its code behaves as usual, but what it
computes there is never believed: every `run` is recorded (what it fetched, what it fed)
and the judge replays the recording on its own copy of the graph.
"""
from __future__ import annotations

import numpy as np

MAX_RUNS = 200
MAX_FEED_BYTES = 8 << 20


class RecordingError(Exception):
    pass


def _names(fetches, tf) -> list[str]:
    """Every graph element a fetch structure names, as names."""
    found: list[str] = []

    def walk(item):
        if isinstance(item, (list, tuple, set)):
            for x in item:
                walk(x)
        elif isinstance(item, dict):
            for x in item.values():
                walk(x)
        elif isinstance(item, tf.Variable):
            found.append(item.name)
        elif isinstance(item, (tf.Tensor, tf.Operation)):
            found.append(item.name)
        elif isinstance(item, str):
            found.append(item)
        elif item is not None:
            raise RecordingError(f"cannot record a fetch of type {type(item).__name__}")

    walk(fetches)
    return found


class RecordingSession:
    """Wraps a tf.Session: runs for real, and records every run for the judge."""

    def __init__(self, session, tf):
        self._session, self._tf = session, tf
        self.runs: list[dict] = []

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if len(self.runs) >= MAX_RUNS:
            raise RecordingError(f"more than {MAX_RUNS} session runs")
        feeds = {}
        for key, value in (feed_dict or {}).items():
            name = key.name if hasattr(key, "name") else str(key)
            array = np.asarray(value)
            if array.dtype == object or array.nbytes > MAX_FEED_BYTES:
                raise RecordingError(f"cannot record a feed of {name} ({array.dtype}, {array.nbytes} bytes)")
            feeds[name] = array
        self.runs.append({"fetches": _names(fetches, self._tf), "feeds": feeds})
        return self._session.run(fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata)

    def __getattr__(self, name):
        return getattr(self._session, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
