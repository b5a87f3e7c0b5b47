"""The errors of :class:`~pyg_fusion.nn.LEGO` whose graph powers or fused
graph overflowed: the source, the power and the entries that reached past the
dtype's range, and what to change (normalised powers, smaller features)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from ..functional._checks import check_finite

if TYPE_CHECKING:
    from .lego import LEGO


def check_powers(lego: LEGO, powers: dict) -> None:
    """Raises the error that names the first source whose powers hold NaN or
    Inf (the fusion's own refusal named its argument, not the source);
    returns where every power is finite."""
    for s in lego.sources:
        attr = powers[s][1] if isinstance(powers[s], tuple) else powers[s]
        # one column (sparse [E, P+1]) or slice (dense [..., P+1, N, N]) per power
        per_power = attr.detach().movedim(-1 if isinstance(powers[s], tuple) else -3, 0)
        bad = (~torch.isfinite(per_power)).flatten(1).sum(1)
        if bool(bad.any()):
            p = int(bad.nonzero()[0])
            norm = lego.expansions[s].norm
            reach = "" if p < 2 else (f"; the entries of its relationship graph "
                                      f"reach {float(per_power[1].abs().max()):.3g}")
            raise ValueError(
                f"the graph powers of source {s!r} overflowed: R^{p} holds "
                f"{int(bad[p])} NaN or Inf value(s) (norm={norm!r}{reach}); "
                + ("normalise the powers (norm='sym' or 'row') or scale the "
                   "features down" if norm is None else "scale the features down")
            ) from None


def check_fused(lego: LEGO, powers: dict, g: Tensor) -> None:
    """Raises where the fused graph ``g`` of finite powers holds NaN or Inf:
    their products overflowed ``g``'s dtype."""
    # check_finite's one pass, no temporary of G's size
    try:
        check_finite("G", g)
    except ValueError:
        bad = int((~torch.isfinite(g.detach())).sum())
    else:
        return
    reach = ", ".join(
        f"{s}: {float((p[1] if isinstance(p, tuple) else p).detach().abs().max()):.3g}"
        for s, p in powers.items())
    top = max(float(p.detach().abs().max()) for p in lego.fusion.parameters())
    raw = [s for s in lego.sources if lego.expansions[s].norm is None]
    fix = (f"normalise the powers of {', '.join(map(repr, raw))} (norm='sym' or 'row') or "
           f"scale the features down" if raw else "scale the features down")
    raise ValueError(f"the fused graph overflowed: G holds {bad} NaN or Inf value(s) from "
                     f"finite powers (the sources' powers reach {reach}, the operator's "
                     f"entries {top:.3g}): their products exceed {g.dtype}'s range; {fix}")
