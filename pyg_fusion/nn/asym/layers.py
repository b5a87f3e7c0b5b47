"""The per-modality layers: one shared module applied to every modality
(:class:`ModalityParallel`) and one private normalisation per modality
(:class:`ModalityNorm`, AsymFusion's private BatchNorm).

AsymFusion (Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009,
docs/methods.md §2.1) runs every modality through the same convolutions and
gives each modality only its own BatchNorm. Layers here take a list of
per-modality tensors ``[x_0, ..., x_{M-1}]``.
"""
from __future__ import annotations

import copy
import threading
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..._option_rules import check_rule, is_finite_real, is_real
from ...functional._checks import (check_channels, check_choice, check_flag, check_int,
                                   check_module_input)
from .._reset import reset_module

__all__ = ["ModalityParallel", "ModalityNorm", "ModalityBatchNorm2d", "ModalityNorm2d",
           "norm_factory"]


# The modality each ModalityNorm (by id) serves in this thread, set by
# SharedModalityNetwork.modality (its attribute `chosen`): the layers' attribute
# `active`, changed there before, was the other threads' too, and two threads
# running one shared model (a server's requests) normalised with each other's
# modality's layers, without a word. A thread-local, not a ContextVar: torch.compile
# traces and guards it, so a model compiled alone and called in the context of
# another modality is traced again, not run with the modality it was traced in
_ACTIVE = threading.local()


def _empty_instance_norm(layer: nn.InstanceNorm2d, x: Tensor) -> Tensor:
    """``layer`` on an empty batch ``x``: torch's instance norm raised 'IndexError:
    select(): index 0 out of range' (a batch norm returns it empty). No image, no
    statistic; the affine keeps the parameters in the graph (zero gradients, as a
    batch norm's)."""
    return x if layer.weight is None else \
        x * layer.weight.view(-1, 1, 1) + layer.bias.view(-1, 1, 1)


def _as_list(name: str, xs) -> list[Tensor]:
    if isinstance(xs, Tensor) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"{name} must be a list of per-modality tensors, got "
                        f"{type(xs).__name__}")
    return list(xs)


def modality_list(xs, num_modalities: int, name: str = "xs") -> list[Tensor]:
    """``xs`` as a list of ``num_modalities`` per-modality tensors, else the
    error every multi-modal layer of this package gives."""
    xs = _as_list(name, xs)
    if len(xs) != num_modalities:
        raise ValueError(f"expected {num_modalities} modality tensors, got {len(xs)}")
    return xs


class ModalityParallel(nn.Module):
    r"""Applies one shared module to each modality's tensor:
    :math:`[f(x_0), \dots, f(x_{M-1})]` with the same parameters for all.

    Args:
        module (nn.Module): the shared module (a convolution, pooling, a whole decoder).

    Shapes:
        input: list of ``M`` tensors accepted by ``module``;
        output: list of ``M`` outputs.
    """

    def __init__(self, module: nn.Module):
        super().__init__()
        if not isinstance(module, nn.Module):
            raise TypeError(f"module must be a torch.nn.Module, got "
                            f"{type(module).__name__}")
        self.module = module

    def reset_parameters(self) -> None:
        # through the children of a module without reset_parameters (a
        # Sequential): none keeps its weights
        reset_module(self.module)

    def forward(self, xs: Sequence[Tensor]) -> list[Tensor]:
        return [self.module(x) for x in _as_list("xs", xs)]

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.module})"


# The kinds of normalisation a modality can own, by the input's number of
# dimensions (4: images [B, C, H, W]; 2: node features [N, C] (batch norm: or
# sequences [N, C, L], as BatchNorm1d takes); 5: volumes [B, C, D, H, W]).
_KINDS = {
    "batch": {2: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d},
    # Affine instance norm: without a learnable scale / shift an instance norm
    # has nothing a modality could own (pix2pix's default is affine=False).
    "instance": {4: lambda c, **kw: nn.InstanceNorm2d(c, affine=True, **kw)},
    "layer": {2: lambda c, **kw: nn.LayerNorm(c, eps=kw.get("eps", 1e-5))},
    "none": {d: lambda c, **kw: nn.Identity() for d in (2, 4, 5)},
}


# The BatchNorms that share_across_modalities makes private, by input_dim.
_BATCH_NORMS = {nn.BatchNorm1d: 2, nn.BatchNorm2d: 4, nn.BatchNorm3d: 5}
# Every batch norm, as torch's public classes name them (their common base,
# nn.modules.batchnorm._BatchNorm, is private to torch); the lazy ones become
# BatchNorm1d/2d/3d at their first call.
_ANY_BATCH_NORM = (*_BATCH_NORMS, nn.SyncBatchNorm, nn.LazyBatchNorm1d, nn.LazyBatchNorm2d,
                   nn.LazyBatchNorm3d)


def norm_factory(norm: str | Callable[[int], nn.Module], input_dim: int = 4, *,
                 eps: float = 1e-5, momentum: float = 0.1) -> Callable[[int], nn.Module]:
    """The builder ``C -> nn.Module`` of one modality's layer of kind ``norm``
    (a name of :class:`ModalityNorm` or a callable, returned as it is).

    Args:
        norm (str or callable): ``"batch"``, ``"instance"`` (affine; images
            only), ``"layer"`` (node features only) or ``"none"``, or a
            builder ``C -> nn.Module``.
        input_dim (int, optional): the inputs' dimensions: 4 for images
            ``[B, C, H, W]``, 2 for node features ``[N, C]``, 5 for volumes.
            (default: :obj:`4`)
        eps (float, optional): added to the variance, a finite number > 0 (not read
            with a callable ``norm``: give it to the callable). (default: :obj:`1e-5`)
        momentum (float, optional): the running statistics' momentum (batch
            normalisation), in ``[0, 1]`` or :obj:`None` (a cumulative average; not read
            with a callable ``norm``). (default: :obj:`0.1`)
    """
    if callable(norm):
        # the callable builds its own layers: another eps or momentum was kept by none
        unread = [f"{n}={v!r}" for n, v, d in (("eps", eps, 1e-5), ("momentum", momentum, 0.1))
                  if not (is_real(v) and v == d)]
        if unread:
            raise ValueError(f"{', '.join(unread)}: not read with a callable norm, which builds "
                             f"its own layers; give {'it' if len(unread) == 1 else 'them'} to "
                             f"the callable (e.g. lambda c: nn.BatchNorm2d(c, eps=1e-3))")
        return norm
    # torch takes any: eps=-1e-5 normalised a constant channel (a dead ReLU's zeros) to
    # NaN, momentum=2 swung the running statistics past every batch, a string failed at
    # the first forward
    check_rule("eps", "positive_float", eps)
    if momentum is not None and not (is_finite_real(momentum) and 0 <= momentum <= 1):
        raise ValueError(f"momentum must be None (a cumulative average) or a number in "
                         f"[0, 1], got {momentum!r}")
    kinds = [k for k, by_dim in _KINDS.items() if input_dim in by_dim]
    check_choice("norm", norm, tuple(kinds))
    make = _KINDS[norm][input_dim]
    if norm == "batch":
        return lambda c: make(c, eps=eps, momentum=momentum)
    return lambda c: make(c, eps=eps)


class ModalityNorm(nn.Module):
    r"""One private normalisation layer per modality:
    :math:`y_m = \mathrm{norm}_m(x_m)`, e.g. for batch norm

    .. math::
        y_m = \gamma_m \frac{x_m - \mu_m}{\sqrt{\sigma_m^2 + \epsilon}} + \beta_m

    The one per-modality normalisation of the library: AsymFusion's private
    BatchNorm (``ModalityBatchNorm2d`` is this class), the translation
    generator's norms (``ModalityNorm2d`` is this class too) and
    :class:`~pyg_fusion.nn.asym.AsymGraphFusion`'s norms on node features
    (``input_dim=2``).

    Called with a list ``[x_0, ..., x_{M-1}]`` it normalises ``x_m`` with the
    layer of modality ``m``. Called with a single tensor it uses the layer of
    the modality that :meth:`SharedModalityNetwork.modality` selects in the
    calling thread, which lets an unchanged CNN ``forward`` run in the shared
    form; in a thread that chose none, a layer of a shared network (``M > 1``)
    raises a :class:`RuntimeError` (which modality is meant is not known), a
    layer of one's own uses the :attr:`active` modality, ``0``.

    ``frozen_stats=True`` (batch norm only) is what the released code does with
    ImageNet weights: the running statistics are never updated and always used
    (also in training), and only the private affine scale / shift learn.
    ``frozen_stats=False`` (default) keeps private batch statistics, which is
    what training from scratch needs. **[choice]** (docs/methods.md §2.1):
    both are offered; the default is this library's, not the paper's.

    Args:
        num_features (int): channels ``C``.
        num_modalities (int, optional): ``M``. (default: ``2``)
        norm (str or callable, optional): ``"batch"``, ``"instance"`` (affine;
            images only), ``"layer"`` (node features only), ``"none"``, or a
            callable ``C -> nn.Module``. (default: ``"batch"``)
        frozen_stats (bool, optional): freeze running statistics (see above).
            (default: ``False``)
        eps (float, optional): as in :class:`~torch.nn.BatchNorm2d`, a finite number
            > 0 (see :func:`norm_factory`). (default: ``1e-5``)
        momentum (float, optional): as in :class:`~torch.nn.BatchNorm2d`, in ``[0, 1]``
            or :obj:`None` (see :func:`norm_factory`). (default: ``0.1``)
        input_dim (int, optional): dimensions of each input, ``4`` for images
            ``[B, C, H, W]``, ``2`` for node features ``[N, C]`` (batch norm: or
            ``[N, C, L]``, as :class:`~torch.nn.BatchNorm1d` takes), ``5`` for
            volumes ``[B, C, D, H, W]`` (batch norm). (default: ``4``)

    Shapes:
        input: list of ``M`` tensors ``[B, C, H, W]`` (or ``[N, C]``), or one
        tensor; output: the same.
    """

    def __init__(self, num_features: int, num_modalities: int = 2,
                 norm: str | Callable[[int], nn.Module] = "batch", *,
                 frozen_stats: bool = False, eps: float = 1e-5, momentum: float = 0.1,
                 input_dim: int = 4):
        super().__init__()
        check_int("num_features", num_features, minimum=1)
        check_int("num_modalities", num_modalities, minimum=1)
        check_choice("input_dim", input_dim, (2, 4, 5))
        make = norm_factory(norm, input_dim, eps=eps, momentum=momentum)
        check_flag("frozen_stats", frozen_stats)  # "False" froze the statistics
        if frozen_stats and norm != "batch":
            raise ValueError(f"frozen_stats=True needs norm='batch', got {norm!r}")
        self.num_features = num_features
        self.num_modalities = num_modalities
        self.norm = norm if isinstance(norm, str) else getattr(norm, "__name__", "custom")
        self.frozen_stats = bool(frozen_stats)
        self.input_dim = input_dim
        self.active = 0
        self.norms = nn.ModuleList(make(num_features) for _ in range(num_modalities))

    def reset_parameters(self) -> None:
        # a callable norm may build a container without reset_parameters
        for n in self.norms:
            reset_module(n)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Checkpoints of ModalityBatchNorm2d before it became this class name
        # the private layers "bns"; they load unchanged.
        old = prefix + "bns."
        for key in [k for k in state_dict if k.startswith(old)]:
            state_dict[prefix + "norms." + key[len(old):]] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _norm(self, layer: nn.Module, x: Tensor) -> Tensor:
        if x.numel() == 0 and isinstance(layer, nn.InstanceNorm2d):
            return _empty_instance_norm(layer, x)
        if not self.frozen_stats:
            return layer(x)
        return F.batch_norm(x, layer.running_mean, layer.running_var, layer.weight,
                            layer.bias, False, 0.0, layer.eps)

    def _unchosen(self) -> None:
        # A private norm of a shared network called on one tensor in a thread that chose
        # no modality: which modality's layers to use is not known. It ran modality 0's
        # before, or was refused while another thread held modality() open, as timing
        # had it; the choice is each thread's (see _ACTIVE), so a worker thread (a thread
        # pool) or a checkpoint's recomputation in the backward pass chose none
        # torch has no public test of a running backward pass (torch.utils.checkpoint
        # reads the same private id); where a release lacks it, the first message
        task_id = getattr(torch._C, "_current_graph_task_id", None)
        if torch.compiler.is_compiling() or task_id is None or task_id() == -1:
            raise RuntimeError(
                "a private norm of a shared network (share_across_modalities) was called "
                "on one tensor in a thread that chose no modality: call the shared network "
                "on the list of modalities (shared([x_0, ...])), or the wrapped model inside "
                "'with shared.modality(i):' entered in the thread that calls it (a worker "
                "thread does not inherit it; nn.DataParallel's replicas do)")
        raise RuntimeError(
            "a private norm of a shared network (share_across_modalities) ran in a "
            "backward pass outside SharedModalityNetwork.modality(): activation "
            "checkpointing (torch.utils.checkpoint) inside the shared network recomputes "
            "it with no modality chosen; checkpoint the whole shared network's call "
            "instead, checkpoint(shared, xs, use_reentrant=False)")

    def _replicate_for_data_parallel(self):
        # nn.DataParallel replicates the model in the calling thread, at each call, and
        # runs each replica (a new layer, of another id) in a worker thread: the replica
        # keeps the modality chosen for this layer where it was replicated
        replica = super()._replicate_for_data_parallel()
        chosen = getattr(_ACTIVE, "chosen", None) or {}
        replica._replicated_in = chosen.get(id(self))
        return replica

    def forward(self, xs):
        dims = (2, 3) if (self.input_dim, self.norm) == (2, "batch") else (self.input_dim, )
        if isinstance(xs, Tensor):
            check_channels("x", xs, self.num_features, dims=dims, what="num_features")
            check_module_input("x", xs, self)
            chosen = getattr(_ACTIVE, "chosen", None)
            index = chosen.get(id(self)) if chosen is not None else None
            if index is None:
                index = getattr(self, "_replicated_in", None)
            if index is None:
                if getattr(self, "_shared_form", False) and self.num_modalities > 1:
                    self._unchosen()
                index = self.active
            return self._norm(self.norms[index], xs)
        xs = modality_list(xs, self.num_modalities)
        for i, x in enumerate(xs):
            check_channels(f"xs[{i}]", x, self.num_features, dims=dims,
                           what="num_features")
            # torch's own error for another dtype: "mixed dtype (CPU)"
            check_module_input(f"xs[{i}]", x, self)
        return [self._norm(n, x) for n, x in zip(self.norms, xs)]

    @classmethod
    def from_batchnorm(cls, bn: nn.BatchNorm1d | nn.BatchNorm2d | nn.BatchNorm3d,
                       num_modalities: int, *,
                       frozen_stats: bool = False) -> "ModalityNorm":
        """Copies ``bn`` into every modality: its parameters, running
        statistics and options (``momentum=None``'s cumulative average,
        ``affine=False``, ``track_running_stats=False`` included; frozen
        statistics need running ones)."""
        dims = [d for kind, d in _BATCH_NORMS.items() if isinstance(bn, kind)]
        if not dims:
            raise TypeError(f"bn must be a BatchNorm1d, BatchNorm2d or BatchNorm3d, got "
                            f"{type(bn).__name__}")
        check_flag("frozen_stats", frozen_stats)
        if frozen_stats and not bn.track_running_stats:
            raise ValueError(f"frozen_stats=True normalises with the running statistics, "
                             f"but {bn} keeps none (track_running_stats=False)")
        # its layers are copies of bn, eps and momentum included (torch's, even eps=0)
        out = cls(bn.num_features, num_modalities, frozen_stats=frozen_stats, input_dim=dims[0])
        out.norms = nn.ModuleList(copy.deepcopy(bn) for _ in range(num_modalities))
        return out

    def __repr__(self) -> str:
        # eps and momentum as the layers hold them (from_batchnorm copies a BN's own)
        first = self.norms[0]
        kept = "".join(f", {k}={getattr(first, k)}" for k in ("eps", "momentum")
                       if hasattr(first, k))
        if isinstance(first, tuple(_BATCH_NORMS)):
            # a copied BN's switches (from_batchnorm): without them a network of
            # affine=False BNs printed as one of affine BNs
            kept += "".join(f", {k}=False" for k in ("affine", "track_running_stats")
                            if not getattr(first, k))
        return (f"{self.__class__.__name__}({self.num_features}, "
                f"num_modalities={self.num_modalities}, norm={self.norm!r}, "
                f"frozen_stats={self.frozen_stats}{kept}, input_dim={self.input_dim})")


# The names under which the two image forms were published.
ModalityBatchNorm2d = ModalityNorm
ModalityNorm2d = ModalityNorm
