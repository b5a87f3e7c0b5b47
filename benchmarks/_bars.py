"""Bars of means with their spread over seeds, for the ablation figures."""
from __future__ import annotations

import math


def finite_bars(ax, means, stds, colors) -> None:
    """Draws ``means`` +- ``stds`` at 0, 1, ..., leaving a non-finite bar
    (a diverged seed's NaN, a PSNR of inf) empty and a non-finite spread
    undrawn: matplotlib 3.7 (the floor) fails with StopIteration on an
    error bar of NaN, later releases warn."""
    keep = [i for i, m in enumerate(means) if math.isfinite(m)]
    if keep:
        ax.bar(keep, [means[i] for i in keep],
               yerr=[stds[i] if math.isfinite(stds[i]) else 0.0 for i in keep],
               color=[colors[i] for i in keep], capsize=3)
    ax.set_xlim(-0.6, len(means) - 0.4)
