"""A video-anomaly benchmark on real sensor streams: the UEA BasicMotions
recordings (smart-watch accelerometer and gyroscope) that ship inside aeon,
spliced into streams by :class:`~pyg_fusion.datasets.RecordingStreamsVAD`."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ._cache_names import options_hash
from ._named_sources import SENSORS
from ._recording_args import check_pair
from .recording_streams import RecordingStreamsVAD
from .snippet_features import STATISTICS, motion_snippet_features  # noqa: F401

ACTIVITIES = ("standing", "walking", "running", "badminton")
RATE = 10  # samples per second, one snippet = one second
SPECTRUM = tuple(f"amp_{k}hz" for k in range(1, RATE // 2 + 1))
FEATURES_PER_AXIS = len(STATISTICS) + len(SPECTRUM)  # 13; 39 per 3-axis sensor
SNIPPETS_PER_RECORDING = 10  # 10 s at 10 Hz


def _aeon_basic_motions(split: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        from aeon.datasets import load_basic_motions
    except ImportError as exc:
        raise ImportError("MotionVAD reads the UEA BasicMotions recordings that ship inside "
                          "aeon, which is not installed: pip install 'pyg-fusion[motion]' "
                          "(or pip install aeon)") from exc
    X, y = load_basic_motions(split=split.upper())
    return np.asarray(X, dtype=np.float64), np.asarray([str(v).lower() for v in y])


class MotionVAD(RecordingStreamsVAD):
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

    **Streams**: :class:`RecordingStreamsVAD`'s procedure (its docstring),
    on these recordings: a normal video is ``R`` uniform in ``recordings``
    recordings of one activity (30 to 50 snippets with the default 3-5), an
    abnormal one also has ``L`` uniform in ``anomaly_snippets`` snippets of
    another activity spliced in; the activities cycle so that each is equally
    common in both classes. With the default ``normal_activities =
    anomaly_activities`` = all four, every activity is normal in some videos
    and anomalous in others, so a snippet's features alone say nothing about
    the anomaly: only its relation to the rest of its stream does (a context
    anomaly, as most real VAD anomalies). Disjoint sets (e.g. normal
    ``("standing", "walking")``, anomalies ``("running", "badminton")``) make
    the anomaly visible in the features alone.

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
        num_videos (tuple[int, int], optional): ``(train, test)`` videos.
            (default: :obj:`(40, 40)`)
        recordings (tuple[int, int], optional): ``(min, max)`` recordings per video (the
            default gives 30 to 50 snippets; at most 10, the recordings of one activity in a
            split). (default: :obj:`(3, 5)`)
        anomaly_snippets (tuple[int, int], optional): ``(min, max)`` length of the spliced
            stretch in snippets (at most 10, one recording). (default: :obj:`(3, 8)`)
        normal_activities (Sequence[str], optional): the activities of a video's base stream.
            (default: :obj:`("standing", "walking", "running", "badminton")`, all four)
        anomaly_activities (Sequence[str], optional): the activities that may be spliced into
            it, each different from the base. (default: :obj:`("standing", "walking",
            "running", "badminton")`, all four)
        seed (int, optional): the seed of everything. (default: :obj:`0`)
        folder (str, optional): subfolder of ``root/raw`` to write to; a folder that holds
            streams of other options, or files the streams did not write, is an error, never
            reused. (default: :obj:`None`)
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

    record_name = "motion.json"
    description = "UEA BasicMotions (aeon.datasets.load_basic_motions)"
    layout_name = "basic_motions"

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
        # the archive's shape is known without reading it: checked here, so
        # that a bad option fails before aeon is imported
        check_pair("recordings", recordings, 1, SNIPPETS_PER_RECORDING)
        check_pair("anomaly_snippets", anomaly_snippets, 1, SNIPPETS_PER_RECORDING)
        super().__init__(
            root, split, sensors=SENSORS, rate=RATE, num_videos=num_videos,
            recordings=recordings, anomaly_snippets=anomaly_snippets,
            normal_activities=_lower(normal_activities),
            anomaly_activities=_lower(anomaly_activities), seed=seed, folder=folder,
            train_ground_truth=train_ground_truth, num_segments=num_segments, crops=crops,
            standardize=standardize, transform=transform, pre_transform=pre_transform,
            pre_filter=pre_filter, force_reload=force_reload, log=log)

    # aeon is read only when the streams are built: a built folder loads
    # without it
    def _check_recordings(self, train, test) -> dict:
        return {}

    def _load(self, split: str):
        return _aeon_basic_motions(split)

    def _activities(self) -> list[str]:
        return list(ACTIVITIES)

    def _recordings_sha1(self) -> None:
        return None  # the archive's, fixed

    def _default_folder(self) -> str:
        return f"motion_{options_hash(self.gen)}"


def _lower(value):
    if isinstance(value, str):
        value = [value]
    return [str(v).lower() for v in value]
