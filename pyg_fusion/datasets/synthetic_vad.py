"""A seeded synthetic video-anomaly feature set, written in the public VAD
layout and read back by :class:`~pyg_fusion.datasets.VADFeatures`."""
from __future__ import annotations

import numbers
import os.path as osp
from typing import Callable, Mapping

import numpy as np

from .._option_rules import check_rule
from ..functional._checks import check_choice, check_int
from ._args import check_dataset_args, check_seed
from ._cache_names import data_code_hash, options_hash
from ._read_only import generation_turn
from ._generated import Generated, regenerate_on_reload
from ._recording_args import check_pair
from .._files import write_json, write_text
from ._named_sources import SETTINGS
from ._npy import save_npy
from .vad import VADFeatures, VADLayout

SHARED_DIMS = 8
PRIVATE_DIMS = 4
CROP_NOISE = 0.3
STRONG = 5.0  # anomaly shift seen by the type's main source
WEAK = 2.5  # ... and by the next source
CLUSTER_SPREAD = 0.3  # relational_shift: an anomalous segment's latent shrinks to this
# what download() writes under root/raw/<tag>/
GENERATED = Generated(
    "the synthetic VAD features", "synthetic.json", ("setting", "seed"),
    r"synthetic\.json|domain\d+/(list/(train|test)\.list|list/gt-(train|test)\.npy"
    r"|features/[^/]+/d\d+_(train|test)_\d{4,}_(anomaly|normal)(__\d+)?\.npy)")


class SyntheticVAD(VADFeatures):
    r"""Synthetic weakly-labelled video anomaly features in which no single
    source sees every anomaly, so that fusion matters.

    Generative model (all draws from ``numpy.random.default_rng(seed)``):

    1. Latent trajectory of a video of ``T`` snippets (``T`` uniform in
       ``snippets``): a shared part ``s_t`` in :math:`\mathbb{R}^8` and one
       private part ``p^m_t`` in :math:`\mathbb{R}^4` per source ``m``, each a
       stationary AR(1) process ``z_t = rho z_{t-1} + sqrt(1 - rho^2) e_t``
       (unit variance, ``rho = 0.9``, ``max(0.9 - 0.15 k, 0.3)`` in domain
       ``k``: faster dynamics), plus a per-video scene offset ``c ~ N(0, 0.5^2)`` on the
       shared part.
    2. Sources are noisy random projections of what they see:
       ``x^m_t = a_{k,m} (W_m [s_t + c; p^m_t] + b_{k,m}) + noise * sigma_m e``,
       ``W_m`` ``[d_m, 12]`` Gaussian with variance 1/12 (shared by the
       domains), ``b_{0,m} = 0``, ``a_{0,m} = 1`` and, in domain ``k > 0``,
       ``b_{k,m} ~ N(0, 1)`` per feature and ``a_{k,m} = 1.3^k`` (shifted
       statistics). A source with a ``hold`` of ``h`` sees the latent of
       snippet ``h * floor(t / h)`` (caption-like).
    3. Anomalies: abnormal videos (the first half of each list) contain 1-3
       segments of 3 to ``max(3, T // 4)`` snippets, each of a random type
       among ``M + 1``. Type ``m < M`` adds ``5 * strength`` along a unit
       direction ``u_m`` to ``p^m`` and ``2.5 * strength`` along a unit
       direction ``v_{m'}`` to ``p^{m'}``, ``m' = (m + 1) mod M``
       (``u_m`` orthogonal to ``v_m``, both drawn once per data set): it is
       seen well by source ``m``, weakly by source ``m'`` and not at all by
       the others (with ``M = 2`` both sources see it). Type ``M`` is
       relational: source 0 sees an independent shared trajectory ``s'_t``
       (same law) instead of ``s_t``, so every source looks normal on its
       own and only the relation between sources changes. A probe on one
       source therefore misses at least half of the anomaly types.
       With ``relational_shift = r > 0`` every anomalous segment, whatever
       its type, is also an outlier cluster in every source: after the
       type's effect, its latent ``z = [s; p^m]`` (of every source) becomes
       ``r * strength * w + 0.3 z``, with ``w`` a unit direction drawn per
       segment, orthogonal to the video's scene offset ``[c; 0]``. The
       segment's snippets then resemble each other and no longer the
       video's normal snippets, so the relations between snippets (a row of
       a relationship graph) show it; the type's own shift survives at 0.3
       of its size. With ``r = 0`` (the default) anomalies barely change the
       relations and graph-level methods stay near chance; ``w`` is drawn
       only when ``r > 0``, so the default data is unchanged by the option.
    4. Frame-level ground truth: each snippet is 16 frames; a snippet inside
       an anomalous segment makes its 16 frames abnormal.

    Settings (the paper's Table 2): ``"multi_representation"``: three
    "backbones" of one modality ``i3d`` (64-d, noise 0.8), ``c3d`` (48-d,
    1.0), ``swin`` (80-d, 0.9); ``"multi_modal"``: ``visual`` (64-d, 0.8),
    ``text`` (32-d, 1.0, held over 4 snippets), ``pose`` (24-d, 1.1);
    ``"multi_domain"``: the three backbones in two domains with shifted
    statistics (``num_domains`` overrides the count).

    Written layout, under ``root/raw/synthetic_<hash of the options>/``
    (one :class:`VADLayout` per domain, see ``help(pyg_fusion.datasets.VADLayout)``):
    ``domain<k>/features/<source>/<video>.npy``
    (``[T, d]``, ``[T, crops, d]`` with ``num_crops > 1``, or
    ``<video>__<crop>.npy`` files with ``crop_layout="files"``),
    ``domain<k>/list/{train,test}.list`` (abnormal first),
    ``domain<k>/list/gt-{train,test}.npy`` (frame level, concatenated in list
    order) and ``synthetic.json`` (the options, and under ``"anomalies"``
    every anomalous segment as ``[start, end, type]`` in snippets, for
    per-type analysis). It is then read by
    :class:`VADFeatures` exactly as a public feature set.

    Args:
        root (str): dataset folder.
        split (str, optional): ``"train"`` or ``"test"``. (default: :obj:`"train"`)
        setting (str, optional): one of the settings above. (default:
            :obj:`"multi_representation"`)
        num_videos (tuple[int, int], optional): ``(train, test)`` videos per domain. (default:
            :obj:`(60, 40)`)
        snippets (tuple[int, int], optional): ``(min, max)`` snippets per video. (default:
            :obj:`(24, 96)`)
        num_domains (int, optional): number of domains. (default: :obj:`None`, the
            setting's)
        seed (int, optional): the seed of everything. (default: :obj:`0`)
        noise (float, optional): multiplies every source's noise std. (default: :obj:`1.0`)
        strength (float, optional): multiplies the anomaly shifts. (default: :obj:`1.0`)
        relational_shift (float, optional): ``r`` of step 3: anomalous segments are also an
            outlier cluster in every source (``0.0``: off; e.g. ``4.0``). (default: :obj:`0.0`)
        num_crops (int, optional): crops per snippet (crop ``c`` adds noise of std ``0.3
            sigma_m``). (default: :obj:`1`)
        crop_layout (str, optional): how the crops are written: ``"stacked"``, one
            ``[T, crops, d]`` file per video, or ``"files"``, one ``[T, d]`` file per crop.
            (default: :obj:`"stacked"`)
        fine_sources (Mapping[str, int], optional): ``{source: units per snippet}``: write
            these sources at a finer temporal level (``T * r`` units, less up to ``r - 1`` at
            the end; each unit is its snippet's noise-free features plus its own noise); read
            through ``assign_<source>``. (default: :obj:`None`)
        train_ground_truth (bool, optional): also attach ``frame_gt`` to training videos (for
            analysis; weakly-supervised training must not use it). (default: :obj:`False`)
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
        force_reload (bool, optional): generate the data again (both splits' files) and
            re-process this split. (default: :obj:`False`)
        log (bool, optional): print progress while processing. (default: :obj:`True`)
    """

    def __init__(self, root: str, split: str = "train", *,
                 setting: str = "multi_representation", num_videos: tuple[int, int] = (60, 40),
                 snippets: tuple[int, int] = (24, 96), num_domains: int | None = None,
                 seed: int = 0, noise: float = 1.0, strength: float = 1.0,
                 relational_shift: float = 0.0,
                 num_crops: int = 1, crop_layout: str = "stacked",
                 fine_sources: Mapping[str, int] | None = None,
                 train_ground_truth: bool = False, num_segments: int | None = 32,
                 crops: str | int = "mean", standardize=False,
                 transform: Callable | None = None,
                 pre_transform: Callable | None = None, pre_filter: Callable | None = None,
                 force_reload: bool = False, log: bool = True):
        # before root is used: it names the folder generated into
        root = check_dataset_args(root, transform, pre_transform, pre_filter, force_reload,
                                  log)
        if setting not in SETTINGS:
            raise ValueError(f"setting must be one of {tuple(SETTINGS)}, got {setting!r}")
        preset = SETTINGS[setting]
        num_domains = preset["num_domains"] if num_domains is None else num_domains
        num_domains = check_int("num_domains", num_domains, minimum=1)
        num_videos = check_pair("num_videos", num_videos, 2, None)
        snippets = check_pair("snippets", snippets, 1, None)
        num_crops = check_int("num_crops", num_crops, minimum=1)
        check_choice("crop_layout", crop_layout, ("stacked", "files"))
        if not isinstance(fine_sources, (Mapping, type(None))):
            raise TypeError(f"fine_sources must be a dict {{source: units per snippet}}, got "
                            f"{fine_sources!r}")
        seed = check_seed(seed)
        check_rule("noise", "nonneg_float", noise)
        check_rule("strength", "float", strength)
        # numpy's numbers as Python ones (the hash of gen); Python's unchanged: same folders
        noise, strength = (int(v) if isinstance(v, numbers.Integral) else float(v)
                           for v in (noise, strength))
        fine_sources = dict(fine_sources or {})
        for s, rate in fine_sources.items():
            check_choice("fine_sources", s, preset["sources"])
            fine_sources[s] = check_int(f"fine_sources[{s!r}]", rate, minimum=1)
        self.gen = dict(setting=setting, num_videos=list(num_videos), snippets=list(snippets),
                        num_domains=num_domains, seed=seed, noise=noise, strength=strength,
                        num_crops=num_crops, crop_layout=crop_layout,
                        fine_sources=fine_sources)
        check_rule("relational_shift", "nonneg_float", relational_shift)
        if relational_shift > 0:  # absent when off: the default data keeps its folder
            self.gen["relational_shift"] = float(relational_shift)
        self.tag = f"synthetic_{options_hash(self.gen)}"
        name = "{name}__{crop}.npy" if (num_crops > 1 and crop_layout == "files") else "{name}.npy"
        half = {s: (n + 1) // 2 for s, n in zip(("train", "test"), num_videos)}
        domains = [VADLayout(
            sources={s: f"features/{s}/{name}" for s in preset["sources"]},
            train_list="list/train.list", test_list="list/test.list",
            gt={"test": "list/gt-test.npy",
                **({"train": "list/gt-train.npy"} if train_ground_truth else {})},
            labels="position", num_abnormal=half, rates=fine_sources,
            folder=f"{self.tag}/domain{k}", name=f"domain{k}") for k in range(num_domains)]
        self._first_source = next(iter(preset["sources"]))
        folder = osp.join(root, "raw", self.tag)
        with generation_turn(folder, "root"):
            regenerate_on_reload(force_reload, folder, GENERATED, "root")
            super().__init__(root, split, domains, num_segments=num_segments, crops=crops,
                             standardize=standardize, transform=transform,
                             pre_transform=pre_transform, pre_filter=pre_filter,
                             force_reload=force_reload, log=log)

    @property
    def generated_folder(self) -> str:
        return osp.join(self.raw_dir, self.tag)

    @property
    def raw_file_names(self) -> list[str]:
        return [*super().raw_file_names, f"{self.tag}/synthetic.json"]

    def download(self) -> None:
        """Generate the data (nothing is downloaded)."""
        g = self.gen
        preset = SETTINGS[g["setting"]]
        rng = np.random.default_rng(g["seed"])
        sources = preset["sources"]
        latent = SHARED_DIMS + PRIVATE_DIMS
        W = {s: rng.normal(0, 1 / np.sqrt(latent), size=(d, latent))
             for s, (d, _) in sources.items()}
        # per source, two orthogonal unit directions of its private latent:
        # [0] its own anomaly type, [1] the previous source's type. Orthogonal
        # so that the two shifts never cancel in a source's view.
        U = np.stack([np.linalg.qr(rng.normal(size=(PRIVATE_DIMS, 2)))[0].T
                      for _ in sources])
        anomalies = {}
        for k in range(g["num_domains"]):
            folder = osp.join(self.raw_dir, self.tag, f"domain{k}")
            shift = {s: (np.zeros(d) if k == 0 else rng.normal(0, 1, size=d))
                     for s, (d, _) in sources.items()}
            dom = dict(rho=max(0.9 - 0.15 * k, 0.3), scale=1.3 ** k, shift=shift)
            for split, n in zip(("train", "test"), g["num_videos"]):
                n_abnormal = (n + 1) // 2
                lines, gts = [], []
                for i in range(n):
                    label = int(i < n_abnormal)
                    video = f"d{k}_{split}_{i:04d}_{'anomaly' if label else 'normal'}"
                    feats, snippet_gt, events = self._video(rng, W, U, dom, label)
                    if events:
                        anomalies[video] = events
                    for s, x in feats.items():
                        self._write_source(rng, folder, s, video, x, sources[s][1])
                    first = self._first_source
                    if g["num_crops"] > 1 and g["crop_layout"] == "files":
                        lines += [f"features/{first}/{video}__{c}.npy"
                                  for c in range(g["num_crops"])]
                    else:
                        lines.append(f"features/{first}/{video}.npy")
                    gts.append(np.repeat(snippet_gt, 16).astype(np.uint8))
                write_text(osp.join(folder, "list", f"{split}.list"), "\n".join(lines) + "\n")
                save_npy(osp.join(folder, "list", f"gt-{split}.npy"), np.concatenate(gts))
        names = list(sources)
        types = {m: f"private shift seen by {names[m]} (strong) and "
                    f"{names[(m + 1) % len(names)]} (weak)" for m in range(len(names))}
        types[len(names)] = f"relational: {names[0]} desynchronised from the other sources"
        write_json(osp.join(self.raw_dir, self.tag, "synthetic.json"),
                   {**g, "code": data_code_hash(),
                    "sources": {s: {"width": d, "noise": n}
                                for s, (d, n) in sources.items()},
                    "hold": preset["hold"], "anomaly_types": types, "anomalies": anomalies})

    def _video(self, rng, W, U, dom, label):
        g = self.gen
        preset = SETTINGS[g["setting"]]
        names = list(preset["sources"])
        M = len(names)
        T = int(rng.integers(g["snippets"][0], g["snippets"][1] + 1))
        rho = dom["rho"]

        def ar(dims):
            z = np.empty((T, dims))
            z[0] = rng.normal(size=dims)
            for t in range(1, T):
                z[t] = rho * z[t - 1] + np.sqrt(1 - rho ** 2) * rng.normal(size=dims)
            return z

        scene = rng.normal(0, 0.5, size=SHARED_DIMS)
        shared = ar(SHARED_DIMS) + scene
        seen_shared = {s: shared.copy() for s in names}
        private = {s: ar(PRIVATE_DIMS) for s in names}
        snippet_gt = np.zeros(T, dtype=np.int64)
        events, clusters = [], []
        if label:
            for _ in range(int(rng.integers(1, 4))):
                length = int(rng.integers(3, max(3, T // 4) + 1))
                length = min(length, T)
                start = int(rng.integers(0, T - length + 1))
                span = slice(start, start + length)
                kind = int(rng.integers(0, M + 1))
                snippet_gt[span] = 1
                events.append([start, start + length, kind])
                if kind < M:
                    for s, amount, u in ((names[kind], STRONG, U[kind, 0]),
                                         (names[(kind + 1) % M], WEAK, U[(kind + 1) % M, 1])):
                        private[s][span] += g["strength"] * amount * u
                else:  # relational: source 0 desynchronised from the others
                    seen_shared[names[0]][span] = ar(SHARED_DIMS)[span] + scene
                r = g.get("relational_shift", 0.0)
                if r > 0:
                    # orthogonal to the scene offset, which every normal snippet
                    # shares: the cluster then leaves all of them alike
                    c = np.concatenate([scene, np.zeros(PRIVATE_DIMS)])
                    w = rng.normal(size=SHARED_DIMS + PRIVATE_DIMS)
                    w -= (w @ c) / (c @ c) * c
                    clusters.append((span, r * g["strength"] * w / np.linalg.norm(w)))
        feats = {}
        for s in names:
            z = np.concatenate([seen_shared[s], private[s]], axis=1)
            for span, centre in clusters:
                z[span] = centre + CLUSTER_SPREAD * z[span]
            hold = preset["hold"].get(s, 1)
            if hold > 1:
                z = z[(np.arange(T) // hold) * hold]
            feats[s] = dom["scale"] * (z @ W[s].T + dom["shift"][s])
        return feats, snippet_gt, events

    def _write_source(self, rng, folder, source, video, x, sigma):
        g = self.gen
        sigma = sigma * g["noise"]
        rate = g["fine_sources"].get(source, 1)
        if rate > 1:
            T = x.shape[0]
            n = T * rate - int(rng.integers(0, rate))
            x = x[np.arange(n) // rate]
        x = x + sigma * rng.normal(size=x.shape)
        C = g["num_crops"]
        path = osp.join(folder, "features", source)
        if C == 1:
            save_npy(osp.join(path, f"{video}.npy"), x.astype(np.float32))
            return
        crops = x[:, None, :] + CROP_NOISE * sigma * rng.normal(size=(x.shape[0], C, x.shape[1]))
        if g["crop_layout"] == "stacked":
            save_npy(osp.join(path, f"{video}.npy"), crops.astype(np.float32))
        else:
            for c in range(C):
                save_npy(osp.join(path, f"{video}__{c}.npy"), crops[:, c].astype(np.float32))
