"""What :class:`~pyg_fusion.nn.LEGOFusion` accepts: its options and the
powers of each source, checked with errors that name the argument before
any operator is built."""
from __future__ import annotations

import numbers

from torch import Tensor

from .._option_rules import is_finite_real
from ..functional._checks import check_choice, check_flag, check_int, check_module_input
from ..functional.fuse import ZEROTH, check_source_powers
from ..functional.term_scale import TERM_SCALES

SUPPORTS = ("union", "intersection", "shared")
MODES = ("pairwise", "cp", "full")


def check_source_names(name: str, sources) -> None:
    """Source names key module and parameter dicts (a name with ``.`` is no
    module name) and are joined by ``|`` into the pair keys of
    ``LEGOFusion.A``: with ``|`` in them two pairs could share one key, so
    one operator (sources ``a``, ``a|b``, ``b|c``, ``c``: the pairs
    ``(a, b|c)`` and ``(a|b, c)`` were both ``'a|b|c'``)."""
    for s in sources:
        if not isinstance(s, str) or not s or "." in s or "|" in s:
            raise ValueError(f"{name} must name each source by a non-empty string without "
                             f"'.' (a module name) or '|' (it joins the names of a pair), "
                             f"got {s!r}")


def check_fusion_options(sources: list[str], mode: str, rank: int, pairs: str, support: str,
                         zeroth: str, init: str, lambda_anchor: float,
                         term_scale: str, *, shared: bool = False,
                         mode_name: str = "mode") -> None:
    """Refuses :class:`~pyg_fusion.nn.LEGOFusion`'s options that it does not
    define, alone or together (see its docstring). ``mode_name`` is what the
    caller calls the operator's ``mode`` (:class:`~pyg_fusion.nn.LEGO`:
    ``fusion``, its own ``mode`` being the powers')."""
    if not sources:
        raise ValueError("sources must name at least one source")
    check_source_names("sources", sources)
    if len(set(sources)) != len(sources):
        raise ValueError(f"sources must be distinct, got {sources}")
    check_choice(mode_name, mode, MODES)
    check_int("rank", rank, minimum=1)
    check_choice("pairs", pairs, ("sample", "all"))
    check_choice("support", support, SUPPORTS)
    check_choice("zeroth", zeroth, ZEROTH)
    check_choice("init", init, ("product", "mean"))
    check_choice("term_scale", term_scale, TERM_SCALES)
    check_flag("shared", shared)
    # options of another operator would be ignored without a word
    if rank != 1 and mode != "cp":
        raise ValueError(f"rank={rank} is the rank of the CP operator: it needs "
                         f"{mode_name}='cp', got {mode_name}={mode!r}")
    if shared and mode != "pairwise":
        raise ValueError(f"shared=True (one A for every source pair) needs "
                         f"{mode_name}='pairwise', got {mode_name}={mode!r}")
    if mode == "cp" and term_scale != "none":
        raise ValueError(f"term_scale={term_scale!r} needs {mode_name}='pairwise' or 'full' (a "
                         "CP operator is a product of per-source sums, not a weight "
                         "per term)")
    if init == "mean" and (mode == "cp" or zeroth != "ones"):
        raise ValueError(f"init='mean' needs {mode_name}='pairwise' or 'full' and zeroth='ones' "
                         "(with R^0 = I the mean of the graphs is not an operator of the "
                         "form; a rank-R CP operator is a product of M factors)")
    if support == "intersection" and zeroth == "ones":
        # the single-source terms A[p, 0] R_a^p live on one source's support:
        # cut to the intersection they would make the sparse G differ from
        # the dense one, which has no supports (one meaning per backend pair)
        raise ValueError("support='intersection' would drop the single-source terms "
                         "that zeroth='ones' adds (the sparse G would differ from the "
                         "dense one); use support='union' or 'shared'")
    if not (is_finite_real(lambda_anchor) and lambda_anchor >= 0):
        raise ValueError(f"lambda_anchor must be a finite number >= 0, "
                         f"got {lambda_anchor!r}")


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
