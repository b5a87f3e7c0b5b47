"""The checks of :func:`~.data.load_data` on what a user gave: a field
given in Python in another form than its flag parses to, a dataset's error
named by the flag that gave its file, a split that holds out no row."""
from __future__ import annotations

import math


def _tables_flag(message: str) -> str:
    """A :class:`~pyg_fusion.datasets.MultiViewTables` error, which names a
    file as the dataset's argument (``view 'a': ...``, ``labels: ...``), with
    the flag that gave the file."""
    if message.startswith("labels: "):
        return "--labels: " + message[len("labels: "):]
    if message.startswith("view '"):
        return "--views: " + message
    return message


def _check_num_abnormal(value) -> None:
    """``vad_num_abnormal`` given in Python (the flag parses its text to
    these forms), named as the field, not as VADLayout's ``num_abnormal``."""
    def count(n) -> bool:
        return n is None or (isinstance(n, int) and not isinstance(n, bool) and n >= 0)
    if count(value) or (isinstance(value, dict) and set(value) <= {"train", "test"}
                        and all(map(count, value.values()))):
        return
    parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else []
    hint = (" (the flag's text; in Python: " + (parts[0] if len(parts) == 1 else
            f"{{'train': {parts[0]}, 'test': {parts[1]}}}") + ")"
            if parts and len(parts) <= 2 and all(p.isdigit() for p in parts) else "")
    raise ValueError(f"vad_num_abnormal must be an int >= 0 (abnormal videos at the head of "
                     f"both lists) or {{'train': int, 'test': int}}, or None, got "
                     f"{value!r}{hint}")


def _check_split(data, cfg) -> None:
    """A tables split without validation or test rows, or labels of one
    class: training would refuse it, naming no flag. Its cause is the rate against small classes (each
    class holds out ``round(rate * n)`` of its ``n`` labelled rows, 0 for
    every class below ``0.5 / rate`` rows), so the error names the flag and
    the smallest rate that holds out a row of the largest class."""
    import torch
    from ..datasets._split import _round
    counts = torch.bincount(data.y[data.y >= 0])
    counts = counts[counts > 0]
    if counts.numel() < 2:  # the model refused it, naming num_classes, no flag
        raise ValueError(f"--labels: {cfg.labels} holds one class "
                         f"({data.class_names[0]!r}) in its {int(counts.sum())} labelled rows: "
                         f"a classifier needs two classes or more")
    largest = int(counts.max())
    for key, flag, rate, what in (("val_mask", "--val-rate", cfg.val_rate, "validation"),
                                  ("test_mask", "--test-rate", cfg.test_rate, "test")):
        if bool(data[key].any()):
            continue
        need = math.ceil(500 / largest) / 1000
        while _round(need * largest) < 1:  # float rounding at a half
            need += 0.001
        raise ValueError(f"{flag} {rate:g} leaves no {what} row: each class holds out "
                         f"round({rate:g} * n) of its n labelled rows, and the largest of "
                         f"the {counts.numel()} classes has "
                         f"{largest}; give {flag} {need:g} or more")
