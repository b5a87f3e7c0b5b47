"""Argument checks shared by the functional API: each raises an error that
names the argument and says what was expected."""
from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import Tensor
from torch_geometric import EdgeIndex
from torch_geometric.typing import SparseTensor

# defined where the torch-free settings rules (the CLI's start-up) read them
from .._option_rules import check_choice, check_flag, check_int, is_int, is_real  # noqa: F401
from ._autocast import autocast_mix


def check_tensor(name: str, x, *, dims: tuple[int, ...] | None = None,
                 floating: bool = False, finite: bool = False,
                 max_abs: float | None = None) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if dims is not None and x.dim() not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} "
                         f"dimensions, got shape {tuple(x.shape)}")
    if floating and not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {x.dtype}")
    if finite and x.is_floating_point():
        check_finite(name, x, max_abs)
    return x


def check_finite(name: str, x: Tensor, max_abs: float | None = None) -> Tensor:
    """NaN / Inf in a floating tensor is an error naming ``name``, and so
    is a value of magnitude above ``max_abs`` (e.g. where squares overflow)."""
    if x.numel() == 0:
        return x
    # The smallest and largest values are finite iff every value is (both
    # propagate NaN): one pass and no temporary of x's size, where
    # torch.isfinite(x) makes a few (measured 12-30x slower on 4M-80M
    # values, one CPU thread).
    lo, hi = torch.aminmax(x.detach())  # torch 2.3-2.5 dynamo cannot stack the namedtuple
    extremes = torch.stack((lo, hi))
    if torch.compiler.is_compiling():
        # A Python branch on the data cannot be traced: under torch.compile
        # the check runs inside the graph and fails with a RuntimeError
        # carrying the same message (without the count).
        ok = torch.isfinite(extremes).all()
        if max_abs is not None:
            ok = ok & (extremes.abs().amax() <= max_abs)
        torch._assert_async(ok, f"{name} contains NaN or Inf value(s)" + (
            "" if max_abs is None else " or values whose squares overflow"))
    else:
        # one host synchronisation: NaN and Inf propagate to the largest magnitude
        try:
            top = float(extremes.abs().amax())
        except RuntimeError:
            if not _under_vmap():
                raise
            # torch's own error ("calling .item() on a Tensor") named no
            # argument and no way round it
            raise RuntimeError(
                f"{name} is checked for NaN and Inf on the host, which torch.func.vmap "
                f"cannot do for the tensors it maps over: pass the samples as one batch "
                f"instead (LEGO and the functional graphs take [B, N, d] with a mask, or "
                f"PyG's batch vector), or call it once per sample") from None
        if not math.isfinite(top):
            bad = int((~torch.isfinite(x)).sum())
            raise ValueError(f"{name} contains {bad} NaN or Inf value(s)")
        if max_abs is not None and top > max_abs:
            raise ValueError(f"{name} holds values up to {top:.3g} in magnitude, beyond "
                             f"{max_abs:.3g}, where the squared norms of its rows overflow "
                             f"{x.dtype}: scale the features (e.g. standardise them)")
    return x


def _under_vmap() -> bool:
    # torch.func has no public test of a transform being active
    stack = getattr(torch._C._functorch, "get_interpreter_stack", None)
    vmap = getattr(getattr(torch._C._functorch, "TransformType", None), "Vmap", None)
    return stack is not None and vmap is not None and \
        any(level.key() == vmap for level in stack() or ())


def same_tensors(kept: list[Tensor], tensors: list[Tensor]) -> bool:
    """Whether ``tensors`` equal ``kept`` (copies a cache keeps) in shape,
    dtype, device and every value: the one key of the caches of fixed
    inputs, since a write through ``.numpy()`` changes no tensor version and
    a freed tensor's address is reused by the next one."""
    return len(kept) == len(tensors) and all(
        k.shape == t.shape and k.dtype == t.dtype and k.device == t.device
        and torch.equal(k, t) for k, t in zip(kept, tensors))


def check_dropout(name: str, value) -> float:
    """A dropout rate, a number in ``[0, 1)``, checked when a layer is built
    (torch's own check comes at the first forward, after the data is loaded)."""
    if not is_real(value) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return value


def check_names(name: str, value) -> list[str]:
    """``value`` as a list of names (strings): a single string is an error, as
    ``list("depth")`` would be five one-letter names."""
    if isinstance(value, str):
        raise TypeError(f"{name} must be a sequence of names, got the string {value!r}: "
                        f"pass [{value!r}]" + (f" or {value.split(',')!r}" if "," in value
                                               else ""))
    names = list(value)
    bad = [v for v in names if not isinstance(v, str)]
    if bad:
        raise TypeError(f"{name} must hold names (strings), got {bad[0]!r}")
    return names


def check_sources(name: str, xs, sources, *, shape: str = "[N, d]", some: bool = False,
                  alt: str = "") -> Mapping:
    """``xs`` a dict ``{source: features}`` holding exactly ``sources`` (with
    ``some=True``, a non-empty part of them): a source left out failed later
    on its key, and an extra one was left out of the fusion without a word.
    ``shape`` names the features' shape in the error, ``alt`` another form
    the caller takes (e.g. ``" or a Data"``).

    Args:
        name (str): the argument's name in the errors.
        xs (Mapping): the features (or other values) by source.
        sources (List[str]): the sources the model was built for.
        shape (str, optional): the shape of a value, for the message.
        some (bool, optional): take a non-empty part of ``sources``.
        alt (str, optional): another form the caller takes, for the message.
    """
    sources = list(sources)
    if not isinstance(xs, Mapping):
        raise TypeError(f"{name} must be a dict {{source: {shape}}} of the sources "
                        f"{sources}{alt}, got {type(xs).__name__}")
    missing = [] if some else [s for s in sources if s not in xs]
    extra = [s for s in xs if s not in sources]
    if missing or extra or not xs:
        raise ValueError(f"{name} must hold {'some of' if some else 'exactly'} the sources "
                         f"{sources}, got {sorted(xs, key=str)}"
                         + f"; it lacks {missing}" * bool(missing)
                         + f"; the model was not built for {extra}" * bool(extra))
    return xs


def check_edge_index(name: str, edge_index: Tensor, num_nodes: int) -> Tensor:
    edge_index = check_edge_list(name, edge_index)
    _check_range(name, edge_index, num_nodes, "node indices")
    return edge_index


# the index dtypes PyG's MessagePassing takes (int32 from torch.sparse's CSR,
# cuGraph, EdgeIndex(dtype=torch.int32)); the library computes in torch.long
INDEX_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def check_edge_list(name: str, edge_index) -> Tensor:
    """A ``[2, E]`` integer edge list, its node indices unchecked; returned
    as a plain torch.long tensor (widened from another integer dtype, see
    below), which callers go on with."""
    sparse = isinstance(edge_index, SparseTensor) or (
        isinstance(edge_index, Tensor) and edge_index.layout != torch.strided)
    if sparse:
        # read as [2, E], a [N, N] adjacency failed on its shape (or inside
        # an operator without a sparse kernel) without saying why
        layout = "SparseTensor" if isinstance(edge_index, SparseTensor) else edge_index.layout
        raise TypeError(f"{name} must be a [2, E] torch.long edge list, got a sparse adjacency "
                        f"({layout}), which is not taken here: "
                        f"torch_geometric.utils.to_edge_index(adj_t) gives an adj_t's edges as "
                        f"rows (target, source); flip(0) them into an edge_index")
    check_tensor(name, edge_index, dims=(2, ))
    if edge_index.size(0) != 2:
        raise ValueError(f"{name} must have shape [2, E], got {tuple(edge_index.shape)}")
    if edge_index.dtype not in INDEX_DTYPES:
        raise TypeError(f"{name} must be torch.long (or another integer dtype, which is "
                        f"widened), got {edge_index.dtype}" + " (a float tensor of node "
                        f"indices: pass {name}.long())" * edge_index.is_floating_point())
    if isinstance(edge_index, EdgeIndex):
        # which PyG's layers take: its own ops failed inside the library
        # (PyG's coalesce of one: "'Tensor' object has no attribute
        # 'dim_size'"); as_tensor() gives the edge list it wraps (no copy)
        edge_index = edge_index.as_tensor()
    # torch's scatters and index_put take long indices only: another integer
    # dtype is widened (one copy of [2, E]), as PyG's layers take it
    return edge_index if edge_index.dtype == torch.long else edge_index.long()


def check_edges(edge_index: Tensor, edge_weight: Tensor, num_nodes: int, *,
                weight_dims: tuple[int, ...] = (1, ), floating: bool = True) -> Tensor:
    """A weighted edge list: ``edge_index`` ``[2, E]`` long within ``[0,
    num_nodes)`` and ``edge_weight`` with one finite entry (row, for
    ``weight_dims=(1, 2)``) per edge; returns ``edge_index`` as
    :func:`check_edge_list` does."""
    edge_index = check_edge_index("edge_index", edge_index, num_nodes)
    check_edge_weight(edge_weight, edge_index, dims=weight_dims, floating=floating, finite=True)
    return edge_index


def check_edge_weight(edge_weight, edge_index: Tensor, *, dims: tuple[int, ...] = (1, ),
                      floating: bool = False, finite: bool = False) -> Tensor:
    """``edge_weight`` with one entry (row, for ``dims=(1, 2)``) per edge of
    the checked ``edge_index``, on its device; floating and finite where
    asked."""
    check_tensor("edge_weight", edge_weight, dims=dims)
    check_like("edge_weight", edge_weight, "edge_index", edge_index, dtype=False)
    if edge_weight.size(0) != edge_index.size(1):
        raise ValueError(f"edge_weight must have one entry per edge "
                         f"({edge_index.size(1)}), got {edge_weight.size(0)}")
    # the values last: a pass over them, after the checks that read none
    return check_tensor("edge_weight", edge_weight, floating=floating, finite=finite)


def _check_range(name: str, index: Tensor, size: int, what: str) -> None:
    if index.numel():
        lo, hi = torch.aminmax(index)  # one pass
        if torch.compiler.is_compiling():
            # in the graph, as check_finite does: with a graph break here
            # (int() of the extremes, or an f-string message) torch 2.13's
            # dynamo failed a later check_tensor of the callers on valid
            # input (dynamic shapes); the message is concatenated for that
            torch._assert_async((lo >= 0) & (hi < size), name + " holds " + what +
                                " outside [0, number of nodes)")
            return
        lo, hi = int(lo), int(hi)
        if lo < 0 and size == torch.iinfo(torch.long).max:  # no upper bound to name
            raise ValueError(f"{name} holds negative {what} (min {lo}); expected {what} >= 0")
        if lo < 0 or hi >= size:
            raise ValueError(f"{name} holds {what} outside [0, {size}) (min {lo}, max {hi})")


def check_batch_shape(name: str, batch, num_nodes: int, unit: str = "node",
                      ref: tuple[str, Tensor] | None = None) -> Tensor:
    """The part of :func:`check_batch` that reads no values (no pass, no
    host sync): ``[N]`` torch.long, on the device of ``ref`` = ``(name,
    tensor)`` where given (a batch on another device failed in a torch op
    naming neither)."""
    check_tensor(name, batch, dims=(1, ))
    if ref is not None and isinstance(ref[1], Tensor):  # a non-tensor: its own check
        check_like(name, batch, *ref, dtype=False)
    if batch.dtype != torch.long:
        raise TypeError(f"{name} must be torch.long (graph ids), got {batch.dtype}")
    if torch.compiler.is_compiling():
        # in the graph, as _check_range: a guard equating num_nodes with
        # the batch's length (dynamic shapes) renamed the size of an
        # in-graph range check to the batch's, which torch 2.13's inductor
        # did not bind where the batch went unread (NameError: name 's2'
        # is not defined)
        length = torch.scalar_tensor(batch.numel(), dtype=torch.long, device=batch.device)
        torch._assert_async(length == num_nodes, name + " must have one entry per " + unit)
    elif batch.numel() != num_nodes:
        raise ValueError(f"{name} must have one entry per {unit} ({num_nodes}), "
                         f"got {batch.numel()}")
    return batch


def check_batch(name: str, batch, num_nodes: int, unit: str = "node",
                ref: tuple[str, Tensor] | None = None) -> Tensor:
    """A PyG ``batch`` vector: ``[N]`` long, graph ids ``>= 0``, sorted (the
    nodes of one graph contiguous, graphs in order), on the device of
    ``ref`` where given (:func:`check_batch_shape`). Every op that takes a
    ``batch`` follows this one rule: an unsorted vector is an error, never a
    silently different answer."""
    check_batch_shape(name, batch, num_nodes, unit, ref)
    if batch.numel() and torch.compiler.is_compiling():
        # in the graph, as _check_range (no graph break)
        torch._assert_async(batch.min() >= 0, name + " holds negative graph ids")
        torch._assert_async((batch[1:] >= batch[:-1]).all(), name + " must be sorted "
                            "(PyG's convention: the nodes of a graph contiguous, graphs "
                            "in order)")
    elif batch.numel():
        low = int(batch.min())
        if low < 0:
            raise ValueError(f"{name} holds negative graph ids (min {low}); expected "
                             "ids >= 0")
        down = (batch[1:] < batch[:-1]).nonzero()
        if down.numel():
            i = int(down[0, 0]) + 1
            raise ValueError(f"{name} must be sorted (PyG's convention: the nodes of "
                             f"a graph contiguous, graphs in order); entry {i} is "
                             f"{int(batch[i])} after {int(batch[i - 1])}")
    return batch


def check_like(name: str, x: Tensor, ref_name: str, ref: Tensor, *,
               dtype: bool = True) -> Tensor:
    """``x`` on the device of ``ref`` and, when both are floating, of its
    dtype: torch's own messages for a mix name neither argument. Under
    :class:`torch.autocast` the mix it makes (float32 and its 16-bit dtype)
    is accepted (see :mod:`._autocast`)."""
    if x.device != ref.device:
        raise ValueError(f"{name} is on {x.device} but {ref_name} on {ref.device}; "
                         "move them to one device")
    if dtype and x.is_floating_point() and ref.is_floating_point() and \
            x.dtype != ref.dtype and not autocast_mix(x, ref):
        raise TypeError(f"{name} is {x.dtype} but {ref_name} is {ref.dtype}; "
                        "expected one floating dtype")
    return x


def check_module_input(name: str, x: Tensor, module: torch.nn.Module) -> Tensor:
    """``x`` of the dtype and on the device of ``module``'s parameters:
    torch's own message for a mix names a weight matrix, not the input.
    Under :class:`torch.autocast` the mix it makes (float32 and its 16-bit
    dtype) is accepted: autocast casts the operands of the layers."""
    param = next(module.parameters(), None)
    if param is not None and (x.device != param.device or (
            x.dtype != param.dtype and not autocast_mix(x, param))):
        raise TypeError(f"{name} is {x.dtype} on {x.device} but the model's parameters are "
                        f"{param.dtype} on {param.device}; move one to the other "
                        f"(model.to(x) or x.to({str(param.device)!r}, {param.dtype}))")
    return x


def check_index(name: str, index, size: int, what: str = "indices") -> Tensor:
    """``[n]`` long ``index`` with every value in ``[0, size)`` (class labels,
    parent assignments)."""
    check_tensor(name, index, dims=(1, ))
    if index.dtype != torch.long:
        # an int32 index (torch.sparse's CSR col_indices()) is refused here,
        # where an edge_index is widened: these callers go on with the
        # argument they were given, not with a returned copy
        raise TypeError(f"{name} must be torch.long ({what}), got {index.dtype}" +
                        " (convert it with .long())" * (index.dtype in INDEX_DTYPES))
    _check_range(name, index, size, what)
    return index


def check_mask(name: str, mask, shape: tuple[int, ...], ref_name: str | None = None,
               ref: Tensor | None = None) -> Tensor:
    """A bool ``mask`` of ``shape`` (on the device of ``ref``, where given)."""
    check_tensor(name, mask)
    if ref is not None:
        check_like(name, mask, ref_name, ref, dtype=False)
    if mask.dtype != torch.bool:
        raise TypeError(f"{name} must be a bool tensor, got {mask.dtype}")
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {list(shape)}, got {list(mask.shape)}")
    return mask


def check_channels(name: str, x, channels: int, *, dims: tuple[int, ...],
                   dim: int = 1, what: str = "in_channels") -> Tensor:
    """``x`` with ``dims`` dimensions and width ``channels`` along ``dim``:
    the layer's own error would name a weight, not the input."""
    check_tensor(name, x, dims=dims, floating=True)
    if x.size(dim) != channels:
        raise ValueError(f"{name} has {channel_count(x.size(dim))} (shape {tuple(x.shape)}), "
                         f"the layer expects {what} = {channels}")
    return x


def channel_count(c: int) -> str:
    """``"1 channel"``, ``"3 channels"``: the one spelling of the messages."""
    return f"{c} channel{'s' if c != 1 else ''}"
