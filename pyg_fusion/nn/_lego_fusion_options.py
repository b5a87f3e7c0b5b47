"""What :class:`~pyg_fusion.nn.LEGOFusion` accepts: its options
(:mod:`pyg_fusion._lego_rules`) and the powers of each source, checked with
errors that name the argument before any operator is built."""
from __future__ import annotations

import numbers

from torch import Tensor

# the options' rules, torch-free (a run checks them before torch loads)
from .._lego_rules import MODES, SUPPORTS, check_fusion_options, check_source_names  # noqa: F401
from ..functional._checks import check_int, check_module_input
from ..functional.fuse import check_source_powers

def powers_by_source(sources: list[str], num_powers: int | dict[str, int]) -> dict[str, int]:
    """:math:`P` of each of the (sorted) ``sources``, from one ``int`` for
    all or a dict per source, checked."""
    if isinstance(num_powers, numbers.Integral):  # numpy's too (check_int)
        num_powers = {s: num_powers for s in sources}
    if set(num_powers) != set(sources):
        raise ValueError(f"num_powers must give P for each of {sources}, "
                         f"got {sorted(num_powers)}")
    return {s: check_int(f"num_powers[{s!r}]", p, minimum=0)
            for s, p in sorted(num_powers.items())}


def plan_options(fusion) -> tuple:
    """What a :meth:`LEGOFusion.plan <pyg_fusion.nn.LEGOFusion.plan>` of
    ``fusion`` depends on besides the powers: its pairs, zeroth power (the
    planned hop scores hold it), support and powers per source."""
    support = "intersection" if fusion.zeroth == "identity" else fusion._align_support
    return (fusion.pairs, fusion.zeroth, support, fusion.num_powers)


def check_plan(fusion, plan) -> None:
    """``plan`` was made by ``plan()`` of a fusion of ``fusion``'s options
    (:func:`plan_options`): another's hop scores fused silently wrong
    (``zeroth``) or failed in torch naming neither (``num_powers``)."""
    if not isinstance(plan, dict) or plan.get("options") != plan_options(fusion):
        got = plan.get("options") if isinstance(plan, dict) else type(plan).__name__
        raise ValueError(f"plan must come from plan() of a fusion of these options "
                         f"(pairs, zeroth, support, num_powers) {plan_options(fusion)}, got "
                         f"{got}")
    check_module_input("plan's hop scores", next(iter(plan["pairs"].values()))[0], fusion)


def check_powers(fusion, powers: dict, num_nodes: int | None) -> bool:
    """Whether the powers given to ``fusion`` (a
    :class:`~pyg_fusion.nn.LEGOFusion`) are sparse, each source's checked
    against its :math:`P` and against the dtype and device of the operator
    (else the fusion named the operator ``A``, not the powers)."""
    sparse = check_source_powers(powers, fusion.sources, num_nodes,
                                 num_powers=fusion.num_powers)
    for s in fusion.sources:
        p = powers[s][1] if sparse else powers[s]
        if isinstance(p, Tensor):
            check_module_input(f"powers[{s!r}]" + ("[1]" if sparse else ""), p, fusion)
    return sparse
