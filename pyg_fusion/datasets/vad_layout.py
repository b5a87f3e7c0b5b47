"""Where a VAD feature set lives and how its files are read: the layout of
one feature set (:class:`VADLayout`) and the reading of its list files,
feature files, crops and labels (a mix-in of
:class:`~pyg_fusion.datasets.VADFeatures`; the rule of the labels:
:mod:`._vad_video_labels`)."""
from __future__ import annotations

import contextlib
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..functional._checks import check_int
from ._npy import load_npy
from ._listing import FolderListings
from ._vad_lists import VIDEO_EXTENSIONS, list_rows
from ._vad_video_labels import video_labels

def check_crop_axis(seen: dict, feats: dict, where: str) -> None:
    """Refuses ``[crops, T, F]`` files (crops first, as some extractors save
    them), read as ``[T, crops, F]``: every video had as many snippets as
    crops and its crops were the mean over time, without a word. Their sign,
    over the videos read so far (``seen``): the first axis the same in every
    file, the second not (a feature set's crop count is one). Likewise
    ``[F, T]`` files of one crop, whose last axis varies.

    Args:
        seen (dict): ``{source: (first axes, second axes, last axes)}`` of the videos
            read so far, updated here.
        feats (dict): ``{source: [T, crops, F] array}`` of the video just read.
        where (str): the video, as errors name it.
    """
    for s, a in feats.items():
        firsts, seconds, lasts = seen.setdefault(s, (set(), set(), set()))
        firsts.add(a.shape[0])
        seconds.add(a.shape[1])
        lasts.add(a.shape[-1])
        if len(firsts) == 1 and len(seconds) > 1:
            raise ValueError(f"{where}: source {s!r}: every file so far is {a.shape[0]} on its "
                             f"first axis and varies on its second ({sorted(seconds)}): "
                             f"[crops, T, F] files? they are read as [T, crops, F] (RTFM's "
                             f"layout): save each as np.swapaxes(a, 0, 1)")
        if len(firsts) == 1 and seconds == {1} and len(lasts) > 1:
            # [F, T] files (MATLAB's column order): their features were said to
            # differ in width only once every video was read
            raise ValueError(f"{where}: source {s!r}: every file so far is {a.shape[0]} on its "
                             f"first axis and varies on its last ({sorted(lasts)}): [F, T] "
                             f"files (features first)? they are read as [T, F]: save each "
                             f"as a.T")


@dataclass
class VADLayout:
    r"""Where one VAD feature set lives and how to read it. Paths are relative
    to ``root/raw/<folder>``.

    Args:
        sources (Mapping[str, str]): ``{source: pattern}``. A pattern holds ``{name}`` (the
            video name) and, for one file per crop, ``{crop}``: ``"i3d/{name}_i3d.npy"``,
            ``"clip/{name}__{crop}.npy"``. A pattern without ``{name}`` is a folder holding
            ``{name}.npy`` or ``{name}__{crop}.npy``.
        train_list (str, optional): list files, one video per line (a feature file path, a
            name, or a video file: ``Abuse028_x264.mp4`` is the video ``Abuse028_x264``;
            crop files of one video are merged; an optional second comma-separated column
            is the label, as VadCLIP's CSVs). Without one, the videos are the sorted names
            found for the first source. (default: :obj:`None`)
        test_list (str, optional): list files, one video per line (a feature file path, a
            name, or a video file: ``Abuse028_x264.mp4`` is the video ``Abuse028_x264``;
            crop files of one video are merged; an optional second comma-separated column
            is the label, as VadCLIP's CSVs). Without one, the videos are the sorted names
            found for the first source. (default: :obj:`None`)
        gt (str | Mapping[str, str], optional): frame-level ground truth of the test split: one
            ``.npy`` concatenated over the test videos in list order, or a pattern with
            ``{name}`` (one file per video; a normal video's may be left out, its frames
            all 0); a dict ``{split: ...}`` also gives one for the
            training split. (default: :obj:`None`)
        labels (str, optional): video labels from ``"position"`` (the first ``num_abnormal``
            videos of the list are abnormal), ``"name"`` (normal when the name matches
            ``normal_pattern``), ``"list"`` (the list's label column: normal when it matches
            ``normal_pattern`` or is ``0`` / ``false`` / ``A``, XD-Violence's normal class in
            VadCLIP's CSVs), or ``"auto"`` (list column, else position if ``num_abnormal`` is
            given, else name; a list column or names without a normal video is then an
            error), or ``"none"`` (the videos carry no label ``y``: videos to score without
            ground truth, e.g. new ones; not for the training split). (default: :obj:`"auto"`)
        num_abnormal (int | Mapping[str, int], optional): int, or ``{split: int}``. (default:
            :obj:`None`)
        normal_pattern (str, optional): regular expression of normal videos' names / labels
            (UCF-Crime ``Normal_Videos``, XD-Violence ``label_A``; ``normal`` after a
            letter, as in ``Abnormal``, does not count). (default:
            :obj:`"(?i)(?<![a-z])normal|label_A"`)
        rates (Mapping[str, int], optional): ``{source: units per snippet}`` for sources at a
            finer temporal level (e.g. 16 for per-frame features beside 16-frame snippets); a
            source not named has 1. (default: :obj:`{}`)
        folder (str, optional): subfolder of ``root/raw`` holding this feature set, or the
            absolute path of its folder. (default: :obj:`""`)
        name (str, optional): domain name. (default: :obj:`None`, ``folder`` or
            ``domain<k>``)
        snippet_len (int, optional): frames per snippet (16 for I3D / C3D snippets). (default:
            :obj:`16`)
    """
    sources: Mapping[str, str]
    train_list: str | None = None
    test_list: str | None = None
    gt: str | Mapping[str, str] | None = None
    labels: str = "auto"
    num_abnormal: int | Mapping[str, int] | None = None
    normal_pattern: str = r"(?i)(?<![a-z])normal|label_A"
    rates: Mapping[str, int] = field(default_factory=dict)
    folder: str = ""
    name: str | None = None
    snippet_len: int = 16

    def __post_init__(self):
        if not isinstance(self.sources, Mapping):
            # a string or the command line's ['rgb=f/{name}.npy'] said "source
            # name '/' must be letters ..." (its letters or items taken for names)
            raise TypeError(f"sources must be a dict {{source name: path pattern}}, e.g. "
                            f"{{'i3d': 'i3d/{{name}}.npy'}}, got {self.sources!r}")
        if not self.sources:
            raise ValueError("sources must name at least one source")
        if isinstance(self.gt, Mapping) and set(self.gt) - {"train", "test"}:
            # gt={'tst': ...} (a typo) left the test split without ground truth
            raise ValueError(f"gt's keys must be 'train' / 'test', got {sorted(self.gt)}")
        for s in self.sources:
            if not re.fullmatch(r"[A-Za-z0-9_]+", str(s)):
                raise ValueError(f"source name {s!r} must be letters, digits or '_'")
        if self.labels not in ("auto", "position", "name", "list", "none"):
            raise ValueError(f"labels must be 'auto', 'position', 'name', 'list' or 'none', "
                             f"got {self.labels!r}")
        for s, r in self.rates.items():
            if s not in self.sources:
                raise ValueError(f"rates names {s!r}, which is not a source "
                                 f"({list(self.sources)})")
        # a new dict: the caller's mapping is not written to
        self.rates = {s: check_int(f"rates[{s!r}]", r, minimum=1) for s, r in self.rates.items()}
        counts = (dict(self.num_abnormal) if isinstance(self.num_abnormal, Mapping)
                  else {"train": self.num_abnormal, "test": self.num_abnormal})
        for split, n in counts.items():
            if split not in ("train", "test"):
                raise ValueError(f"num_abnormal's keys must be 'train' / 'test', got {split!r}")
            try:
                # numpy's integers too (a count read from an array), stored as ints
                counts[split] = None if n is None else check_int("num_abnormal", n, minimum=0)
            except (TypeError, ValueError):
                raise ValueError(f"num_abnormal must be an int >= 0 (or {{split: int}}), got "
                                 f"{self.num_abnormal!r}") from None
        self.num_abnormal = counts if isinstance(self.num_abnormal, Mapping) else counts["test"]
        if self.labels in ("name", "list", "none") and any(n is not None
                                                            for n in counts.values()):
            # recorded with the run but never read: the labels would not be what it says
            raise ValueError(f"num_abnormal={self.num_abnormal!r} is read only with labels="
                             f"'position' (or 'auto' without a label column), not with "
                             f"labels={self.labels!r}: drop one of them (pyg-fusion: "
                             f"--vad-num-abnormal, --vad-labels)")
        try:
            re.compile(self.normal_pattern)
        except (re.error, TypeError) as exc:
            raise ValueError(f"normal_pattern {self.normal_pattern!r} is not a regular "
                             f"expression ({exc})") from None
        self.snippet_len = check_int("snippet_len", self.snippet_len, minimum=1)

    def list_file(self, split: str) -> str | None:
        return self.train_list if split == "train" else self.test_list

    def gt_file(self, split: str) -> str | None:
        if isinstance(self.gt, Mapping):
            return self.gt.get(split)
        return self.gt if split == "test" else None

    def abnormal_count(self, split: str) -> int | None:
        if isinstance(self.num_abnormal, Mapping):
            return self.num_abnormal.get(split)
        return self.num_abnormal


class _LayoutReader:
    """Reads the files of a :class:`VADLayout` for the ``split``, ``crops`` and
    ``raw_dir`` of the dataset it is mixed into."""

    def _dir(self, layout: VADLayout) -> str:
        return osp.join(self.raw_dir, layout.folder)

    @contextlib.contextmanager
    def _listed_once(self):
        """Each feature folder listed once while the files are read (a glob per list
        line and per video listed it 1,900 times for UCF-Crime)."""
        if getattr(self, "_listings", None) is not None:
            yield
            return
        self._listings = FolderListings()
        try:
            yield
        finally:
            self._listings = None

    def _files(self, layout: VADLayout, pattern: str, **values) -> list[str]:
        """The files of ``pattern`` (``{name}`` / ``{crop}`` set to ``values``, the
        rest any text) in the layout's folder."""
        listings = getattr(self, "_listings", None) or FolderListings()
        return listings.files(self._dir(layout), pattern, **values)

    def _videos(self, layout: VADLayout) -> tuple[list[str], list[str] | None]:
        """Video names in list order, and the list's label column if any."""
        base = self._dir(layout)
        list_file = layout.list_file(self.split)
        if list_file is None:
            return self._discover(layout), None
        path = osp.join(base, list_file)
        rows = list_rows(path)
        names, labels, seen = [], [], {}
        with self._listed_once():
            for row in rows:
                entry, label = row[0], ",".join(row[1:]).strip()
                name = self._listed_video(layout, entry, path)
                if name in seen:  # the other crop files of a video
                    if label != seen[name]:
                        raise ValueError(f"list file {path}: video {name!r} is listed with "
                                         f"the labels {seen[name]!r} and {label!r}; give each "
                                         f"video (and each of its crop files) one label")
                    continue
                seen[name] = label
                names.append(name)
                labels.append(label)
        if not names:
            raise ValueError(f"list file {path} lists no video")
        has_labels = all(labels)
        if any(labels) and not has_labels:
            raise ValueError(f"list file {path}: some lines have a label column, others not")
        return names, (labels if has_labels else None)

    def _listed_video(self, layout: VADLayout, entry: str, path: str) -> str:
        """The video of a list's ``entry`` (of the list file ``path``). A list
        naming each video by its file (UCF-Crime's ``Abuse/Abuse028_x264.mp4``)
        gave the video ``Abuse028_x264.mp4``, read from ``Abuse028_x264.mp4.npy``:
        its features are the video's, named without the extension, unless
        only files of the whole name are there."""
        name = self._name_of(layout, entry)
        stem, ext = osp.splitext(name)
        if ext.lower() not in VIDEO_EXTENSIONS or self._has_features(layout, stem):
            return stem if ext.lower() in VIDEO_EXTENSIONS else name
        if self._has_features(layout, name):
            return name
        source = next(iter(layout.sources))
        looked = osp.join(self._dir(layout),
                          self._pattern(layout, source, stem).format(name=stem, crop=0))
        raise FileNotFoundError(f"list file {path}: the line {entry!r} names the video "
                                f"{stem!r}, but no features of it are there: no file "
                                f"{looked} (source {source!r}), nor one named {name!r}")

    def _has_features(self, layout: VADLayout, name: str) -> bool:
        """Whether the first source has a feature file of the video ``name``."""
        pattern = self._pattern(layout, next(iter(layout.sources)), name)
        return bool(self._files(layout, pattern, name=name))

    @staticmethod
    def _name_of(layout: VADLayout, entry: str) -> str:
        # a list written on Windows names its files with backslashes
        base = osp.basename(entry.replace("\\", "/"))
        pats = []
        for pattern in layout.sources.values():
            pats += ([osp.basename(pattern)] if "{name}" in pattern
                     else ["{name}__{crop}.npy", "{name}.npy"])
        for pat in pats:
            rx = re.escape(pat).replace(re.escape("{name}"), "(?P<name>.+?)")
            rx = rx.replace(re.escape("{crop}"), r"\d+")
            m = re.fullmatch(rx, base)
            if m:
                return m.group("name")
        stem = base[:-4] if base.endswith(".npy") else base
        return re.sub(r"__\d+$", "", stem)

    def _discover(self, layout: VADLayout) -> list[str]:
        base = self._dir(layout)
        pattern = self._pattern(layout, next(iter(layout.sources)))
        found = sorted(self._files(layout, pattern))
        names = list(dict.fromkeys(self._name_of(layout, f) for f in found))
        if not names:
            raise FileNotFoundError(f"no list file given for the {self.split} split and no "
                                    f"feature file matches {osp.join(base, pattern)}")
        return names

    def _pattern(self, layout: VADLayout, source: str, name: str | None = None) -> str:
        pattern = layout.sources[source]
        if "{name}" in pattern:
            return pattern
        stacked = osp.join(pattern, "{name}.npy")
        if name is not None and not osp.isfile(osp.join(self._dir(layout),
                                                        stacked.format(name=name))):
            per_crop = osp.join(pattern, "{name}__{crop}.npy")
            if self._files(layout, per_crop, name=name):
                return per_crop
        return stacked

    def _load_source(self, layout: VADLayout, source: str, video: str, where: str) -> np.ndarray:
        """``[T, C, F]`` features of one source of one video."""
        base = self._dir(layout)
        pattern = self._pattern(layout, source, video)
        what = f"{where}: source {source!r}"
        if "{crop}" not in pattern:
            path = osp.join(base, pattern.format(name=video))
            arr = _with_features(load_npy(path, what, finite=True), what, path)
            if arr.ndim == 2:
                arr = arr[:, None, :]
            if arr.ndim != 3:
                raise ValueError(f"{what}: expected [T, F] or [T, crops, F], got shape "
                                 f"{arr.shape}")
            return arr
        files = self._files(layout, pattern, name=video)
        crops = {}
        rx = re.escape(osp.basename(pattern)).replace(re.escape("{name}"), re.escape(video))
        rx = rx.replace(re.escape("{crop}"), r"(\d+)")
        for f in files:
            m = re.fullmatch(rx, osp.basename(f))
            if m:
                crops[int(m.group(1))] = f
        if isinstance(self.crops, int):
            crops = {self.crops: osp.join(base, pattern.format(name=video, crop=self.crops))}
        if not crops:
            load_npy(osp.join(base, pattern.format(name=video, crop=0)), what)  # raises
        arrays = []
        for c in sorted(crops):
            a = _with_features(load_npy(crops[c], f"{what} crop {c}", finite=True),
                               f"{what} crop {c}", crops[c])
            if a.ndim != 2:
                raise ValueError(f"{what} crop {c}: expected [T, F], got shape {a.shape}")
            if arrays and a.shape != arrays[0].shape:
                raise ValueError(f"{what}: crop {c} has shape {a.shape}, crop "
                                 f"{sorted(crops)[0]} has {arrays[0].shape}")
            arrays.append(a)
        return np.stack(arrays, axis=1)

    def _crop_views(self, arr: np.ndarray, what: str) -> list[np.ndarray]:
        if self.crops == "mean":
            return [np.mean(arr, axis=1, dtype=np.float64)]
        if self.crops == "all":
            return [np.asarray(arr[:, c]) for c in range(arr.shape[1])]
        if arr.shape[1] == 1 and self.crops == 0:
            return [np.asarray(arr[:, 0])]
        if arr.shape[1] > 1:
            if self.crops >= arr.shape[1]:
                raise ValueError(f"{what}: crops={self.crops} but the file has "
                                 f"{arr.shape[1]} crops")
            return [np.asarray(arr[:, self.crops])]
        return [np.asarray(arr[:, 0])]  # per-crop files already picked the crop

    def _labels(self, layout: VADLayout, names: list[str], column: list[str] | None,
                domain: str) -> list[int]:
        # domain: how errors name the layout (VADFeatures._domain_label)
        return video_labels(layout, self.split, names, column, domain)


def _with_features(arr: np.ndarray, what: str, path: str) -> np.ndarray:
    """``arr`` (read from ``path``) once it has a feature column: files of no
    feature column reached the model, whose error (``in_channels['b'] must be
    >= 1``) named no file; nor said a 1-D file ``[T]`` how to become one."""
    if arr.ndim == 1:
        raise ValueError(f"{what}: expected [T, F] or [T, crops, F], got shape {arr.shape} "
                         f"in {path}: for one feature per snippet save it as a[:, None] "
                         f"(a.reshape(-1, 1))")
    if arr.ndim >= 2 and arr.shape[-1] == 0:
        raise ValueError(f"{what}: {path} holds no feature column (shape {arr.shape}); "
                         f"expected [T, F] or [T, crops, F] with F >= 1")
    return arr
