"""Video-anomaly-detection (VAD) feature sets in the public layouts, one
:class:`~pyg_fusion.data.MultiSourceData` per video.

The layouts are those of RTFM, MGFN, UR-DMU, VadCLIP and TEVAD (their file
patterns: ``help(pyg_fusion.datasets.VADLayout)``): one ``.npy`` per video
``[T, crops, F]`` (or ``[T, F]``), or one ``[T, F]`` file per crop
``NAME__0.npy`` .. ``NAME__9.npy``; a list file fixing the order of the videos (abnormal first);
the test ground truth as one frame-level 0/1 array over all test videos
concatenated in list order, each snippet covering 16 frames.
"""
from __future__ import annotations

import glob
import math
import os.path as osp
from dataclasses import asdict
from typing import Callable, Sequence

import numpy as np
import torch
from torch_geometric.transforms import Compose
from tqdm.auto import tqdm

from ..data import MultiSourceData
from .._option_rules import is_int
from ..functional._checks import check_int
from ._base import FusionDataset
from ._listing import glob_pattern
from ._vad_ground_truth import FrameGroundTruth
from .segments import resample_segments
from .standardize import StandardizeSources
from .vad_layout import VADLayout, _LayoutReader, check_crop_axis

SPLITS = ("train", "test")


class VADFeatures(_LayoutReader, FusionDataset):
    r"""Video-anomaly feature sets in the public layouts (RTFM, MGFN, UR-DMU,
    VadCLIP, TEVAD), one :class:`~pyg_fusion.data.MultiSourceData` per video
    (one per video and crop with ``crops="all"``), several sources aligned per
    video, several data sets at once as domains.

    Each graph holds:

    * ``x_<source>`` ``[N, d]`` float32: the video's snippets resampled to
      ``N = num_segments`` segments by :func:`resample_segments` (RTFM), or
      its ``T`` snippets with ``num_segments=None``. A source at a finer
      temporal level (``rates``) keeps its units: ``x_<source>`` ``[n, d]`` and
      ``assign_<source>`` ``[n]``, the segment of each unit (units past the
      last whole snippet are dropped);
    * ``y`` ``[1]`` video label (1 = abnormal; none with ``labels="none"``),
      ``domain`` ``[1]``, ``video`` (name);
    * ``num_snippets`` ``[1]`` = ``T``, ``snippet_segment`` ``[T]`` (the
      segment of each snippet; not offset when batched), ``snippet_len``
      ``[1]``, ``num_frames`` ``[1]`` = ``T * snippet_len``;
    * with ground truth (test split): ``frame_gt`` ``[num_frames]`` 0/1.
      :func:`segment_scores_to_frames` turns segment scores into frame scores
      of that length; concatenating ``frame_gt`` over the dataset in order
      gives the public concatenated ground truth (with ``crops="all"``, over
      the graphs of one crop: each crop's graph holds its video's);
    * ``crop`` ``[1]`` with ``crops="all"``.

    Errors name the video: a missing feature file, sources whose lengths
    disagree, a ground truth shorter than the videos.

    Args:
        root (str): dataset folder; the feature sets are under ``root/raw``.
        split (str, optional): ``"train"`` or ``"test"``. (default: :obj:`"train"`)
        domains (VADLayout | Sequence[VADLayout], optional): one :class:`VADLayout` or a list
            of them (domain id = position in the list: the multi-domain setting); without it
            the keyword arguments ``**layout`` make one. (default: :obj:`None`)
        num_segments (int | None, optional): ``N`` (32: the paper's), or :obj:`None` to
            keep ``T``. (default: :obj:`32`)
        crops (str | int, optional): ``"mean"`` (average the crops), a crop index, or ``"all"``
            (one graph per crop, attribute ``crop``). A ``[T, F]`` file is one crop, used
            whatever the index. (default: :obj:`"mean"`)
        standardize (bool or StandardizeSources, optional): z-score every source's features on
            access (:class:`StandardizeSources`, before ``transform``; the stored data stays
            raw) with the mean and population standard deviation of the **training** split
            (its segments, all domains pooled): ``True`` fits them on the training split of the same layouts (the test
            split reads it too); a fitted :class:`StandardizeSources` (e.g.
            ``train.standardizer``, or one rebuilt from a checkpoint) applies given statistics.
            ``dataset.standardizer`` holds the module (``None`` without). (default: ``False``)
        transform (callable, optional): a function/transform that takes a
            :class:`~torch_geometric.data.Data` object and returns a transformed version,
            applied on every access, after the standardisation (also when set later:
            ``dataset.transform`` reads back as both). (default: :obj:`None`)
        pre_transform (callable, optional): a function/transform applied to every
            :class:`~torch_geometric.data.Data` object before it is saved to disk.
            (default: :obj:`None`)
        pre_filter (callable, optional): a function that takes a
            :class:`~torch_geometric.data.Data` object and returns whether it belongs in the
            dataset. (default: :obj:`None`)
        force_reload (bool, optional): re-process the dataset. (default: :obj:`False`)
        log (bool, optional): print progress while processing. (default: :obj:`True`)
    """

    def __init__(self, root: str, split: str = "train",
                 domains: VADLayout | Sequence[VADLayout] | None = None, *,
                 num_segments: int | None = 32, crops: str | int = "mean",
                 standardize: bool | StandardizeSources = False,
                 transform: Callable | None = None, pre_transform: Callable | None = None,
                 pre_filter: Callable | None = None, force_reload: bool = False,
                 log: bool = True, **layout):
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        if domains is None:
            domains = [VADLayout(**layout)]
        elif layout:
            raise TypeError(f"pass either domains or layout keywords, not both "
                            f"({sorted(layout)})")
        elif isinstance(domains, VADLayout):
            domains = [domains]
        domains = list(domains)
        if not domains or not all(isinstance(d, VADLayout) for d in domains):
            raise TypeError("domains must be a VADLayout or a non-empty list of them")
        if split == "train" and any(d.labels == "none" for d in domains):
            # (the training loss reads each video's label)
            raise ValueError("labels='none' gives videos without a label, which the training "
                             "split needs: give the training split its labels")
        names = [set(d.sources) for d in domains]
        if any(n != names[0] for n in names):
            raise ValueError(f"all domains must have the same sources, got "
                             f"{[sorted(n) for n in names]}")
        if num_segments is not None:
            num_segments = check_int("num_segments", num_segments, minimum=1)
        if is_int(crops) and crops >= 0:
            crops = int(crops)
        elif not (isinstance(crops, str) and crops in ("mean", "all")):
            raise ValueError(f"crops must be 'mean', 'all' or a crop index >= 0, got {crops!r}")
        self.split = split
        self.domains = domains
        self.num_segments = num_segments
        self.crops = crops
        if not isinstance(standardize, (bool, StandardizeSources)):
            raise TypeError(f"standardize must be a bool or a StandardizeSources, got "
                            f"{type(standardize).__name__}")
        super().__init__(root, transform, pre_transform, pre_filter, log=log,
                         force_reload=force_reload)
        self.load(self.processed_paths[0])
        self.standardizer = self._standardizer(standardize)

    # the standardisation stays first whatever transform is set later: a
    # transform replaced after construction (``ds.transform = T``) had
    # replaced the z-scoring with it, silently
    @property
    def transform(self):
        user = self.__dict__.get("_user_transform")
        standardizer = self.__dict__.get("standardizer")
        if standardizer is None:
            return user
        return standardizer if user is None else Compose([standardizer, user])

    @transform.setter
    def transform(self, transform) -> None:
        self.__dict__["_user_transform"] = transform

    def _standardizer(self, standardize) -> StandardizeSources | None:
        sources = list(self.domains[0].sources)
        if isinstance(standardize, StandardizeSources):
            if set(standardize.sources) != set(sources):
                raise ValueError(f"standardize has statistics of the sources "
                                 f"{standardize.sources}, the data has {sources}")
            return standardize
        if not standardize:
            return None
        train = self if self.split == "train" else VADFeatures(
            self.root, "train", self.domains, num_segments=self.num_segments,
            crops=self.crops, pre_transform=self.pre_transform, pre_filter=self.pre_filter,
            log=False)
        return StandardizeSources.fit({s: train._data[f"x_{s}"] for s in sources})

    # -- PyG conventions -------------------------------------------------
    @property
    def domain_names(self) -> list[str]:
        return [d.name or d.folder or f"domain{k}" for k, d in enumerate(self.domains)]

    @property
    def raw_file_names(self) -> list[str]:
        out = []
        for d in self.domains:
            for f in (d.list_file(self.split), d.gt_file(self.split)):
                if f is not None and "{name}" not in f:
                    out.append(osp.join(d.folder, f))
        return out

    @property
    def processed_file_names(self) -> list[str]:
        # the stamp of every input file, feature files included: a feature
        # re-extracted in place, or a video added to a folder without a list,
        # re-processes instead of loading the old cache (stat only, memoised:
        # PyG reads this name several times per construction)
        if getattr(self, "_processed_name", None) is None:
            options = dict(split=self.split, num_segments=self.num_segments,
                           crops=self.crops, domains=[asdict(d) for d in self.domains],
                           kind=type(self).__name__)
            files = self.raw_paths + self._input_files()
            self._processed_name = self.cache_file(f"vad_{self.split}", options, files)
        return [self._processed_name]

    def _input_files(self) -> list[str]:
        """Every file that a source pattern or a per-video ground-truth
        pattern of the split can read (a superset of those read)."""
        found = set()
        for d in self.domains:
            patterns = [glob_pattern(p) if "{name}" in p else osp.join(glob.escape(p), "*.npy")
                        for p in d.sources.values()]
            gt = d.gt_file(self.split)
            if gt is not None and "{name}" in gt:
                patterns.append(glob_pattern(gt))
            for p in patterns:
                found.update(glob.glob(osp.join(glob.escape(self._dir(d)), p)))
        return sorted(found)

    def download(self) -> None:
        if not all(osp.isfile(p) for p in self.raw_paths):
            # the layouts' own docstrings, not the repository's datasets/README.md,
            # which an installed wheel does not have
            raise self.raw_files_missing(
                " (VAD features are not downloadable: put the extracted features, list files "
                "and ground truth under root/raw as the VADLayout names them, e.g. RTFM's, "
                "MGFN's or VadCLIP's files; see help(pyg_fusion.datasets.VADLayout))")

    def process(self) -> None:
        data_list = []
        with self._listed_once():
            for k, layout in enumerate(self.domains):
                data_list += self._process_domain(k, layout)
        widths = {}
        for data in data_list:
            for s in data.sources:
                w = data[f"x_{s}"].size(-1)
                if widths.setdefault(s, (w, data.video))[0] != w:
                    raise ValueError(f"source {s!r} has {w} features in video {data.video!r} "
                                     f"but {widths[s][0]} in video {widths[s][1]!r}")
        if not data_list:
            raise ValueError(f"no video in the {self.split} split")
        self.save_processed(data_list, f"graphs of the {self.split} split")

    def _domain_label(self, k: int) -> str:
        """How errors name domain ``k``: by its name when there are several
        or its layout was named; a single unnamed one (the plain layout
        keywords) by the split's list the user gave, for whom ``domain0``
        would be a name never written."""
        layout = self.domains[k]
        if len(self.domains) > 1 or layout.name:
            return f"domain {self.domain_names[k]!r}"
        listed = layout.list_file(self.split)
        if listed is not None:
            return f"the {self.split} list {osp.join(layout.folder, listed)!r}"
        return f"the {self.split} split" + (f" of {layout.folder!r}" if layout.folder else "")

    def _process_domain(self, k: int, layout: VADLayout) -> list[MultiSourceData]:
        domain = self._domain_label(k)
        names, column = self._videos(layout)
        labels = self._labels(layout, names, column, domain)
        ground_truth = FrameGroundTruth(self._dir(layout), layout.gt_file(self.split),
                                        layout.snippet_len, domain)
        out, seen = [], {}
        bar = tqdm(list(zip(names, labels)), desc=f"{self.domain_names[k]} {self.split}",
                   unit="video", disable=not self.log, leave=False)
        for video, label in bar:
            where = f"video {video!r} ({domain})"
            feats = {s: self._load_source(layout, s, video, where) for s in layout.sources}
            check_crop_axis(seen, feats, where)
            T = self._num_snippets(layout, feats, where)
            frame_gt = ground_truth.video(video, label, T, where)
            out += self._make(layout, k, video, label, feats, T, frame_gt, where)
        ground_truth.finish(names)
        return out

    @staticmethod
    def _num_snippets(layout: VADLayout, feats: dict, where: str) -> int:
        lengths = {s: a.shape[0] for s, a in feats.items()}
        snippet_level = {s: n for s, n in lengths.items() if layout.rates.get(s, 1) == 1}
        if snippet_level:
            T = next(iter(snippet_level.values()))
            if len(set(snippet_level.values())) > 1:
                raise ValueError(f"{where}: the sources disagree on the number of snippets: "
                                 f"{snippet_level}")
        else:
            s0 = next(iter(lengths))
            T = math.ceil(lengths[s0] / layout.rates[s0])
        if T == 0:
            raise ValueError(f"{where}: no snippet ({lengths})")
        for s, r in layout.rates.items():
            if r == 1:
                continue
            n = lengths[s]
            if not (T - 1) * r < n <= (T + 1) * r:
                raise ValueError(f"{where}: source {s!r} has {n} units at {r} per snippet, "
                                 f"which does not fit {T} snippets (expected "
                                 f"{(T - 1) * r + 1}..{(T + 1) * r})")
        return T

    def _make(self, layout, k, video, label, feats, T, frame_gt, where):
        per_source = {s: self._crop_views(a, f"{where}: source {s!r}") for s, a in feats.items()}
        n_crops = max(len(v) for v in per_source.values())
        for s, v in per_source.items():
            if len(v) not in (1, n_crops):
                raise ValueError(f"{where}: source {s!r} has {len(v)} crops, others "
                                 f"{n_crops}")
        N = T if self.num_segments is None else self.num_segments
        out = []
        for c in range(n_crops):
            data = MultiSourceData()
            seg = None
            for s, views in per_source.items():
                x = views[c if len(views) > 1 else 0]
                rate = layout.rates.get(s, 1)
                if rate == 1:
                    if self.num_segments is None:
                        xs, seg_s = np.asarray(x, dtype=np.float32), np.arange(T)
                    else:
                        xs, seg_s = resample_segments(x, self.num_segments)
                    seg = seg_s
                    data[f"x_{s}"] = torch.from_numpy(np.ascontiguousarray(xs))
            if seg is None:
                seg = (np.arange(T) if self.num_segments is None
                       else resample_segments(np.zeros((T, 1)), self.num_segments)[1])
            for s, views in per_source.items():
                rate = layout.rates.get(s, 1)
                if rate == 1:
                    continue
                x = views[c if len(views) > 1 else 0]
                keep = min(x.shape[0], T * rate)
                data[f"x_{s}"] = torch.from_numpy(np.asarray(x[:keep], dtype=np.float32))
                data[f"assign_{s}"] = torch.from_numpy(seg[np.arange(keep) // rate])
            data.num_nodes = N
            if label is not None:  # (labels="none": videos to score)
                data.y = torch.tensor([label], dtype=torch.long)
            data.domain = torch.tensor([k], dtype=torch.long)
            data.video = video
            data.num_snippets = torch.tensor([T], dtype=torch.long)
            data.snippet_segment = torch.from_numpy(seg)
            data.snippet_len = torch.tensor([layout.snippet_len], dtype=torch.long)
            data.num_frames = torch.tensor([T * layout.snippet_len], dtype=torch.long)
            if frame_gt is not None:
                data.frame_gt = torch.from_numpy(np.asarray(frame_gt, dtype=np.int64))
            if self.crops == "all":
                data.crop = torch.tensor([c], dtype=torch.long)
            out.append(data)
        return out

    def _repr_options(self) -> str:
        return (f"split={self.split!r}, domains={self.domain_names}, "
                f"num_segments={self.num_segments}")
