"""The two-stream baseline of AsymFusion's segmenter: one private encoder per
modality, nothing shared (docs/methods.md §2.5), and how an encoder's levels
are read.

Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from torch import Tensor, nn

from .._reset import reset_children
from .layers import modality_list
from .modality import SharedModalityNetwork, missing_input

__all__ = ["SeparateEncoders"]


class SeparateEncoders(nn.Module):
    """One private single-modality encoder per modality (the two-stream
    baseline AsymFusion is compared with: nothing shared, nothing exchanged).

    Args:
        encoders (Sequence[nn.Module]): ``M`` encoders, each taking a one-element list and
            returning a list of levels, each a one-element list (as :class:`ResNetEncoder` with
            ``num_modalities=1``), or your backbone returning its list of levels (or a dict of
            them, taken in its order: torchvision's ``create_feature_extractor``), shared by
            :func:`share_across_modalities` with ``num_modalities=1``. Where they state their
            levels' widths, ``out_channels`` (a list, as :class:`ResNetEncoder` states them, or
            one int for every level, as torchvision's ``BackboneWithFPN``), the widths must
            agree: the branches share one decoder.

    Shapes: as :class:`ResNetEncoder`.
    """

    def __init__(self, encoders: Sequence[nn.Module]):
        super().__init__()
        if isinstance(encoders, nn.Module) and not isinstance(encoders, (nn.ModuleList,
                                                                        nn.Sequential)):
            raise TypeError(f"encoders must be a list of M encoders, one per modality, got "
                            f"one {type(encoders).__name__}")
        encoders = list(encoders)  # a generator had no len()
        if len(encoders) == 0:
            raise ValueError("encoders must hold at least one encoder")
        for i, enc in enumerate(encoders):
            if not isinstance(enc, nn.Module):
                raise TypeError(f"encoders[{i}] must be an nn.Module (an encoder), got "
                                f"{type(enc).__name__}")
            # was refused at the first step as 'expected 2 modality tensors, got 1' (M given)
            if getattr(enc, "num_modalities", 1) != 1:
                raise ValueError(f"encoders[{i}] is built for num_modalities="
                                 f"{enc.num_modalities}; SeparateEncoders takes one "
                                 f"single-modality encoder per modality (num_modalities=1)")
        # a list of the levels' widths (ResNetEncoder's), or one int for every level
        # (torchvision's BackboneWithFPN): list() of that int was "'int' object is not
        # iterable"
        widths = [e.out_channels if isinstance(e.out_channels, int) else list(e.out_channels)
                  for e in encoders if hasattr(e, "out_channels")]
        if any(w != widths[0] for w in widths):
            # the decoder, built for the first's widths, failed in a conv of another branch
            raise ValueError(f"the encoders' out_channels differ ({widths}): the branches "
                             "share one decoder, which takes one set of widths")
        self.encoders = nn.ModuleList(encoders)
        self.num_modalities = len(encoders)
        if widths:
            self.out_channels = widths[0]

    def reset_parameters(self) -> None:
        reset_children(self)

    def forward(self, xs: Sequence[Tensor]) -> list[list[Tensor]]:
        xs = modality_list(xs, self.num_modalities)
        per = []
        for i, (enc, x) in enumerate(zip(self.encoders, xs)):
            name = f"encoders[{i}]"
            try:
                # share_across_modalities(backbone, 1) returns [levels]: its first level
                # alone went on
                per.append(_levels_of(enc([x]), name) if isinstance(enc, SharedModalityNetwork)
                           else _encode(enc, [x], name))
            except TypeError as err:
                # a branch names its one input xs[0] (of 1 modality), not the entry given
                if x is not None:
                    raise
                raise missing_input(i, name, self.num_modalities) from err
        return [[p[s][0] for p in per] for s in range(len(per[0]))]


def _encode(encoder: nn.Module, xs: list, name: str):
    # a backbone taking one tensor, given the list of modalities, failed in its first
    # layer with torch's 'conv2d() received an invalid combination of arguments - got
    # (list, ...)', which named neither the encoder nor what it takes
    try:
        return encoder(xs)
    except TypeError as err:
        if "got (list" not in str(err) or not _refused(err, xs, encoder):
            raise
        raise TypeError(f"{name} takes the list of modality tensors; a backbone that takes "
                        f"one tensor and returns its levels goes in shared, "
                        f"share_across_modalities(backbone, {len(xs)})") from err


def _refused(err: TypeError, xs: list, encoder: nn.Module) -> bool:
    """Whether the call that raised ``err`` was handed ``xs`` itself: the
    innermost Python frame (a layer's forward, which torch's function refused
    the list in) holds that very list, and is not the encoder's own forward
    (which holds it as its argument whatever it refused). An encoder that takes
    the list and fails on a list of its own got the advice to share a backbone."""
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    if frame.f_code is getattr(type(encoder).forward, "__code__", None):
        return False
    return any(v is xs for v in frame.f_locals.values())


def _levels_of(outs: list, name: str = "encoder") -> list[list[Tensor]]:
    """A :class:`SharedModalityNetwork` encoder's outputs, one list of levels
    per modality (or a dict of them, taken in its order), as levels of ``M`` maps."""
    # torchvision's IntermediateLayerGetter / create_feature_extractor return an
    # OrderedDict of levels: it was refused as no list
    outs = [list(o.values()) if isinstance(o, Mapping) else o for o in outs]
    if any(not isinstance(o, (list, tuple)) for o in outs) or \
            len({len(o) for o in outs}) != 1:
        raise ValueError(f"{name} is a SharedModalityNetwork: its network must return a list "
                         "(or a dict, in its order) of feature levels (the decoder's inputs) "
                         f"for each modality, got {[type(o).__name__ for o in outs]}")
    return [list(level) for level in zip(*outs)]
