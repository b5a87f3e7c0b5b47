"""Weakly-labelled anomaly streams spliced from labelled multi-sensor
recordings (any of them: a watch, a phone, a machine's sensors), written in
the public VAD layout and read back by
:class:`~pyg_fusion.datasets.VADFeatures`."""
from __future__ import annotations

import hashlib
import os.path as osp
import re
from typing import Callable, Sequence

import numpy as np

from .._option_rules import is_int
from ..functional._checks import channel_count
from ._args import check_dataset_args, check_seed
from ._base import RELOAD
from ._cache_names import data_code_hash, options_hash
from ._read_only import generation_turn
from ._generated import Generated, regenerate_on_reload
from .._files import write_json, write_text
from ._npy import save_npy
from ._recording_args import (axis_name, check_activities, check_pair, check_recordings,
                              check_sensors, digest_signal, file_safe)
from ._splice_streams import check_counts, splice_stream
from .snippet_features import STATISTICS, motion_snippet_features
from .vad import VADFeatures, VADLayout

class RecordingStreamsVAD(VADFeatures):
    r"""Weakly-labelled anomaly detection on streams spliced from labelled
    multi-sensor recordings: a stream is recordings of one activity, an
    anomaly a stretch of another activity spliced in.

    Give it the recordings of two disjoint groups (e.g. different people):
    the training streams are made only of ``train_recordings``, the test
    streams only of ``test_recordings``. :class:`MotionVAD` is this class on
    the UEA BasicMotions recordings.

    **Features** (:func:`motion_snippet_features`): every recording is cut
    into snippets of ``rate`` samples (samples past the last whole snippet
    are dropped); each ``sensors`` entry (a group of channels, e.g. the three
    axes of an accelerometer) is one source, with 8 statistics and the
    ``rate // 2`` spectrum amplitudes per channel and snippet. The features
    are not standardised (``standardize=True`` does it with the training
    split's statistics).

    **Streams** (all draws from ``numpy.random.default_rng(seed)``, the train
    split's videos first, then the test split's):

    1. Video ``i`` of a split with ``n`` videos is abnormal for
       ``i < ceil(n / 2)`` (abnormal videos first in the list, as RTFM's
       lists). Its base activity ``a`` cycles over ``normal_activities``
       (``normal_activities[i mod A]`` among the abnormal videos, and again
       among the normal ones), so every base activity is equally common in
       both classes.
    2. ``R`` uniform in ``recordings`` recordings of activity ``a`` are drawn
       without replacement from the split's recordings and concatenated:
       ``T`` snippets, the sum of their snippets. A recording may appear in
       several videos of its split, never in the other split.
    3. An abnormal video gets one contiguous stretch of another activity
       ``b`` (uniform among ``anomaly_activities`` other than ``a``): a
       uniform recording of ``b`` (same split), ``L`` uniform in
       ``anomaly_snippets`` consecutive snippets of it from a uniform start,
       replace the video's snippets ``t0 .. t0 + L - 1`` (``t0`` uniform in
       ``0 .. T - L``). Snippets are whole, so splicing the features equals
       splicing the signals at snippet boundaries.
    4. Video label: 1 when spliced. Ground truth: one "frame" per sample
       (``snippet_len = rate``), 1 on the spliced stretch.

    With ``normal_activities = anomaly_activities`` (the default: every
    activity), every activity is normal in some videos and anomalous in
    others, so a snippet's features alone say nothing about the anomaly:
    only its relation to the rest of its stream does (a context anomaly).
    Disjoint sets make the anomaly visible in the features alone.

    Written layout, under ``root/raw/<folder>/`` (``folder`` defaults to
    ``streams_<hash of the options and the recordings>``):
    ``features/<sensor>/<video>.npy`` (``[T, F]`` float32),
    ``list/{train,test}.list`` (feature paths, abnormal first),
    ``list/gt-{train,test}.npy`` (frame level, concatenated in list order) and
    ``streams.json`` (the options, the feature names and, per video, its base
    activity, the recordings it uses and the spliced stretch). It is then read
    by :class:`VADFeatures` as any public feature set (``labels="position"``).

    Args:
        root (str): dataset folder.
        split (str, optional): ``"train"`` or ``"test"``. (default: :obj:`"train"`)
        train_recordings (tuple, optional): ``(signals, activities)`` of the training group:
            ``signals`` a sequence of ``[channels, samples]`` arrays (lengths may differ; the
            same channels in every recording), ``activities`` one label per recording (ints
            or strings). Required, except in subclasses that read their own. (default:
            :obj:`None`)
        test_recordings (tuple, optional): the same for the test group, disjoint from the
            training group. (default: :obj:`None`)
        sensors (dict[str, Sequence[int] | slice], optional): source name -> the channels
            it reads, e.g. ``{"accel": [0, 1, 2], "gyro": [3, 4, 5]}``. Required with
            recordings. (default: :obj:`None`)
        rate (int, optional): samples per snippet (the sampling rate, for 1-s snippets).
            (default: :obj:`10`)
        num_videos (tuple[int, int], optional): ``(train, test)`` videos.
            (default: :obj:`(40, 40)`)
        recordings (tuple[int, int], optional): ``(min, max)`` recordings per video; every
            normal activity needs at least ``max`` recordings in each split. (default:
            ``(3, 5)``)
        anomaly_snippets (tuple[int, int], optional): ``(min, max)`` length of the spliced
            stretch in snippets; every recording of an anomaly activity needs at least
            ``max`` snippets. (default: ``(3, 8)``)
        normal_activities (Sequence, optional): the activities of a video's base stream.
            (default: :obj:`None`, every activity of the recordings, in order of first
            appearance)
        anomaly_activities (Sequence, optional): the activities that may be spliced into
            it, each different from the base. (default: :obj:`None`, every activity)
        seed (int, optional): the seed of everything. (default: :obj:`0`)
        folder (str, optional): subfolder of ``root/raw`` to write to; a folder that holds
            streams of other options, recordings, sensors or rate, or files the streams did not
            write, is an error, never reused. (default: :obj:`None`)
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

    #: the file the generator writes last (its options and what each video holds)
    record_name = "streams.json"
    #: what ``record_name`` says the recordings are
    description = "recordings given to RecordingStreamsVAD"
    #: the layout's name (the domain's name in results)
    layout_name = "recording_streams"

    def __init__(self, root: str, split: str = "train", *,
                 train_recordings: tuple | None = None,
                 test_recordings: tuple | None = None,
                 sensors: dict | None = None, rate: int = 10,
                 num_videos: tuple[int, int] = (40, 40),
                 recordings: tuple[int, int] = (3, 5),
                 anomaly_snippets: tuple[int, int] = (3, 8),
                 normal_activities: Sequence | None = None,
                 anomaly_activities: Sequence | None = None,
                 seed: int = 0, folder: str | None = None,
                 train_ground_truth: bool = False, num_segments: int | None = 32,
                 crops: str | int = "mean", standardize=False,
                 transform: Callable | None = None, pre_transform: Callable | None = None,
                 pre_filter: Callable | None = None, force_reload: bool = False,
                 log: bool = True):
        # before root is used: it names the folder generated into
        root = check_dataset_args(root, transform, pre_transform, pre_filter, force_reload,
                                  log)
        self.sensors = check_sensors(sensors)
        if not is_int(rate) or rate < 4:
            raise ValueError(f"rate must be an int >= 4 (samples per snippet), got {rate!r}")
        self.rate = int(rate)
        self._given = self._check_recordings(train_recordings, test_recordings)
        activities = self._activities()
        num_videos = check_pair("num_videos", num_videos, 2, None)
        recordings = check_pair("recordings", recordings, 1, None)
        anomaly_snippets = check_pair("anomaly_snippets", anomaly_snippets, 1, None)
        normal = check_activities("normal_activities", normal_activities, activities)
        anomaly = check_activities("anomaly_activities", anomaly_activities, activities)
        for a in normal:
            if not set(anomaly) - {a}:
                raise ValueError(f"anomaly_activities {anomaly} has no activity other than "
                                 f"the normal activity {a!r} to splice in")
        seed = check_seed(seed)
        self.gen = dict(num_videos=num_videos, recordings=recordings,
                        anomaly_snippets=anomaly_snippets, normal_activities=normal,
                        anomaly_activities=anomaly, seed=seed)
        self.tag = folder if folder is not None else self._default_folder()
        if (not isinstance(self.tag, str) or not self.tag.strip() or osp.isabs(self.tag)
                or ".." in self.tag.replace("\\", "/").split("/")):
            raise ValueError(f"folder must be a relative sub-folder name, got {folder!r}")
        half = {s: (n + 1) // 2 for s, n in zip(("train", "test"), num_videos)}
        layout = VADLayout(
            sources={s: f"features/{s}/{{name}}.npy" for s in self.sensors},
            train_list="list/train.list", test_list="list/test.list",
            gt={"test": "list/gt-test.npy",
                **({"train": "list/gt-train.npy"} if train_ground_truth else {})},
            labels="position", num_abnormal=half, folder=self.tag, name=self.layout_name,
            snippet_len=self.rate)
        # a damaged marker or a folder of other options is an error, which
        # --force-reload mends (it removes the marker unread); then streams of
        # these options made by other code are made again
        folder = osp.join(root, "raw", self.tag)
        with generation_turn(folder, "root (or folder)"):
            regenerate_on_reload(force_reload, folder, self.generated, "root (or folder)",
                                 check=self._check_record)
            super().__init__(root, split, layout, num_segments=num_segments, crops=crops,
                             standardize=standardize, transform=transform,
                             pre_transform=pre_transform, pre_filter=pre_filter,
                             force_reload=force_reload, log=log)
        # the streams are on disk now: a dataset copied to DataLoader workers
        # need not carry the recordings
        self.__dict__.pop("_given", None)

    # -- what subclasses that read their own recordings override ---------
    def _check_recordings(self, train, test) -> dict:
        if train is None or test is None:
            raise ValueError("train_recordings and test_recordings are required: each a pair "
                             "(signals, activities) of one group of recordings")
        if not self.sensors:
            raise ValueError("sensors is required: {source name: channels}, e.g. "
                             "{'accel': [0, 1, 2], 'gyro': [3, 4, 5]}")
        given = {"train": check_recordings("train_recordings", train),
                 "test": check_recordings("test_recordings", test)}
        channels = {x.shape[0] for X, _ in given.values() for x in X}
        if len(channels) > 1:
            raise ValueError(f"the recordings have {sorted(channels)} channels: every signal "
                             f"must be [channels, samples] with the same channels (a "
                             f"[samples, channels] array must be transposed)")
        C = channels.pop()
        top = max(c for chans in self.sensors.values() for c in chans)
        if top >= C:
            hint = (" (a [samples, channels] array must be transposed)"
                    if all(x.shape[0] > x.shape[1] for X, _ in given.values() for x in X)
                    else "")
            raise ValueError(f"sensors read channel {top}, but the recordings have "
                             f"{channel_count(C)}{hint}")
        if C > min(x.shape[1] for X, _ in given.values() for x in X):
            raise ValueError(f"every signal is [channels, samples], and some have fewer "
                             f"samples than their {C} channels: a [samples, channels] array "
                             f"must be transposed")
        seen = {digest_signal(x): i for i, x in enumerate(given["train"][0])}
        for j, x in enumerate(given["test"][0]):
            if digest_signal(x) in seen:
                raise ValueError(f"test_recordings[0][{j}] is train_recordings[0]"
                                 f"[{seen[digest_signal(x)]}]: the two groups must be disjoint")
        return given

    def _load(self, split: str) -> tuple[list[np.ndarray], np.ndarray]:
        return self._given[split]

    def _activities(self) -> list[str]:
        out = []
        for split in ("train", "test"):
            for a in self._given[split][1].tolist():
                if a not in out:
                    out.append(a)
        return out

    def _recordings_sha1(self) -> str | None:
        """A hash of the recordings and their activities (:obj:`None` where
        they are fixed, e.g. an archive's)."""
        digest = hashlib.sha1()
        for split in ("train", "test"):
            X, y = self._given[split]
            for x, a in zip(X, y):
                digest.update(f"{split}|{a}|".encode() + digest_signal(x).encode())
        return digest.hexdigest()

    def _made_of(self) -> dict:
        """What the streams are made of besides their options, as the record
        holds it: a folder given twice names streams of other recordings,
        sensors or rate that its options alone do not tell apart."""
        made = {"sensors": self.sensors, "snippet_len": self.rate}
        sha1 = self._recordings_sha1()
        return made if sha1 is None else {**made, "recordings_sha1": sha1}

    def _default_folder(self) -> str:
        options = dict(self.gen, sensors=self.sensors, rate=self.rate,
                       recordings_sha1=self._recordings_sha1())
        return f"streams_{options_hash(options)}"

    # -- generation --------------------------------------------------------
    @property
    def generated(self) -> Generated:
        """What :meth:`download` writes under ``root/raw/<folder>/``."""
        return Generated("the streams", self.record_name, ("options", "videos"),
                         rf"{re.escape(self.record_name)}|list/(train|test)\.list"
                         r"|list/gt-(train|test)\.npy"
                         r"|features/[^/]+/(train|test)_\d{4,}_[^/]*_(anomaly|normal)\.npy")

    @property
    def generated_folder(self) -> str:
        return osp.join(self.raw_dir, self.tag)

    @property
    def raw_file_names(self) -> list[str]:
        return [*super().raw_file_names, f"{self.tag}/{self.record_name}"]

    def _check_record(self, meta: str, written) -> None:
        # what regenerate_on_reload read of the marker (without force_reload)
        if isinstance(written, Exception):
            raise ValueError(f"{meta}: not the record of generated streams "
                             f"({type(written).__name__}: {written}); pass {RELOAD}, and they "
                             f"are generated again") from written
        if not (isinstance(written, dict) and all(k in written for k in self.generated.keys)):
            return  # a file of one's own: regenerate_on_reload refuses the folder, naming it
        if written["options"] != self.gen:
            raise ValueError(f"folder {self.tag!r} holds streams of other options "
                             f"({written['options']}); these are {self.gen}: choose another "
                             f"folder")
        # a record written before it held them is of other code: generated again
        other = [k for k, v in self._made_of().items() if k in written and written[k] != v]
        if other:
            names = {"sensors": "sensors", "snippet_len": "rate",
                     "recordings_sha1": "train_recordings / test_recordings"}
            raise ValueError(f"folder {self.tag!r} holds streams of other "
                             f"{', '.join(names[k] for k in other)}: choose another folder, "
                             f"or pass {RELOAD} to replace them")

    def download(self) -> None:
        """Build the streams from the recordings (nothing is downloaded)."""
        g = self.gen
        rng = np.random.default_rng(g["seed"])
        base = osp.join(self.raw_dir, self.tag)
        first = next(iter(self.sensors))
        groups = {}
        for split in ("train", "test"):  # both checked before a file is written
            X, y = self._load(split)
            feats = {s: [motion_snippet_features(x[ch], self.rate) for x in X]
                     for s, ch in self.sensors.items()}  # per recording [T_r, F]
            by_activity = {a: np.flatnonzero(y == a) for a in self._activities()}
            check_counts(g, self.rate, split, feats[first], by_activity)
            groups[split] = feats, by_activity
        videos = {}
        for split, n in zip(("train", "test"), g["num_videos"]):
            feats, by_activity = groups[split]
            n_abnormal = (n + 1) // 2
            lines, gts = [], []
            for i in range(n):
                label = int(i < n_abnormal)
                k = i if label else i - n_abnormal
                act = g["normal_activities"][k % len(g["normal_activities"])]
                video = (f"{split}_{i:04d}_{file_safe(act)}_"
                         f"{'anomaly' if label else 'normal'}")
                x, gt, info = splice_stream(g, rng, feats, by_activity, act, label)
                videos[video] = {"split": split, "label": label, **info}
                for s in self.sensors:
                    save_npy(osp.join(base, "features", s, f"{video}.npy"), x[s])
                lines.append(f"features/{first}/{video}.npy")
                gts.append(np.repeat(gt, self.rate).astype(np.uint8))
            write_text(osp.join(base, "list", f"{split}.list"), "\n".join(lines) + "\n")
            save_npy(osp.join(base, "list", f"gt-{split}.npy"), np.concatenate(gts))
        names = {s: [f"{axis_name(j, len(ch))}_{f}" for j in range(len(ch))
                     for f in (*STATISTICS, *(f"amp_{k}hz" for k in range(1, self.rate // 2 + 1)))]
                 for s, ch in self.sensors.items()}
        write_json(osp.join(base, self.record_name),
                   {"options": g, "code": data_code_hash(), "source": self.description,
                    **self._made_of(), "features": names, "videos": videos})

    def _repr_options(self) -> str:
        return f"split={self.split!r}, seed={self.gen['seed']}"
