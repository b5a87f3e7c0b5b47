"""Means with their spread over seeds, for the ablations' records and figures."""
from __future__ import annotations

import math


def seed_std(values) -> float | None:
    """The sample standard deviation (``ddof=1``) of one score over the
    seeds; ``None`` for one seed, which has no spread (null in a
    results.json, as vad_chance.py records one draw's; a 0.0 read as a
    measured spread of nothing)."""
    import numpy as np
    return float(np.std(values, ddof=1)) if len(values) > 1 else None


def finite_bars(ax, means, stds, colors) -> None:
    """Draws ``means`` +- ``stds`` at 0, 1, ..., leaving a non-finite bar
    (a diverged seed's NaN, a PSNR of inf) empty and a non-finite or
    ``None`` spread (one seed's, :func:`seed_std`) undrawn: matplotlib 3.7
    (the floor) fails with StopIteration on an error bar of NaN, later
    releases warn."""
    keep = [i for i, m in enumerate(means) if math.isfinite(m)]
    if keep:
        ax.bar(keep, [means[i] for i in keep],
               yerr=[stds[i] if stds[i] is not None and math.isfinite(stds[i]) else 0.0
                     for i in keep],
               color=[colors[i] for i in keep], capsize=3)
    ax.set_xlim(-0.6, len(means) - 0.4)
