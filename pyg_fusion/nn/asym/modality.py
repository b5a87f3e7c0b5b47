"""Any CNN in AsymFusion's shared form: its modules shared by all
modalities, its BatchNorms private (:class:`ModalityNorm`, in
:mod:`~pyg_fusion.nn.asym.layers`), and single-modality checkpoints loaded
into it.

AsymFusion (Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009,
docs/methods.md §2.1) runs every modality through the same convolutions and
gives each modality only its own BatchNorm.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator, Sequence

from torch import Tensor, nn

from ..._option_rules import is_int
from ...functional._checks import check_int, check_like
from .._reset import reset_module
# The per-modality layers lived in this module before; their imports from it stay valid.
from .layers import (_ACTIVE, _ANY_BATCH_NORM, _BATCH_NORMS, ModalityBatchNorm2d,  # noqa: F401
                     ModalityNorm, ModalityNorm2d, ModalityParallel, _as_list,
                     modality_list, norm_factory)

__all__ = ["ModalityParallel", "ModalityNorm", "ModalityBatchNorm2d", "ModalityNorm2d",
           "norm_factory", "SharedModalityNetwork",
           "share_across_modalities", "bn_affine_parameter_count",
           "expand_state_dict"]


class SharedModalityNetwork(nn.Module):
    r"""Any CNN in the shared form: its convolutions (and every other
    non-BN layer) are shared by all modalities, its BatchNorms are
    :class:`ModalityBatchNorm2d`. ``forward([x_0, ..., x_{M-1}])`` runs the
    wrapped network once per modality with that modality's BNs active and
    returns the list of outputs. Built by :func:`share_across_modalities`.

    :meth:`reset_parameters` resets each part of the wrapped network with its
    own ``reset_parameters`` (a part without one through its children), in
    the order the parts were registered: under one seed it gives the weights
    of a fresh build of a network whose constructor draws them that way (as
    :class:`torch.nn.Conv2d` and :class:`torch.nn.Linear` do), not of one that
    re-initialises them afterwards (torchvision's ResNets).

    Args:
        model (torch.nn.Module): the network, its BatchNorms already
            :class:`ModalityBatchNorm2d` (see :func:`share_across_modalities`).
        num_modalities (int): ``M``.

    Shapes:
        - **input**: a list of ``M`` inputs of the wrapped network (further
          arguments of ``forward`` go to every call)
        - **output**: the list of its ``M`` outputs, in the order of the inputs
    """

    def __init__(self, model: nn.Module, num_modalities: int):
        super().__init__()
        self.model = model
        self.num_modalities = num_modalities
        for m in self._private():  # a call on one tensor needs modality(): ModalityNorm._unchosen
            m._shared_form = True

    def reset_parameters(self) -> None:
        reset_module(self.model)

    def _private(self) -> Iterator[ModalityBatchNorm2d]:
        return (m for m in self.model.modules()
                if isinstance(m, ModalityBatchNorm2d))

    @contextmanager
    def modality(self, index: int):
        """Context in which plain-tensor calls of the wrapped model, in the
        calling thread, use the BNs of modality ``index``: other threads running
        the same model keep their own choice, and a thread that chose none is
        refused (:class:`ModalityNorm`), whatever other threads hold. The replicas
        that :class:`torch.nn.DataParallel` makes inside the context keep its
        choice in their worker threads."""
        # 1.5 passed the range and failed in the first BN as ModuleList's TypeError
        if not is_int(index) or not 0 <= index < self.num_modalities:
            raise ValueError(f"index must be an integer in [0, {self.num_modalities}), "
                             f"got {index!r}")
        old = getattr(_ACTIVE, "chosen", None)
        chosen = dict(old or {})  # this thread's choice, not the layers' own
        chosen.update((id(m), int(index)) for m in self._private())
        _ACTIVE.chosen = chosen
        try:
            yield self.model
        finally:
            _ACTIVE.chosen = old

    def forward(self, xs: Sequence[Tensor], *args, **kwargs) -> list:
        xs = _as_list("xs", xs)
        if len(xs) != self.num_modalities:
            raise ValueError(f"expected {self.num_modalities} modality inputs, "
                             f"got {len(xs)}")
        for i, x in enumerate(xs):
            if isinstance(x, Tensor) and isinstance(xs[0], Tensor):
                # the shared layers' own errors (for a second modality of another
                # dtype: 'Input type (double) and bias type (float)') named no modality
                check_like(f"xs[{i}]", x, "xs[0]", xs[0])
        outs = []
        for i, x in enumerate(xs):
            with self.modality(i):
                try:
                    outs.append(self.model(x, *args, **kwargs))
                except TypeError as err:
                    # a None entry (a missing modality) failed as torch's 'conv2d()
                    # received an invalid combination of arguments - got (NoneType, ...'
                    # naming no entry; refused only where the network itself fails on
                    # it, so that a network that takes None (handling a missing
                    # modality) keeps working
                    if x is not None:
                        raise
                    raise missing_input(i, "the wrapped network", self.num_modalities) from err
        return outs

    def __repr__(self) -> str:
        # the model itself, as ModalityParallel shows its module: its class alone
        # printed two different networks of one class the same
        return (f"{self.__class__.__name__}({self.model}, "
                f"num_modalities={self.num_modalities})")


def missing_input(i: int, who: str, num_modalities: int) -> TypeError:
    """The error for ``xs[i]`` given as None where ``who`` failed on it."""
    return TypeError(f"xs[{i}] is None, and {who} raised a TypeError on it (above): give "
                     f"each of the {num_modalities} modalities an input")


def share_across_modalities(model: nn.Module, num_modalities: int, *,
                            frozen_stats: bool = False) -> SharedModalityNetwork:
    r"""Turns any CNN into AsymFusion's shared form: each
    :class:`~torch.nn.BatchNorm2d` (and :class:`~torch.nn.BatchNorm1d` /
    :class:`~torch.nn.BatchNorm3d`, e.g. of a classifier head) is replaced (in
    place) by a :class:`ModalityNorm` holding one copy of it per modality; every
    other layer, convolutions included, stays one shared object.

    The result adds only the affine parameters of ``num_modalities - 1``
    extra copies of each BN (see :func:`bn_affine_parameter_count`). Other
    normalisations with learned parameters (instance, group, layer norm) stay
    shared, which a :class:`~pyg_fusion.PygFusionNotice` says (for private
    ones, build them as :class:`ModalityNorm`); a
    :class:`~torch.nn.SyncBatchNorm` is an error: share the network first,
    then convert its BatchNorms; so is a lazy BatchNorm (e.g.
    :class:`~torch.nn.LazyBatchNorm2d`) not yet called: run the model once.

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
    _check_norms(model)
    if isinstance(model, tuple(_BATCH_NORMS)):  # no parent to replace it in: it was left shared
        model = ModalityBatchNorm2d.from_batchnorm(model, num_modalities,
                                                   frozen_stats=frozen_stats)
    elif not isinstance(model, ModalityBatchNorm2d):  # its private BNs stay plain
        _replace_bn(model, num_modalities, frozen_stats)
    return SharedModalityNetwork(model, num_modalities)


_LAZY_BATCH_NORMS = (nn.LazyBatchNorm1d, nn.LazyBatchNorm2d, nn.LazyBatchNorm3d)
# normalisations with learned parameters that are no BatchNorm: they stay shared
# (torch's public classes: the instance norms' common base is private to torch)
_OTHER_NORMS = (nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d, nn.LazyInstanceNorm1d,
                nn.LazyInstanceNorm2d, nn.LazyInstanceNorm3d, nn.GroupNorm, nn.LayerNorm)


def _check_norms(model: nn.Module) -> None:
    """A SyncBatchNorm (no BatchNorm1d/2d/3d: it was left shared, without a
    word) is refused; normalisations of other kinds, which stay shared, are
    named in a notice: a network of those alone has nothing private."""
    private = {id(m) for p in model.modules() if isinstance(p, ModalityNorm)
               for m in p.modules()}
    named = [(n or "model", m) for n, m in model.named_modules() if id(m) not in private]
    sync = [n for n, m in named if isinstance(m, nn.SyncBatchNorm)]
    if sync:
        raise TypeError(f"model holds SyncBatchNorm layers ({', '.join(sync[:3])}), which "
                        f"share_across_modalities cannot make private: share the network "
                        f"with its BatchNorms first, then convert it "
                        f"(nn.SyncBatchNorm.convert_sync_batchnorm)")
    # a lazy BatchNorm is no BatchNorm1d/2d/3d until its first call: it was left
    # shared by all modalities, without a word
    lazy = [n for n, m in named if isinstance(m, _LAZY_BATCH_NORMS)]
    if lazy:
        raise TypeError(f"model holds lazy BatchNorm layers ({', '.join(lazy[:3])}), whose "
                        f"size is known only at their first call: run the model once on an "
                        f"input (they become BatchNorm1d/2d/3d), then share it")
    other = sorted({type(m).__name__ for _, m in named
                    if isinstance(m, _OTHER_NORMS) and any(True for _ in m.parameters())})
    if other:
        from ..._notices import notice
        notice(f"share_across_modalities makes the BatchNorms private; the model's "
               f"{', '.join(other)} layers stay shared by all modalities (their learned "
               f"scale and shift included)", stacklevel=3)


def _replace_bn(module: nn.Module, num_modalities: int, frozen: bool,
                done: dict | None = None) -> None:
    # every place a BN is registered (named_children yields a module once: a BN
    # applied twice, its weights tied, stayed plain, shared by the modalities, at
    # its second place), one replacement per BN object (the tie kept)
    done = {} if done is None else done
    for name, child in list(module._modules.items()):
        if child is None:  # a slot registered empty
            continue
        if isinstance(child, tuple(_BATCH_NORMS)):
            if id(child) not in done:
                done[id(child)] = ModalityBatchNorm2d.from_batchnorm(
                    child, num_modalities, frozen_stats=frozen)
            setattr(module, name, done[id(child)])
        elif not isinstance(child, ModalityBatchNorm2d):
            _replace_bn(child, num_modalities, frozen, done)


def bn_affine_parameter_count(model: nn.Module) -> int:
    """Number of BatchNorm affine parameters of one modality in ``model``
    (plain BNs, or one copy of each :class:`ModalityNorm`, whatever its kind).

    Args:
        model (torch.nn.Module): the network.

    Returns:
        int: the count.
    """
    private = set()
    total = 0
    for m in model.modules():
        if isinstance(m, ModalityBatchNorm2d):
            private.update(id(b) for b in m.norms)
            total += sum(p.numel() for p in m.norms[0].parameters())
        elif isinstance(m, _ANY_BATCH_NORM) and id(m) not in private:
            total += sum(p.numel() for p in m.parameters())
    return total


def _nested_hint(state_dict: dict) -> str:
    """What a checkpoint of another layout holds, for the error of a key
    mismatch: a training checkpoint keeps its weights under one key (Lightning's
    ``state_dict``, many repositories' ``model``), DataParallel prefixes every
    key with ``module.``."""
    nested = [k for k, v in state_dict.items() if isinstance(v, dict)]
    if nested:
        return (f" (the weights may be nested: state_dict[{nested[0]!r}] is a dict; pass "
                f"that dict)")
    keys = [k for k in state_dict if isinstance(k, str)]
    if keys and all(k.startswith("module.") for k in keys):
        return " (every key starts with 'module.', as DataParallel saves them: strip it)"
    return ""


# a private norm's modality in a key: '<name>.norms.<m>.<param>', or 'norms.<m>.<param>'
# for a shared BatchNorm alone (share_across_modalities(bn, M)), which kept its index
_NORM_KEY = re.compile(r"(^|\.)norms\.\d+\.")


def _plain_names(state_dict: dict, target: dict) -> dict:
    """Each key of ``state_dict`` by its name in a plain network. A network of one
    modality in the shared form (``ResNetEncoder(num_modalities=1)``, a branch of
    ``SeparateEncoders``, ``share_across_modalities(net, 1)``, whose ``state_dict()``
    prefixes ``model.``) keeps each BN as ``<name>.norms.0.<param>``: it was refused as
    missing every BN. A checkpoint of several modalities keeps its names."""
    keys = [k for k in state_dict if isinstance(k, str)]
    cut = len("model.") if keys and all(k.startswith("model.") for k in keys) and \
        not any(k.startswith("model.") for k in target) else 0
    one = not any(m.group(0).strip(".") != "norms.0" for k in keys
                  for m in _NORM_KEY.finditer(k))
    return {(_NORM_KEY.sub(r"\1", k[cut:]) if one else k[cut:]) if isinstance(k, str)
            else k: k for k in state_dict}


def expand_state_dict(model: nn.Module, state_dict: dict, *,
                      strict: bool = True, skip: tuple[str, ...] = ("fc.", )):
    r"""Loads a single-modality ``state_dict`` (for instance a torchvision
    ImageNet ResNet) into a shared-form ``model``: each
    ``<name>.norms.<m>.<param>`` key of ``model`` takes ``<name>.<param>`` of
    ``state_dict``, so every modality's private BN starts as a copy of the
    checkpoint's BN; shared layers take their keys unchanged. The weights of a
    network of one modality in this shared form (keys ``<name>.norms.0.<param>``,
    e.g. ``ResNetEncoder(num_modalities=1)``, or the ``state_dict()`` of
    ``share_across_modalities(net, 1)``) are read the same way.

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
    names = _plain_names(state_dict, target)
    used, missing, new = set(), [], {}
    for key, value in target.items():
        src = names.get(_NORM_KEY.sub(r"\1", key))
        if src is None:
            missing.append(key)
            continue
        if not isinstance(state_dict[src], Tensor):  # was an AttributeError on .shape
            raise ValueError(f"state_dict[{src!r}] is a {type(state_dict[src]).__name__}, "
                             f"expected a tensor")
        if tuple(state_dict[src].shape) != tuple(value.shape):
            raise ValueError(f"state_dict[{src!r}] has shape "
                             f"{tuple(state_dict[src].shape)}, the model's "
                             f"{key!r} has {tuple(value.shape)}")
        new[key] = state_dict[src]
        used.add(src)
    skipped = {k for name, k in names.items() if isinstance(name, str)
               and name.startswith(tuple(skip))}
    unexpected = [k for k in state_dict if k not in used and k not in skipped]
    # torchvision checkpoints from before BN counted its batches lack this
    # buffer; it carries no learned value.
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if strict and (missing or unexpected):
        raise KeyError(f"state_dict does not match the model: missing "
                       f"{missing[:5]}{'...' if len(missing) > 5 else ''}, "
                       f"unexpected {unexpected[:5]}"
                       f"{'...' if len(unexpected) > 5 else ''}{_nested_hint(state_dict)}")
    model.load_state_dict(new, strict=False)
    return missing, unexpected
