"""Per-source feature standardisation with statistics fitted on a training
split, kept as buffers so that a model's checkpoint carries them."""
from __future__ import annotations

import copy
from typing import Mapping

import torch
from torch import Tensor, nn

__all__ = ["StandardizeSources"]


def zscore_columns(x: Tensor) -> Tensor:
    """``x`` ``[n, d]`` with every column z-scored over its ``n`` rows (sample
    standard deviation, divided by ``n - 1``: ``torch.std``'s default; not
    the population one of :meth:`StandardizeSources.fit`, a factor
    ``sqrt(n / (n - 1))`` apart, each kept as the recorded results were made
    with it); a column constant up to rounding is only centred (0).

    ``std > 0`` is no test of constancy: the mean of 2,000 copies of ``0.1``
    is off by an ulp, so the column's std is ~1e-17 and dividing by it gave
    every row -1 instead of 0 (and blew rounding noise up to unit scale).
    A std within the rounding error of the mean, ``n * eps * |mean|``
    (scikit-learn's bound), counts as zero."""
    # in float64: float32's own eps would call a column of mean 1e4 and std 1
    # over 2,000 rows constant
    x64 = x.double()
    mean, std = _mean_std(x64)
    # squares of |x| above ~1e154 overflow float64: std was Inf, and every row
    # of such a column 0 (a constant view, silently); those columns are scaled
    # to |x| <= 1 first, which leaves their z-scores as they are
    big = ~(torch.isfinite(mean) & torch.isfinite(std))
    if bool(big.any()):
        x64 = x64 / torch.where(big, x64.abs().amax(dim=0), torch.ones_like(mean))
        mean, std = _mean_std(x64)
    eps = torch.finfo(torch.float64).eps
    constant = ~(std > x.size(0) * eps * mean.abs())  # NaN std counts as constant
    z = (x64 - mean) / torch.where(constant, torch.ones_like(std), std)
    # x - mean is the mean's rounding error there
    return z.masked_fill(constant, 0).to(x.dtype if x.is_floating_point() else torch.float64)


def _mean_std(x: Tensor) -> tuple[Tensor, Tensor]:
    # the column means and sample standard deviations of zscore_columns
    mean = x.mean(dim=0)
    return mean, (x.std(dim=0) if x.size(0) > 1 else torch.zeros_like(mean))


class StandardizeSources(nn.Module):
    r"""z-scores every source's features, ``x_<s> <- (x_<s> - mean_s) /
    std_s``, with fixed per-feature statistics.

    A transform (``dataset.transform``; it returns a shallow copy, the stored
    data is untouched) and an :class:`~torch.nn.Module` whose statistics are
    buffers (``mean_<s>``, ``std_<s>``), so that a module holding it saves
    them in its ``state_dict`` and checkpoint, and
    :meth:`from_state_dict` rebuilds it from there: the statistics of the
    training split travel with the trained model and are applied to any
    split it scores, never refitted on test data. Floating features keep
    their dtype (16-bit ones are computed in float32, then cast back).

    Args:
        stats (Mapping[str, tuple[Tensor, Tensor]]): ``{source: (mean, std)}``,
            each ``[d]``; ``std`` must be positive.
    """

    def __init__(self, stats: Mapping[str, tuple[Tensor, Tensor]]):
        super().__init__()
        if not isinstance(stats, Mapping):
            raise TypeError(f"stats must be a dict {{source: (mean, std)}}, got "
                            f"{type(stats).__name__}")
        if not stats:
            raise ValueError("stats must give (mean, std) of at least one source")
        self.sources = list(stats)
        for s, pair in stats.items():
            # a tensor was unpacked along its rows: Python's unnamed 'too many
            # values to unpack', or, of two rows, read as mean and std
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                got = (f"a tensor of shape {tuple(pair.shape)}" if hasattr(pair, "shape")
                       else f"a {type(pair).__name__} of {len(pair)} values"
                       if isinstance(pair, (tuple, list)) else type(pair).__name__)
                raise TypeError(f"stats[{s!r}] must be a (mean, std) pair of [d] tensors, got "
                                f"{got} (StandardizeSources.fit({{source: x}}) computes the "
                                f"pair from the rows of x)")
            mean, std = pair
            mean = torch.as_tensor(mean, dtype=torch.float32).reshape(-1)
            std = torch.as_tensor(std, dtype=torch.float32).reshape(-1)
            if mean.shape != std.shape:
                raise ValueError(f"source {s!r}: mean has {mean.numel()} features, std "
                                 f"{std.numel()}")
            if not bool((std > 0).all()) or not bool(torch.isfinite(mean).all()):
                raise ValueError(f"source {s!r}: std must be positive and mean finite")
            self.register_buffer(f"mean_{s}", mean)
            self.register_buffer(f"std_{s}", std)

    @classmethod
    def fit(cls, xs: Mapping[str, Tensor], eps: float = 1e-6) -> "StandardizeSources":
        """Statistics of the rows of ``xs`` (``{source: [n, d]}``): mean and
        population standard deviation per feature (divided by ``n``, as
        scikit-learn's ``StandardScaler``; not the sample one of
        ``standardize=True`` on the node datasets, :func:`zscore_columns`), in
        float64; a feature whose standard deviation is below ``eps`` is only
        centred (std 1)."""
        stats = {}
        for s, x in xs.items():
            x = torch.as_tensor(x, dtype=torch.float64)
            if x.dim() != 2 or x.size(0) == 0:
                raise ValueError(f"source {s!r}: expected [n >= 1, d] rows to fit, got "
                                 f"{tuple(x.shape)}")
            std = x.std(0, unbiased=False)
            stats[s] = (x.mean(0), torch.where(std < eps, torch.ones_like(std), std))
        return cls(stats)

    @classmethod
    def from_state_dict(cls, state_dict: Mapping[str, Tensor],
                        prefix: str = "") -> "StandardizeSources | None":
        """The module whose buffers are saved under ``prefix`` in
        ``state_dict`` (e.g. ``"standardizer."`` in a task's checkpoint), or
        ``None`` when there are none."""
        stats = {}
        for key, value in state_dict.items():
            if key.startswith(prefix + "mean_"):
                s = key[len(prefix) + len("mean_"):]
                std = state_dict.get(f"{prefix}std_{s}")
                if std is None:
                    raise ValueError(f"state_dict has {key} but no {prefix}std_{s}")
                stats[s] = (value, std)
        return cls(stats) if stats else None

    def stats(self, source: str) -> tuple[Tensor, Tensor]:
        return getattr(self, f"mean_{source}"), getattr(self, f"std_{source}")

    def forward(self, data):
        data = copy.copy(data)
        for s in self.sources:
            key = f"x_{s}"
            if key not in data:
                raise ValueError(f"the data lacks {key}, which the statistics standardise "
                                 f"(sources {self.sources})")
            x = data[key]
            mean, std = self.stats(s)
            if x.size(-1) != mean.numel():
                raise ValueError(f"{key} has {x.size(-1)} features, the statistics "
                                 f"{mean.numel()}")
            z = (x - mean.to(x.device)) / std.to(x.device)
            # computed in the promoted dtype, kept in the features' own (as
            # torchvision's Normalize keeps it): 16-bit features stay 16-bit
            data[key] = z.to(x.dtype) if x.is_floating_point() else z
        return data

    def extra_repr(self) -> str:
        return ", ".join(f"{s}: {self.stats(s)[0].numel()}" for s in self.sources)
