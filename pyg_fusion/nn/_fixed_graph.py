from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Callable

import torch
from torch import Tensor

from ..functional._checks import same_tensors

# what _kept_rows keeps per module: the bytes of the graphs' tensors (a graph
# larger than it is not kept), and the graphs (each has a digest, dicts and
# tensor headers besides its tensors: many tiny graphs); beyond either, those
# used least recently go
KEPT_BYTES = 256 * 2**20
KEPT_ROWS = 4096


class FixedGraphCache:
    """The kept graph of a head that trains on one fixed graph
    (:class:`GraphHead`, :class:`LabelPropagationHead`): each step passes the
    same edge tensors, whose preparation (normalisation, symmetrising) sorts
    all E edges again (PyG's coalesce). The last graph's prepared value is
    kept (one per module) while its edges come back equal to a copy
    (:func:`same_tensors`: a write through ``.numpy()`` changes no tensor
    version, and a freed tensor's address is reused by the next one); the
    comparison is one pass over E, the sort it saves O(E log E). Learned
    weights, inference tensors, torch.compile and torch.func prepare the
    graph at every call (learned weights of kept edges: in their kept order,
    :class:`LabelPropagationHead`). A pickle or copy of the module (``torch.save`` of
    it, ``deepcopy``) starts without the kept graph.

    :meth:`_kept_rows` keeps what a module makes of each graph of a padded
    batch alone (:class:`LEGO`'s graphs and powers of fixed features), found
    by the graph's content in whatever batch it comes back (shuffled
    batches of the same videos)."""

    def _kept_graph(self, key: tuple, tensors: list[Tensor], make: Callable[[], object],
                    inputs: tuple[Tensor, ...] = ()):
        """``make()``, kept for ``key`` and the content of ``tensors`` (the
        edges); ``inputs`` are the call's other tensors (an inference tensor
        among them is not kept)."""
        if (torch.compiler.is_compiling() or any(t.requires_grad for t in tensors)
                or any(t.is_inference() for t in (*inputs, *tensors))
                or torch.is_inference_mode_enabled()
                or torch._C._are_functorch_transforms_active()):
            return make()
        cached = self.__dict__.get("_fixed_graph")
        if cached is not None and cached[0] == key and same_tensors(cached[1], tensors):
            return cached[2]
        value = make()
        self.__dict__["_fixed_graph"] = (key, [t.detach().clone() for t in tensors], value)
        return value

    def _kept_rows(self, key: tuple, tensors: list[Tensor]) -> list[dict] | None:
        """One dict per graph of a padded batch, row ``b`` of each of
        ``tensors`` (``[B, ...]``: its features, its mask), which the caller
        fills (:meth:`_keep_row`) with what it makes of that graph alone and
        finds again for ``key`` and the same content (a 128-bit BLAKE2 digest
        of the rows' bytes, dtypes and shapes in the key) in any later batch.
        :obj:`None` (nothing kept) for tensors that require grad (features of
        trained layers), off the CPU (the digest would read them back to the
        host), under torch.compile and torch.func; graphs seen in inference
        mode are kept apart (inference tensors serve inference mode only)."""
        if (torch.compiler.is_compiling() or torch._C._are_functorch_transforms_active()
                or any(t.requires_grad or t.device.type != "cpu" or t.numel() == 0
                       for t in tensors)):
            return None
        key = (key, torch.is_inference_mode_enabled(),
               tuple((t.dtype, tuple(t.shape[1:])) for t in tensors))
        rows = [t.detach().contiguous().view(t.size(0), -1).view(torch.uint8).numpy()
                for t in tensors]
        kept = self.__dict__.setdefault("_kept_rows_store", _Store())
        out = []
        for b in range(tensors[0].size(0)):
            digest = hashlib.blake2b(digest_size=16)
            for r in rows:
                digest.update(r[b])
            found = (key, digest.digest())
            if found in kept:
                kept.move_to_end(found)
            else:
                kept[found] = _Row(found)
            out.append(kept[found])
        kept.fit()
        return out

    def _keep_row(self, row: dict, values: dict) -> None:
        """Copies ``values`` (tensors or other values, by key: they replace
        the row's of the same keys) into ``row`` of :meth:`_kept_rows`,
        counted in the store's bytes: a row that would be larger than
        :data:`KEPT_BYTES` is not kept at all (nor copied), and beyond it
        those used least recently go."""
        kept = self.__dict__.get("_kept_rows_store")
        if kept is None or kept.get(row.key) is not row:
            return  # gone since (a batch of more graphs than the store keeps)
        size = _nbytes({**row, **values})
        if size > KEPT_BYTES:
            kept.nbytes -= kept.pop(row.key).nbytes
            return
        row.update({n: _copy(v) for n, v in values.items()})
        kept.nbytes += size - row.nbytes
        row.nbytes = size
        kept.fit()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_fixed_graph", None)
        state.pop("_kept_rows_store", None)
        return state


class _Row(dict):
    # one graph of _kept_rows: its key in the store, and the bytes of its
    # tensors as last counted (_keep_row)
    __slots__ = ("key", "nbytes")

    def __init__(self, key):
        super().__init__()
        self.key, self.nbytes = key, 0


class _Store(OrderedDict):
    # the graphs of _kept_rows by key, least recently used first, and the
    # bytes of their tensors
    nbytes = 0

    def fit(self):
        while len(self) > KEPT_ROWS or self.nbytes > KEPT_BYTES:
            self.nbytes -= self.popitem(last=False)[1].nbytes


def _nbytes(row: dict) -> int:
    # the bytes of the tensors of a row's values (tensors, flags)
    return sum(v.nbytes for v in row.values() if isinstance(v, Tensor))


def _copy(value):
    # a kept copy of a value: a tensor's own storage of its elements only
    # (a row of a batch would keep the whole batch's)
    if isinstance(value, Tensor):
        return value.detach().clone(memory_format=torch.contiguous_format)
    return value
