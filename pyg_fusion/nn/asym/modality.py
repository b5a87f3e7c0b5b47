"""One network for all modalities: shared modules, private BatchNorm.

AsymFusion (Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009,
docs/methods.md §2.1) runs every modality through the same convolutions and
gives each modality only its own BatchNorm. Layers here take a list of
per-modality tensors ``[x_0, ..., x_{M-1}]``.
"""
from __future__ import annotations

import copy
import re
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from ...functional._checks import check_channels, check_choice, check_int

__all__ = ["ModalityParallel", "ModalityNorm", "ModalityBatchNorm2d", "ModalityNorm2d",
           "norm_factory", "SharedModalityNetwork",
           "share_across_modalities", "bn_affine_parameter_count",
           "expand_state_dict"]


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
        if hasattr(self.module, "reset_parameters"):
            self.module.reset_parameters()

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


def norm_factory(norm: str | Callable[[int], nn.Module], input_dim: int = 4, *,
                 eps: float = 1e-5, momentum: float = 0.1) -> Callable[[int], nn.Module]:
    """The builder ``C -> nn.Module`` of one modality's layer of kind ``norm``
    (a name of :class:`ModalityNorm` or a callable, returned as it is)."""
    if callable(norm):
        return norm
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
    the :attr:`active` modality (set by :class:`SharedModalityNetwork`), which
    lets an unchanged CNN ``forward`` run in the shared form.

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
        eps (float, optional): as in :class:`~torch.nn.BatchNorm2d`.
            (default: ``1e-5``)
        momentum (float, optional): as in :class:`~torch.nn.BatchNorm2d`.
            (default: ``0.1``)
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
        for n in self.norms:
            if hasattr(n, "reset_parameters"):
                n.reset_parameters()

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Checkpoints of ModalityBatchNorm2d before it became this class name
        # the private layers "bns"; they load unchanged.
        old = prefix + "bns."
        for key in [k for k in state_dict if k.startswith(old)]:
            state_dict[prefix + "norms." + key[len(old):]] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _norm(self, layer: nn.Module, x: Tensor) -> Tensor:
        if not self.frozen_stats:
            return layer(x)
        return F.batch_norm(x, layer.running_mean, layer.running_var, layer.weight,
                            layer.bias, False, 0.0, layer.eps)

    def forward(self, xs):
        dims = (2, 3) if (self.input_dim, self.norm) == (2, "batch") else (self.input_dim, )
        if isinstance(xs, Tensor):
            check_channels("x", xs, self.num_features, dims=dims, what="num_features")
            return self._norm(self.norms[self.active], xs)
        xs = modality_list(xs, self.num_modalities)
        for i, x in enumerate(xs):
            check_channels(f"xs[{i}]", x, self.num_features, dims=dims,
                           what="num_features")
        return [self._norm(n, x) for n, x in zip(self.norms, xs)]

    @classmethod
    def from_batchnorm(cls, bn: nn.modules.batchnorm._BatchNorm, num_modalities: int, *,
                       frozen_stats: bool = False) -> "ModalityNorm":
        """Copies ``bn`` into every modality: its parameters, running
        statistics and options (``momentum=None``'s cumulative average,
        ``affine=False``, ``track_running_stats=False`` included; frozen
        statistics need running ones)."""
        dims = [d for kind, d in _BATCH_NORMS.items() if isinstance(bn, kind)]
        if not dims:
            raise TypeError(f"bn must be a BatchNorm1d, BatchNorm2d or BatchNorm3d, got "
                            f"{type(bn).__name__}")
        if frozen_stats and not bn.track_running_stats:
            raise ValueError(f"frozen_stats=True normalises with the running statistics, "
                             f"but {bn} keeps none (track_running_stats=False)")
        out = cls(bn.num_features, num_modalities, frozen_stats=frozen_stats, eps=bn.eps,
                  input_dim=dims[0])
        out.norms = nn.ModuleList(copy.deepcopy(bn) for _ in range(num_modalities))
        return out

    def __repr__(self) -> str:
        # eps and momentum as the layers hold them (from_batchnorm copies a BN's own)
        first = self.norms[0]
        kept = "".join(f", {k}={getattr(first, k)}" for k in ("eps", "momentum")
                       if hasattr(first, k))
        return (f"{self.__class__.__name__}({self.num_features}, "
                f"num_modalities={self.num_modalities}, norm={self.norm!r}, "
                f"frozen_stats={self.frozen_stats}{kept}, input_dim={self.input_dim})")


# The names under which the two image forms were published.
ModalityBatchNorm2d = ModalityNorm
ModalityNorm2d = ModalityNorm


class SharedModalityNetwork(nn.Module):
    r"""Any CNN in the shared form: its convolutions (and every other
    non-BN layer) are shared by all modalities, its BatchNorms are
    :class:`ModalityBatchNorm2d`. ``forward([x_0, ..., x_{M-1}])`` runs the
    wrapped network once per modality with that modality's BNs active and
    returns the list of outputs. Built by :func:`share_across_modalities`.

    Args:
        model (torch.nn.Module): the network, its BatchNorms already
            :class:`ModalityBatchNorm2d` (see :func:`share_across_modalities`).
        num_modalities (int): ``M``.
    """

    def __init__(self, model: nn.Module, num_modalities: int):
        super().__init__()
        self.model = model
        self.num_modalities = num_modalities

    def _private(self) -> Iterator[ModalityBatchNorm2d]:
        return (m for m in self.model.modules()
                if isinstance(m, ModalityBatchNorm2d))

    @contextmanager
    def modality(self, index: int):
        """Context in which plain-tensor calls of the wrapped model use the
        BNs of modality ``index``."""
        if not 0 <= index < self.num_modalities:
            raise ValueError(f"index must lie in [0, {self.num_modalities}), "
                             f"got {index}")
        mods = list(self._private())
        old = [m.active for m in mods]
        for m in mods:
            m.active = index
        try:
            yield self.model
        finally:
            for m, a in zip(mods, old):
                m.active = a

    def forward(self, xs: Sequence[Tensor], *args, **kwargs) -> list:
        xs = _as_list("xs", xs)
        if len(xs) != self.num_modalities:
            raise ValueError(f"expected {self.num_modalities} modality inputs, "
                             f"got {len(xs)}")
        outs = []
        for i, x in enumerate(xs):
            with self.modality(i):
                outs.append(self.model(x, *args, **kwargs))
        return outs

    def __repr__(self) -> str:
        # the model itself, as ModalityParallel shows its module: its class alone
        # printed two different networks of one class the same
        return (f"{self.__class__.__name__}({self.model}, "
                f"num_modalities={self.num_modalities})")


def share_across_modalities(model: nn.Module, num_modalities: int, *,
                            frozen_stats: bool = False) -> SharedModalityNetwork:
    r"""Turns any CNN into AsymFusion's shared form: each
    :class:`~torch.nn.BatchNorm2d` (and :class:`~torch.nn.BatchNorm1d` /
    :class:`~torch.nn.BatchNorm3d`, e.g. of a classifier head) is replaced (in
    place) by a :class:`ModalityNorm` holding one copy of it per modality; every
    other layer, convolutions included, stays one shared object.

    The result adds only the affine parameters of ``num_modalities - 1``
    extra copies of each BN (see :func:`bn_affine_parameter_count`).

    Args:
        model (nn.Module): a network whose forward takes one tensor.
        num_modalities (int): ``M``.
        frozen_stats (bool, optional): see :class:`ModalityBatchNorm2d`. (default:
            :obj:`False`)

    Returns:
        :class:`SharedModalityNetwork` whose forward takes a list of ``M``
        inputs and returns the list of ``M`` outputs.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got "
                        f"{type(model).__name__}")
    check_int("num_modalities", num_modalities, minimum=1)
    if isinstance(model, tuple(_BATCH_NORMS)):  # no parent to replace it in: it was left shared
        model = ModalityBatchNorm2d.from_batchnorm(model, num_modalities,
                                                   frozen_stats=frozen_stats)
    elif not isinstance(model, ModalityBatchNorm2d):  # its private BNs stay plain
        _replace_bn(model, num_modalities, frozen_stats)
    return SharedModalityNetwork(model, num_modalities)


def _replace_bn(module: nn.Module, num_modalities: int, frozen: bool) -> None:
    for name, child in module.named_children():
        if isinstance(child, tuple(_BATCH_NORMS)):
            setattr(module, name, ModalityBatchNorm2d.from_batchnorm(
                child, num_modalities, frozen_stats=frozen))
        elif not isinstance(child, ModalityBatchNorm2d):
            _replace_bn(child, num_modalities, frozen)


def bn_affine_parameter_count(model: nn.Module) -> int:
    """Number of BatchNorm affine parameters of one modality in ``model``
    (plain BNs, or one copy of each :class:`ModalityNorm`, whatever its kind).

    Args:
        model (torch.nn.Module): the network.
    """
    private = set()
    total = 0
    for m in model.modules():
        if isinstance(m, ModalityBatchNorm2d):
            private.update(id(b) for b in m.norms)
            total += sum(p.numel() for p in m.norms[0].parameters())
        elif (isinstance(m, nn.modules.batchnorm._BatchNorm)
              and id(m) not in private):
            total += sum(p.numel() for p in m.parameters())
    return total


def expand_state_dict(model: nn.Module, state_dict: dict, *,
                      strict: bool = True, skip: tuple[str, ...] = ("fc.", )):
    r"""Loads a single-modality ``state_dict`` (for instance a torchvision
    ImageNet ResNet) into a shared-form ``model``: each
    ``<name>.norms.<m>.<param>`` key of ``model`` takes ``<name>.<param>`` of
    ``state_dict``, so every modality's private BN starts as a copy of the
    checkpoint's BN; shared layers take their keys unchanged.

    Args:
        model (nn.Module): a network built with :class:`ModalityBatchNorm2d`, or
            the :class:`SharedModalityNetwork` of :func:`share_across_modalities`.
        state_dict (dict): the single-modality weights.
        strict (bool, optional): raise if a key of ``model`` has no source, a source key is
            left unused (except the ``skip`` prefixes, e.g. a classifier) or a shape differs.
            (default: :obj:`True`)
        skip (tuple[str, ...], optional): prefixes of ``state_dict`` keys that ``model`` is not
            expected to have. (default: :obj:`('fc.',)`)

    Returns:
        ``(missing, unexpected)``: keys of ``model`` without a source, keys of
        ``state_dict`` that were not used.
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
    model = model.model if isinstance(model, SharedModalityNetwork) else model  # keys: model.*
    target = model.state_dict()
    used, missing, new = set(), [], {}
    for key, value in target.items():
        src = re.sub(r"\.norms\.\d+(?=\.)", "", key)
        if src not in state_dict:
            missing.append(key)
            continue
        if tuple(state_dict[src].shape) != tuple(value.shape):
            raise ValueError(f"state_dict[{src!r}] has shape "
                             f"{tuple(state_dict[src].shape)}, the model's "
                             f"{key!r} has {tuple(value.shape)}")
        new[key] = state_dict[src]
        used.add(src)
    unexpected = [k for k in state_dict if k not in used
                  and not k.startswith(tuple(skip))]
    # torchvision checkpoints from before BN counted its batches lack this
    # buffer; it carries no learned value.
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if strict and (missing or unexpected):
        raise KeyError(f"state_dict does not match the model: missing "
                       f"{missing[:5]}{'...' if len(missing) > 5 else ''}, "
                       f"unexpected {unexpected[:5]}"
                       f"{'...' if len(unexpected) > 5 else ''}")
    model.load_state_dict(new, strict=False)
    return missing, unexpected
