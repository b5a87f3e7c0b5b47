"""One network for all modalities: shared modules, private BatchNorm.

AsymFusion (Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009,
docs/methods.md §2.1) runs every modality through the same convolutions and
gives each modality only its own BatchNorm. Layers here take a list of
per-modality tensors ``[x_0, ..., x_{M-1}]``.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator, Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from ...functional._checks import check_channels, check_int

__all__ = ["ModalityParallel", "ModalityBatchNorm2d", "SharedModalityNetwork",
           "share_across_modalities", "bn_affine_parameter_count",
           "expand_state_dict"]


def _as_list(name: str, xs) -> list[Tensor]:
    if isinstance(xs, Tensor) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"{name} must be a list of per-modality tensors, got "
                        f"{type(xs).__name__}")
    return list(xs)


class ModalityParallel(nn.Module):
    r"""Applies one shared module to each modality's tensor:
    :math:`[f(x_0), \dots, f(x_{M-1})]` with the same parameters for all.

    Args:
        module: the shared module (a convolution, pooling, a whole decoder).

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


class ModalityBatchNorm2d(nn.Module):
    r"""One private :class:`~torch.nn.BatchNorm2d` per modality.

    .. math::
        y_m = \gamma_m \frac{x_m - \mu_m}{\sqrt{\sigma_m^2 + \epsilon}} + \beta_m

    Called with a list ``[x_0, ..., x_{M-1}]`` it normalises ``x_m`` with the
    BN of modality ``m``. Called with a single tensor it uses the BN of the
    :attr:`active` modality (set by :class:`SharedModalityNetwork`), which lets
    an unchanged CNN ``forward`` run in the shared form.

    ``frozen_stats=True`` is what the released code does with ImageNet
    weights: the running statistics are never updated and always used (also in
    training), and only the private affine scale / shift learn.
    ``frozen_stats=False`` (default) keeps private batch statistics, which is
    what training from scratch needs. **[choice]**: docs/methods.md §2.1 asks for both;
    the default is this library's, not the paper's.

    Args:
        num_features: channels ``C``.
        num_modalities: ``M``.
        frozen_stats: freeze running statistics (see above).
        eps, momentum: as in :class:`~torch.nn.BatchNorm2d`.

    Shapes:
        input: list of ``M`` tensors ``[B, C, H, W]`` (or one tensor);
        output: the same.
    """

    def __init__(self, num_features: int, num_modalities: int = 2, *,
                 frozen_stats: bool = False, eps: float = 1e-5,
                 momentum: float = 0.1):
        super().__init__()
        check_int("num_features", num_features, minimum=1)
        check_int("num_modalities", num_modalities, minimum=1)
        self.num_features = num_features
        self.num_modalities = num_modalities
        self.frozen_stats = bool(frozen_stats)
        self.active = 0
        self.bns = nn.ModuleList(
            nn.BatchNorm2d(num_features, eps=eps, momentum=momentum)
            for _ in range(num_modalities))

    def reset_parameters(self) -> None:
        for bn in self.bns:
            bn.reset_parameters()

    def _norm(self, bn: nn.BatchNorm2d, x: Tensor) -> Tensor:
        if not self.frozen_stats:
            return bn(x)
        return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight,
                            bn.bias, False, 0.0, bn.eps)

    def forward(self, xs):
        if isinstance(xs, Tensor):
            check_channels("x", xs, self.num_features, dims=(4, ), what="num_features")
            return self._norm(self.bns[self.active], xs)
        xs = _as_list("xs", xs)
        if len(xs) != self.num_modalities:
            raise ValueError(f"expected {self.num_modalities} modality tensors, "
                             f"got {len(xs)}")
        for i, x in enumerate(xs):
            check_channels(f"xs[{i}]", x, self.num_features, dims=(4, ),
                           what="num_features")
        return [self._norm(bn, x) for bn, x in zip(self.bns, xs)]

    @classmethod
    def from_batchnorm(cls, bn: nn.BatchNorm2d, num_modalities: int, *,
                       frozen_stats: bool = False) -> "ModalityBatchNorm2d":
        """Copies ``bn`` (affine and running statistics) into every modality."""
        out = cls(bn.num_features, num_modalities, frozen_stats=frozen_stats,
                  eps=bn.eps, momentum=bn.momentum if bn.momentum is not None
                  else 0.1)
        for private in out.bns:
            private.load_state_dict(bn.state_dict())
        ref = bn.weight if bn.weight is not None else bn.running_mean
        return out if ref is None else out.to(ref.device)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.num_features}, "
                f"num_modalities={self.num_modalities}, "
                f"frozen_stats={self.frozen_stats})")


class SharedModalityNetwork(nn.Module):
    r"""Any CNN in the shared form: its convolutions (and every other
    non-BN layer) are shared by all modalities, its BatchNorms are
    :class:`ModalityBatchNorm2d`. ``forward([x_0, ..., x_{M-1}])`` runs the
    wrapped network once per modality with that modality's BNs active and
    returns the list of outputs. Built by :func:`share_across_modalities`.
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
        return (f"{self.__class__.__name__}(num_modalities="
                f"{self.num_modalities}, model={self.model.__class__.__name__})")


def share_across_modalities(model: nn.Module, num_modalities: int, *,
                            frozen_stats: bool = False) -> SharedModalityNetwork:
    r"""Turns any CNN into AsymFusion's shared form: each
    :class:`~torch.nn.BatchNorm2d` is replaced (in place) by a
    :class:`ModalityBatchNorm2d` holding one copy of it per modality; every
    other layer, convolutions included, stays one shared object.

    The result adds only the affine parameters of ``num_modalities - 1``
    extra copies of each BN (see :func:`bn_affine_parameter_count`).

    Args:
        model: a network whose forward takes one tensor.
        num_modalities: ``M``.
        frozen_stats: see :class:`ModalityBatchNorm2d`.

    Returns:
        :class:`SharedModalityNetwork` whose forward takes a list of ``M``
        inputs and returns the list of ``M`` outputs.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got "
                        f"{type(model).__name__}")
    check_int("num_modalities", num_modalities, minimum=1)
    _replace_bn(model, num_modalities, frozen_stats)
    return SharedModalityNetwork(model, num_modalities)


def _replace_bn(module: nn.Module, num_modalities: int, frozen: bool) -> None:
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm2d):
            setattr(module, name, ModalityBatchNorm2d.from_batchnorm(
                child, num_modalities, frozen_stats=frozen))
        elif not isinstance(child, ModalityBatchNorm2d):
            _replace_bn(child, num_modalities, frozen)


def bn_affine_parameter_count(model: nn.Module) -> int:
    """Number of BatchNorm affine parameters of one modality in ``model``
    (plain BNs, or one copy of each :class:`ModalityBatchNorm2d`)."""
    private = set()
    total = 0
    for m in model.modules():
        if isinstance(m, ModalityBatchNorm2d):
            private.update(id(b) for b in m.bns)
            total += sum(p.numel() for p in m.bns[0].parameters())
        elif (isinstance(m, nn.modules.batchnorm._BatchNorm)
              and id(m) not in private):
            total += sum(p.numel() for p in m.parameters())
    return total


def expand_state_dict(model: nn.Module, state_dict: dict, *,
                      strict: bool = True, skip: tuple[str, ...] = ("fc.", )):
    r"""Loads a single-modality ``state_dict`` (for instance a torchvision
    ImageNet ResNet) into a shared-form ``model``: each
    ``<name>.bns.<m>.<param>`` key of ``model`` takes ``<name>.<param>`` of
    ``state_dict``, so every modality's private BN starts as a copy of the
    checkpoint's BN; shared layers take their keys unchanged.

    Args:
        model: a network built with :class:`ModalityBatchNorm2d`.
        state_dict: the single-modality weights.
        strict: raise if a key of ``model`` has no source, a source key is
            left unused (except the ``skip`` prefixes, e.g. a classifier) or a
            shape differs.
        skip: prefixes of ``state_dict`` keys that ``model`` is not expected
            to have.

    Returns:
        ``(missing, unexpected)``: keys of ``model`` without a source, keys of
        ``state_dict`` that were not used.
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
    target = model.state_dict()
    used, missing, new = set(), [], {}
    for key, value in target.items():
        src = re.sub(r"\.bns\.\d+(?=\.)", "", key)
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
