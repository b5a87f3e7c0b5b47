"""A video-anomaly benchmark on real sensor streams: the UEA BasicMotions
recordings (smart-watch accelerometer and gyroscope) that ship inside aeon,
spliced into streams, written in the public VAD layout and read back by
:class:`~pyg_fusion.datasets.VADFeatures`."""
from __future__ import annotations

import json
import numbers
import os.path as osp
from typing import Callable, Sequence

import numpy as np

from ._base import RELOAD, check_seed, options_hash, regenerate_on_reload
from .._files import write_json, write_text
from ._io import save_npy
from .vad import VADFeatures, VADLayout

ACTIVITIES = ("standing", "walking", "running", "badminton")
SENSORS = {"accel": slice(0, 3), "gyro": slice(3, 6)}
RATE = 10  # samples per second, one snippet = one second
STATISTICS = ("mean", "std", "min", "max", "median", "iqr", "mean_abs_diff", "mean_cross_rate")
SPECTRUM = tuple(f"amp_{k}hz" for k in range(1, RATE // 2 + 1))
FEATURES_PER_AXIS = len(STATISTICS) + len(SPECTRUM)  # 13; 39 per 3-axis sensor


def _aeon_basic_motions(split: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        from aeon.datasets import load_basic_motions
    except ImportError as exc:
        raise ImportError("MotionVAD reads the UEA BasicMotions recordings that ship inside "
                          "aeon, which is not installed: pip install 'pyg-fusion[motion]' "
                          "(or pip install aeon)") from exc
    X, y = load_basic_motions(split=split.upper())
    return np.asarray(X, dtype=np.float64), np.asarray([str(v).lower() for v in y])


def motion_snippet_features(signal: np.ndarray, rate: int = RATE) -> np.ndarray:
    r"""Per-axis statistics and amplitude spectrum of every whole 1-s snippet
    of a multi-axis signal.

    Per axis and snippet of ``rate`` samples ``x``: mean, standard deviation,
    min, max, median, interquartile range, mean absolute successive
    difference, the rate at which ``x`` crosses its mean, and the amplitudes
    ``|rfft(x - mean(x))_k| / rate`` at ``k = 1 .. rate // 2`` Hz (13 values
    at 10 Hz). Samples past the last whole snippet are dropped.

    Args:
        signal (np.ndarray): ``[axes, samples]``.
        rate (int, optional): samples per snippet. (default: :obj:`10`)

    Returns:
        ``[samples // rate, axes * 13]`` float32, axis-major (all features of
        axis 0, then axis 1, ...).
    """
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim != 2:
        raise ValueError(f"signal must be [axes, samples], got shape {signal.shape}")
    if not (isinstance(rate, int) and rate >= 4):
        raise ValueError(f"rate must be an int >= 4, got {rate!r}")
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
    out = np.concatenate([np.stack(feats, -1), amp], -1)  # [axes, T, 13]
    return out.transpose(1, 0, 2).reshape(T, -1).astype(np.float32)


class MotionVAD(VADFeatures):
    r"""Weakly-labelled anomaly detection on real multi-sensor streams: the
    UEA BasicMotions smart-watch recordings (Bagnall et al., *The UEA
    multivariate time series classification archive, 2018*), spliced into
    streams in which an anomaly is a stretch of a different activity.

    **Data.** 80 recordings (40 in the archive's train file, 40 in its test
    file, 10 per activity in each) of four students performing four
    activities (standing, walking, running, badminton) while wearing a smart
    watch; each recording is 10 s of six channels at 10 Hz. Channels 0-2 are
    read as the 3-axis accelerometer and 3-5 as the 3-axis gyroscope (the
    archive's order; the files do not name the channels). The files ship
    inside the ``aeon`` package (``aeon.datasets.load_basic_motions`` reads
    ``aeon/datasets/data/BasicMotions/*.ts`` from the installed package: no
    network access); ``aeon`` is an optional dependency
    (``pip install 'pyg-fusion[motion]'``). aeon distributes them under its
    BSD-3-Clause licence; the archive publishes them for research use, to be
    cited as above. **Train and test streams use disjoint recordings**: the
    training split draws only from the archive's train file, the test split
    only from its test file. The archive publishes no participant
    identifiers, so whether its split also separates people cannot be
    checked; it is not claimed.

    **Features** (:func:`motion_snippet_features`): each recording is cut
    into ten 1-s snippets of 10 samples; per snippet and axis, 8 statistics
    and the 5 amplitudes of the 1-5 Hz spectrum, so two sources of equal
    width: ``accel`` (39) and ``gyro`` (39). The features are not
    standardised (``standardize=True`` does it with the training split's
    statistics); their scales differ by orders of magnitude between
    activities and features.

    **Streams** (all draws from ``numpy.random.default_rng(seed)``, the train
    split's videos first, then the test split's):

    1. Video ``i`` of a split with ``n`` videos is abnormal for
       ``i < ceil(n / 2)`` (abnormal videos first in the list, as RTFM's
       lists). Its base activity ``a`` cycles over ``normal_activities``
       (``normal_activities[i mod A]`` among the abnormal videos, and again
       among the normal ones), so every base activity is equally common in
       both classes.
    2. ``R`` uniform in ``recordings`` recordings of activity ``a`` are drawn
       without replacement from the split's file and concatenated:
       ``T = 10 R`` snippets. A recording may appear in several videos of its
       split, never in the other split.
    3. An abnormal video gets one contiguous stretch of another activity
       ``b`` (uniform among ``anomaly_activities`` other than ``a``):
       ``L`` uniform in ``anomaly_snippets`` consecutive snippets, starting
       at a uniform snippet of a uniform recording of ``b`` (same split),
       replace the video's snippets ``t0 .. t0 + L - 1`` (``t0`` uniform in
       ``0 .. T - L``). Snippets are whole seconds, so splicing the features
       equals splicing the signals at second boundaries.
    4. Video label: 1 when spliced. Ground truth: one "frame" per sample
       (``snippet_len = 10``), 1 on the spliced stretch.

    With the default ``normal_activities = anomaly_activities`` = all four,
    every activity is normal in some videos and anomalous in others, so a
    snippet's features alone say nothing about the anomaly: only its
    relation to the rest of its stream does (a context anomaly, as most
    real VAD anomalies). Disjoint sets (e.g. normal ``("standing",
    "walking")``, anomalies ``("running", "badminton")``) make the anomaly
    visible in the features alone.

    Written layout, under ``root/raw/<folder>/`` (``folder`` defaults to
    ``motion_<hash of the options>``): ``features/{accel,gyro}/<video>.npy``
    (``[T, 39]`` float32), ``list/{train,test}.list`` (feature paths,
    abnormal first), ``list/gt-{train,test}.npy`` (frame level, concatenated
    in list order) and ``motion.json`` (the options, the feature names and,
    per video, its base activity, the archive recordings it uses and the
    spliced stretch). It is then read by :class:`VADFeatures` as any public
    feature set (``labels="position"``).

    Args:
        root (str): dataset folder.
        split (str, optional): ``"train"`` or ``"test"``. (default: :obj:`"train"`)
        num_videos (tuple[int, int], optional): ``(train, test)`` videos (default: ``(40,
            40)``).
        recordings (tuple[int, int], optional): ``(min, max)`` recordings per video (default:
            ``(3, 5)``: 30 to 50 snippets; at most 10, the recordings of one activity in a
            split).
        anomaly_snippets (tuple[int, int], optional): ``(min, max)`` length of the spliced
            stretch in snippets (default: ``(3, 8)``; at most 10, one recording).
        normal_activities (Sequence[str], optional): the activities of a video's base stream
            (default: all four).
        anomaly_activities (Sequence[str], optional): the activities that may be spliced into
            it, each different from the base (default: all four).
        seed (int, optional): the seed of everything (default: 0).
        folder (str, optional): subfolder of ``root/raw`` to write to; a folder that holds
            streams of other options is an error, never reused. (default: :obj:`None`)
        train_ground_truth (bool, optional): also attach ``frame_gt`` to the training videos
            (for analysis; weakly supervised training must not use it). (default: :obj:`False`)
        num_segments (int, optional): as in :class:`VADFeatures`. (default: :obj:`32`)
        crops (str or int, optional): as in :class:`VADFeatures`. (default: :obj:`"mean"`)
        standardize (bool or StandardizeSources, optional): as in :class:`VADFeatures`.
            (default: :obj:`False`)
        transform (callable, optional): a function/transform that takes a
            :class:`~torch_geometric.data.Data` object and returns a transformed version,
            applied on every access. (default: :obj:`None`)
        pre_transform (callable, optional): a function/transform applied to every
            :class:`~torch_geometric.data.Data` object before it is saved to disk.
            (default: :obj:`None`)
        pre_filter (callable, optional): a function that takes a
            :class:`~torch_geometric.data.Data` object and returns whether it belongs in the
            dataset. (default: :obj:`None`)
        force_reload (bool, optional): build the streams again (both splits' files) and
            re-process this split. (default: :obj:`False`)
        log (bool, optional): print progress while processing. (default: :obj:`True`)
    """

    def __init__(self, root: str, split: str = "train", *,
                 num_videos: tuple[int, int] = (40, 40),
                 recordings: tuple[int, int] = (3, 5),
                 anomaly_snippets: tuple[int, int] = (3, 8),
                 normal_activities: Sequence[str] = ACTIVITIES,
                 anomaly_activities: Sequence[str] = ACTIVITIES,
                 seed: int = 0, folder: str | None = None,
                 train_ground_truth: bool = False, num_segments: int | None = 32,
                 crops: str | int = "mean", standardize=False,
                 transform: Callable | None = None, pre_transform: Callable | None = None,
                 pre_filter: Callable | None = None, force_reload: bool = False,
                 log: bool = True):
        num_videos = _pair("num_videos", num_videos, 2, None)
        recordings = _pair("recordings", recordings, 1, 10)
        anomaly_snippets = _pair("anomaly_snippets", anomaly_snippets, 1, RATE)
        normal_activities = _activities("normal_activities", normal_activities)
        anomaly_activities = _activities("anomaly_activities", anomaly_activities)
        for a in normal_activities:
            if not set(anomaly_activities) - {a}:
                raise ValueError(f"anomaly_activities {anomaly_activities} has no activity "
                                 f"other than the normal activity {a!r} to splice in")
        check_seed(seed)
        self.gen = dict(num_videos=num_videos, recordings=recordings,
                        anomaly_snippets=anomaly_snippets,
                        normal_activities=normal_activities,
                        anomaly_activities=anomaly_activities, seed=seed)
        self.tag = folder if folder is not None else f"motion_{options_hash(self.gen)}"
        if not self.tag or osp.isabs(self.tag) or ".." in self.tag.split("/"):
            raise ValueError(f"folder must be a relative sub-folder name, got {folder!r}")
        half = {s: (n + 1) // 2 for s, n in zip(("train", "test"), num_videos)}
        layout = VADLayout(
            sources={s: f"features/{s}/{{name}}.npy" for s in SENSORS},
            train_list="list/train.list", test_list="list/test.list",
            gt={"test": "list/gt-test.npy",
                **({"train": "list/gt-train.npy"} if train_ground_truth else {})},
            labels="position", num_abnormal=half, folder=self.tag, name="basic_motions",
            snippet_len=RATE)
        # the marker first: a damaged one is what --force-reload replaces
        regenerate_on_reload(force_reload, osp.join(osp.expanduser(root), "raw", self.tag,
                                                    "motion.json"))
        self._check_folder(osp.expanduser(root))
        super().__init__(root, split, layout, num_segments=num_segments, crops=crops,
                         standardize=standardize, transform=transform,
                         pre_transform=pre_transform, pre_filter=pre_filter,
                         force_reload=force_reload, log=log)

    @property
    def generated_folder(self) -> str:
        return osp.join(self.raw_dir, self.tag)

    @property
    def raw_file_names(self) -> list[str]:
        return [*super().raw_file_names, f"{self.tag}/motion.json"]

    def _check_folder(self, root: str) -> None:
        meta = osp.join(root, "raw", self.tag, "motion.json")
        if not osp.isfile(meta):
            return
        try:
            with open(meta, encoding="utf-8") as f:
                written = json.load(f)["options"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{meta}: not the record of generated streams "
                             f"({type(exc).__name__}: {exc}); pass {RELOAD}, and they are "
                             f"generated again") from exc
        if written != self.gen:
            raise ValueError(f"folder {self.tag!r} holds streams of other options ({written}); "
                             f"these are {self.gen}: choose another folder")

    def download(self) -> None:
        """Build the streams from aeon's bundled recordings (nothing is
        downloaded)."""
        g = self.gen
        rng = np.random.default_rng(g["seed"])
        base = osp.join(self.raw_dir, self.tag)
        videos = {}
        for split, n in zip(("train", "test"), g["num_videos"]):
            X, y = _aeon_basic_motions(split)
            feats = {s: np.stack([motion_snippet_features(x[sl]) for x in X])
                     for s, sl in SENSORS.items()}  # [recordings, 10, 39]
            by_activity = {a: np.flatnonzero(y == a) for a in ACTIVITIES}
            for a in g["normal_activities"]:
                if len(by_activity[a]) < g["recordings"][1]:
                    raise ValueError(f"the {split} file has {len(by_activity[a])} recordings "
                                     f"of {a!r}, fewer than recordings[1] = "
                                     f"{g['recordings'][1]}")
            n_abnormal = (n + 1) // 2
            lines, gts = [], []
            for i in range(n):
                label = int(i < n_abnormal)
                k = i if label else i - n_abnormal
                act = g["normal_activities"][k % len(g["normal_activities"])]
                video = f"{split}_{i:04d}_{act}_{'anomaly' if label else 'normal'}"
                x, gt, info = self._stream(rng, feats, by_activity, act, label)
                videos[video] = {"split": split, "label": label, **info}
                for s in SENSORS:
                    save_npy(osp.join(base, "features", s, f"{video}.npy"), x[s])
                lines.append(f"features/{next(iter(SENSORS))}/{video}.npy")
                gts.append(np.repeat(gt, RATE).astype(np.uint8))
            write_text(osp.join(base, "list", f"{split}.list"), "\n".join(lines) + "\n")
            save_npy(osp.join(base, "list", f"gt-{split}.npy"), np.concatenate(gts))
        names = [f"{ax}_{f}" for ax in "xyz" for f in (*STATISTICS, *SPECTRUM)]
        write_json(osp.join(base, "motion.json"),
                   {"options": g, "source": "UEA BasicMotions (aeon.datasets.load_basic_motions)",
                    "sensors": {s: [sl.start, sl.stop] for s, sl in SENSORS.items()},
                    "features": names, "snippet_len": RATE, "videos": videos})

    def _stream(self, rng, feats, by_activity, act, label):
        g = self.gen
        R = int(rng.integers(g["recordings"][0], g["recordings"][1] + 1))
        recs = rng.choice(by_activity[act], size=R, replace=False)
        x = {s: np.concatenate(f[recs]) for s, f in feats.items()}
        T = R * RATE
        gt = np.zeros(T, dtype=np.int64)
        info = {"activity": act, "recordings": [int(r) for r in recs]}
        if label:
            others = [b for b in g["anomaly_activities"] if b != act]
            b = others[int(rng.integers(len(others)))]
            rec = int(rng.choice(by_activity[b]))
            L = int(rng.integers(g["anomaly_snippets"][0], g["anomaly_snippets"][1] + 1))
            src = int(rng.integers(0, RATE - L + 1))
            t0 = int(rng.integers(0, T - L + 1))
            for s in x:
                x[s][t0:t0 + L] = feats[s][rec, src:src + L]
            gt[t0:t0 + L] = 1
            info["anomaly"] = {"start": t0, "end": t0 + L, "activity": b, "recording": rec,
                               "recording_start": src}
        return x, gt, info

    def _repr_options(self) -> str:
        return f"split={self.split!r}, seed={self.gen['seed']}"


def _pair(name, value, lo, hi) -> list[int]:
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of ints, got {value!r}") from None
    if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in (a, b)):
        raise ValueError(f"{name} must be a pair of ints, got {value!r}")  # 2.9 was read as 2
    a, b = int(a), int(b)
    if name == "num_videos":
        if min(a, b) < lo:
            raise ValueError(f"{name} must be (train, test), each >= {lo}, got {value!r}")
    elif not lo <= a <= b <= hi:
        raise ValueError(f"{name} must be (min, max) with {lo} <= min <= max <= {hi}, "
                         f"got {value!r}")
    return [a, b]


def _activities(name, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    out = [str(v).lower() for v in value]
    bad = [v for v in out if v not in ACTIVITIES]
    if bad or not out or len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct activities among {ACTIVITIES}, "
                         f"got {list(value)!r}")
    return out
