"""The streams of :class:`~pyg_fusion.datasets.RecordingStreamsVAD`: the
check that a split's recordings can make them, and the splicing of one
stream (its recordings concatenated, an anomaly spliced in)."""
from __future__ import annotations

import numpy as np


def check_counts(g: dict, rate: int, split: str, snippets, by_activity) -> None:
    """Refuses recordings of ``split`` too few or too short for the streams
    of the options ``g`` (``snippets``: each recording's snippets of ``rate``
    samples; ``by_activity``: the recordings of each activity)."""
    lo, hi = g["recordings"]
    for a in g["normal_activities"]:
        have = by_activity[a]
        if len(have) < hi:
            raise ValueError(f"the {split} recordings hold {len(have)} of activity {a!r}, "
                             f"fewer than recordings[1] = {hi}")
        shortest = sorted(len(snippets[r]) for r in have)[:lo]
        if sum(shortest) < g["anomaly_snippets"][1]:
            raise ValueError(f"a stream of recordings[0] = {lo} {split} recording(s) of "
                             f"{a!r} can be {sum(shortest)} snippets long, shorter than "
                             f"anomaly_snippets[1] = {g['anomaly_snippets'][1]}")
    for b in g["anomaly_activities"]:
        short = [int(r) for r in by_activity[b]
                 if len(snippets[r]) < g["anomaly_snippets"][1]]
        if len(by_activity[b]) == 0 or short:
            raise ValueError(
                f"every {split} recording of the anomaly activity {b!r} needs "
                f"anomaly_snippets[1] = {g['anomaly_snippets'][1]} snippets of "
                f"{rate} samples; "
                + (f"recordings {short} have fewer" if short else "there are none"))


def splice_stream(g: dict, rng, feats, by_activity, act, label):
    """One video of the options ``g``: ``R`` recordings of activity ``act``
    concatenated, and, when ``label`` is 1, a stretch of another activity
    spliced in (every draw from ``rng``, in the documented order); returns
    ``(features per source, ground truth per snippet, what it is made of)``."""
    R = int(rng.integers(g["recordings"][0], g["recordings"][1] + 1))
    recs = rng.choice(by_activity[act], size=R, replace=False)
    x = {s: np.concatenate([f[r] for r in recs]) for s, f in feats.items()}
    T = len(next(iter(x.values())))
    gt = np.zeros(T, dtype=np.int64)
    info = {"activity": act, "recordings": [int(r) for r in recs]}
    if label:
        others = [b for b in g["anomaly_activities"] if b != act]
        b = others[int(rng.integers(len(others)))]
        rec = int(rng.choice(by_activity[b]))
        L = int(rng.integers(g["anomaly_snippets"][0], g["anomaly_snippets"][1] + 1))
        length = len(next(iter(feats.values()))[rec])
        src = int(rng.integers(0, length - L + 1))
        t0 = int(rng.integers(0, T - L + 1))
        for s in x:
            x[s][t0:t0 + L] = feats[s][rec][src:src + L]
        gt[t0:t0 + L] = 1
        info["anomaly"] = {"start": t0, "end": t0 + L, "activity": b, "recording": rec,
                           "recording_start": src}
    return x, gt, info
