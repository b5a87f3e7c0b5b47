"""What :class:`~pyg_fusion.nn.LEGOFusion` accepts of its options, alone and
together, and their names: the one list of each choice, which the operator,
the functional API and the run's typed configs
(:mod:`pyg_fusion.specs.components`) read. Imports no torch: a run checks
a LEGO method's options by :func:`check_fusion_options` before torch and
Lightning load (the CLI's ``check``, seconds)."""
from __future__ import annotations

from ._option_rules import check_choice, check_flag, check_int, is_finite_real

# how the sources' supports are fused (sparse graphs)
SUPPORTS = ("union", "intersection", "shared")
# the operator's forms: one A per source pair, the M-way CP form, one A over all sources
MODES = ("pairwise", "cp", "full")
# the zeroth power: R^0 = I (the paper) or the Hadamard identity (ones on the support)
ZEROTH = ("identity", "ones")
# how each term is brought to the product term's scale (none: the paper)
TERM_SCALES = ("none", "mean", "rms")
# the pairs fused in training: a random one per step (the paper), or all of them
PAIRS = ("sample", "all")
# the operator's starts: the graph product, or the mean of the graphs
STARTS = ("product", "mean")


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
    check_choice("pairs", pairs, PAIRS)
    check_choice("support", support, SUPPORTS)
    check_choice("zeroth", zeroth, ZEROTH)
    check_choice("init", init, STARTS)
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
