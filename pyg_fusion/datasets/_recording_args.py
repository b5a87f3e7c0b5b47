"""Checks of :class:`~pyg_fusion.datasets.RecordingStreamsVAD`'s arguments:
each error names the argument and what was expected."""
from __future__ import annotations

import hashlib
import numbers
import re

import numpy as np

from .._option_rules import is_int
from ._npy import nonfinite


def digest_signal(x: np.ndarray) -> str:
    return hashlib.sha1(f"{x.shape}".encode() + np.ascontiguousarray(x).tobytes()).hexdigest()


def check_recordings(name: str, value) -> tuple[list[np.ndarray], np.ndarray]:
    try:
        signals, activities = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (signals, activities), got "
                         f"{type(value).__name__}") from None
    signals = list(signals)
    labels = [a.item() if isinstance(a, np.generic) else a for a in activities]
    if not signals or len(signals) != len(labels):
        raise ValueError(f"{name}: {len(signals)} signals and {len(labels)} activities; "
                         f"one activity per signal, at least one signal")
    out = []
    for i, x in enumerate(signals):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"{name}[0][{i}] must be [channels, samples], got shape "
                             f"{x.shape}")
        bad = nonfinite(x)
        if bad is not None:
            raise ValueError(f"{name}[0][{i}] holds NaN or Inf ({bad[0]} value(s), the first "
                             f"at channel {bad[1][0]}, sample {bad[1][1]})")
        out.append(x)
    for a in labels:
        if isinstance(a, bool) or not isinstance(a, (str, numbers.Integral)):
            raise ValueError(f"{name}: activities must be ints or strings, got {a!r}")
    return out, np.asarray([str(a) for a in labels])


def check_sensors(sensors) -> dict[str, list[int]]:
    if sensors is None:
        return {}
    if not isinstance(sensors, dict) or not sensors:
        raise ValueError(f"sensors must be a non-empty dict {{source name: channels}}, got "
                         f"{sensors!r}")
    out = {}
    for s, ch in sensors.items():
        if not re.fullmatch(r"[A-Za-z0-9_]+", str(s)):
            raise ValueError(f"sensor name {s!r} must be letters, digits or '_'")
        if isinstance(ch, slice):
            if ch.stop is None:
                raise ValueError(f"sensors[{s!r}] is a slice without an end: {ch}")
            ch = range(*ch.indices(ch.stop))
        ch = list(ch) if not isinstance(ch, numbers.Integral) else [ch]
        if not ch or any(not is_int(c) or c < 0
                         for c in ch):
            raise ValueError(f"sensors[{s!r}] must be channel indices >= 0, got {ch!r}")
        out[str(s)] = [int(c) for c in ch]
    return out


def check_pair(name, value, lo, hi) -> list[int]:
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of ints, got {value!r}") from None
    if any(not is_int(v) for v in (a, b)):
        raise ValueError(f"{name} must be a pair of ints, got {value!r}")  # 2.9 was read as 2
    a, b = int(a), int(b)
    if name == "num_videos":
        if min(a, b) < lo:
            raise ValueError(f"{name} must be (train, test), each >= {lo}, got {value!r}")
    elif not (lo <= a <= b and (hi is None or b <= hi)):
        bound = f" <= {hi}" if hi is not None else ""
        raise ValueError(f"{name} must be (min, max) with {lo} <= min <= max{bound}, "
                         f"got {value!r}")
    return [a, b]


def check_activities(name, value, activities: list[str]) -> list[str]:
    if value is None:
        return list(activities)
    if isinstance(value, (str, numbers.Integral)):
        value = [value]
    out = [str(v) for v in value]
    bad = [v for v in out if v not in activities]
    if bad or not out or len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct activities among {activities}, "
                         f"got {list(value)!r}")
    return out


def file_safe(activity: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", activity)


def axis_name(j: int, n: int) -> str:
    return "xyz"[j] if n == 3 else f"ch{j}"
