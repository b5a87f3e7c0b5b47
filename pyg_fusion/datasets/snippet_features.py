"""Features of fixed-length snippets of a multi-axis sensor signal."""
from __future__ import annotations

import numpy as np

from .._option_rules import is_int
from ._npy import nonfinite

STATISTICS = ("mean", "std", "min", "max", "median", "iqr", "mean_abs_diff", "mean_cross_rate")


def motion_snippet_features(signal: np.ndarray, rate: int = 10) -> np.ndarray:
    r"""Per-axis statistics and amplitude spectrum of every whole snippet of
    ``rate`` samples of a multi-axis signal.

    Per axis and snippet ``x`` of ``rate`` samples: mean, standard deviation,
    min, max, median, interquartile range, mean absolute successive
    difference, the rate at which ``x`` crosses its mean, and the amplitudes
    ``|rfft(x - mean(x))_k| / rate`` at ``k = 1 .. rate // 2`` cycles per
    snippet (Hz for 1-s snippets; 13 values per axis at ``rate = 10``,
    ``8 + rate // 2`` in general). Samples past the last whole snippet are
    dropped.

    Args:
        signal (np.ndarray): ``[axes, samples]``, finite (NaN or Inf is an
            error naming the first's axis and sample).
        rate (int, optional): samples per snippet (the sampling rate, for 1-s
            snippets). (default: :obj:`10`)

    Returns:
        ``[samples // rate, axes * (8 + rate // 2)]`` float32, axis-major (all
        features of axis 0, then axis 1, ...).
    """
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim != 2:
        raise ValueError(f"signal must be [axes, samples], got shape {signal.shape}")
    if not is_int(rate) or rate < 4:
        raise ValueError(f"rate must be an int >= 4, got {rate!r}")
    rate = int(rate)
    if signal.shape[0] > signal.shape[1]:
        # a [samples, axes] recording (seglearn's, pandas' layout) would give one
        # feature block per sample, silently
        raise ValueError(f"signal must be [axes, samples], got shape {signal.shape}: more "
                         f"axes than samples; a [samples, axes] array must be transposed "
                         f"(signal.T)")
    bad = nonfinite(signal)
    if bad is not None:  # every statistic of its snippet, and the spectrum, would be NaN
        raise ValueError(f"signal holds NaN or Inf ({bad[0]} value(s), the first at axis "
                         f"{bad[1][0]}, sample {bad[1][1]}); expected finite samples")
    T = signal.shape[1] // rate
    if T == 0:
        raise ValueError(f"signal has {signal.shape[1]} samples, fewer than one snippet "
                         f"({rate})")
    x = signal[:, :T * rate].reshape(signal.shape[0], T, rate)  # [axes, T, rate]
    mean = x.mean(-1, keepdims=True)
    q25, med, q75 = np.percentile(x, [25, 50, 75], axis=-1)
    centred = x - mean
    above = centred > 0
    feats = [mean[..., 0], x.std(-1), x.min(-1), x.max(-1), med, q75 - q25,
             np.abs(np.diff(x, axis=-1)).mean(-1),
             (above[..., 1:] != above[..., :-1]).mean(-1)]
    amp = np.abs(np.fft.rfft(centred, axis=-1))[..., 1:rate // 2 + 1] / rate
    out = np.concatenate([np.stack(feats, -1), amp], -1)  # [axes, T, 8 + rate // 2]
    return out.transpose(1, 0, 2).reshape(T, -1).astype(np.float32)
