"""The UCI Multiple Features handwritten digits as one multi-view graph."""
from __future__ import annotations

import filecmp
import gzip
import os
import os.path as osp
import shutil
import urllib.request
from pathlib import Path
from typing import Callable, Sequence

import torch

from ..data import MultiSourceData
from ._args import check_transductive_standardize
from ._base import RELOAD, FusionDataset
from ._cache_names import data_code_hash, options_hash, remove_replaced
from .._files import atomic_write, save_torch
from .._loading import load_torch
from ._io import read_table
from ._named_sources import VIEWS
from ._split import check_split, stratified_masks
from .standardize import zscore_columns

NUM_PER_CLASS = 200


def bundled_dirs() -> list[Path]:
    """Folders searched, in order, for the bundled ``mfeat-<view>.csv.gz``:
    ``$PYG_FUSION_DATA/uci_mfeat`` (and ``$PYG_FUSION_DATA`` itself), the
    wheel's ``pyg_fusion/_bundled/uci_mfeat``, and the source tree's
    ``datasets/uci_mfeat`` (editable installs)."""
    out = []
    env = os.environ.get("PYG_FUSION_DATA")
    if env:
        out += [Path(env) / "uci_mfeat", Path(env)]
    pkg = Path(__file__).resolve().parent.parent
    out += [pkg / "_bundled" / "uci_mfeat", pkg.parent / "datasets" / "uci_mfeat"]
    return out


def find_bundled() -> Path | None:
    for folder in bundled_dirs():
        if all((folder / f"mfeat-{v}.csv.gz").is_file() for v in VIEWS):
            return folder
    return None


class MultiFeatureDigits(FusionDataset):
    r"""The UCI Multiple Features data set (van Breukelen et al., Kybernetika
    1998; `UCI <https://archive.ics.uci.edu/dataset/72/multiple+features>`_,
    CC BY 4.0) as ONE graph: node = one of 2,000 handwritten digits, six
    views of it as sources.

    The data ships with pyg_fusion (``datasets/uci_mfeat/``, see
    :func:`bundled_dirs`); :meth:`download` copies it into ``root/raw`` and
    only fetches the original files from UCI when no bundled copy is found.

    The graph (:class:`~pyg_fusion.data.MultiSourceData`):

    * ``x_fou`` [2000, 76], ``x_fac`` [2000, 216], ``x_kar`` [2000, 64],
      ``x_pix`` [2000, 240], ``x_zer`` [2000, 47], ``x_mor`` [2000, 6]:
      float32, the values of the files (or standardised, see below);
    * ``y`` [2000] long, classes 0-9 (200 each);
    * ``train_mask``, ``val_mask``, ``test_mask`` [2000] bool from
      :func:`~pyg_fusion.datasets._split.stratified_masks`: per class 40 test
      and 20 validation nodes (defaults ``test_rate=0.2``, ``val_rate=0.1``)
      and a pool of 140, of which ``max(1, round(label_rate * 140))`` are
      training nodes: 10 training nodes in all for ``label_rate=0.01``, 70 for
      0.05, 140 for 0.1 and 1,400 for 1.0. Validation and test do not depend
      on ``label_rate``; for one ``split_seed`` smaller rates label subsets of
      larger ones.

    Args:
        root (str): folder of ``raw/`` and ``processed/``.
        label_rate (float, optional): fraction of the training pool labelled for training.
            (default: :obj:`0.1`)
        views (Sequence[str], optional): the views to keep, held in the order above
            whatever the order given. (default: :obj:`None`, all six)
        val_rate (float, optional): fractions of each class for validation / test. (default:
            :obj:`0.1`)
        test_rate (float, optional): fractions of each class for validation / test. (default:
            :obj:`0.2`)
        split_seed (int, optional): seed of the masks. (default: :obj:`0`)
        standardize (bool, optional): z-score every feature column over all 2,000 nodes
            (transductive; sample standard deviation, divided by n - 1; constant columns
            are only centred). Off by default so that the
            values are those of the files. (default: :obj:`False`)
        transform (callable, optional): a function/transform that takes a
            :class:`~torch_geometric.data.Data` object and returns a transformed version,
            applied on every access. (default: :obj:`None`)
        pre_transform (callable, optional): a function/transform applied to every
            :class:`~torch_geometric.data.Data` object before it is saved to disk.
            (default: :obj:`None`)
        pre_filter (callable, optional): a function that takes a
            :class:`~torch_geometric.data.Data` object and returns whether it belongs in the
            dataset. (default: :obj:`None`)
        force_reload (bool, optional): replace every file of ``root/raw`` that differs
            from the bundled copy (files fetched from UCI are kept) and re-process the
            dataset. (default: :obj:`False`)
        log (bool, optional): print progress while processing. (default: :obj:`True`)
    """

    url = "https://archive.ics.uci.edu/ml/machine-learning-databases/mfeat/mfeat-{view}"

    def __init__(self, root: str, label_rate: float = 0.1, *, views: Sequence[str] | None = None,
                 val_rate: float = 0.1, test_rate: float = 0.2, split_seed: int = 0,
                 standardize: bool = False, transform: Callable | None = None,
                 pre_transform: Callable | None = None, pre_filter: Callable | None = None,
                 force_reload: bool = False, log: bool = True):
        if isinstance(views, str):  # 'pix' read as the views 'p', 'i', 'x'
            raise TypeError(f"views must be a sequence of view names, e.g. [{views!r}], got "
                            f"the single string {views!r}")
        views = tuple(VIEWS if views is None else views)
        bad = [v for v in views if v not in VIEWS]
        if bad or not views or len(set(views)) != len(views):
            raise ValueError(f"views must be distinct names among {VIEWS}, got {list(views)}")
        # in the files' order, as the graph holds them: views=['pix', 'fou'] named
        # another processed file than ['fou', 'pix'], of the same graph
        self.views = views = tuple(v for v in VIEWS if v in views)
        # before any file is touched; numpy's numbers as Python's (the cache's name)
        label_rate, val_rate, test_rate, split_seed = check_split(label_rate, val_rate,
                                                                  test_rate, split_seed)
        self.options = dict(label_rate=label_rate, views=list(views), val_rate=val_rate,
                            test_rate=test_rate, split_seed=split_seed,
                            standardize=check_transductive_standardize(standardize))
        super().__init__(root, transform, pre_transform, pre_filter, log=log,
                         force_reload=force_reload)
        self.load(self.processed_paths[0])

    @property
    def raw_file_names(self) -> list[str]:
        return [f"mfeat-{v}.csv.gz" for v in VIEWS]

    @property
    def processed_file_names(self) -> list[str]:
        return [self.cache_file("digits", self.options, self.raw_paths)]

    @property
    def num_classes(self) -> int:
        return 10

    def _download(self) -> None:
        # PyG's downloads only when a raw file is missing; force_reload also
        # replaces a damaged copy of a bundled file (download())
        if self.force_reload and find_bundled() is not None:
            with self.raw_writes():
                self.download()
        else:
            super()._download()

    def download(self) -> None:
        bundled = find_bundled()
        for view, name in zip(VIEWS, self.raw_file_names):
            dst = osp.join(self.raw_dir, name)
            # force_reload replaces a copy that differs from the bundled file
            # only: a new copy's stamp renames every cache made from it
            if osp.exists(dst) and (bundled is None or not self.force_reload
                                    or filecmp.cmp(bundled / name, dst, shallow=False)):
                continue
            if bundled is not None:
                with open(bundled / name, "rb") as src, atomic_write(dst) as out:
                    shutil.copyfileobj(src, out)
            else:
                self._fetch(view, dst)

    def _fetch(self, view: str, dst: str) -> None:
        """Fetch UCI's original file of ``view`` (whitespace-separated, no
        labels, 200 rows per class in class order) and write it in the bundled
        CSV format."""
        url = self.url.format(view=view)
        try:
            with urllib.request.urlopen(url, timeout=60) as resp:
                text = resp.read().decode("ascii")
        except Exception as exc:
            searched = ", ".join(str(p) for p in bundled_dirs())
            raise RuntimeError(
                f"no bundled copy of the UCI digits was found (searched {searched}) and "
                f"downloading {url} failed ({exc}). Put the six mfeat-<view>.csv.gz files "
                f"in {self.raw_dir} or point PYG_FUSION_DATA to a folder holding "
                f"uci_mfeat/.") from exc
        rows = [ln.split() for ln in text.splitlines() if ln.strip()]
        if len(rows) != 10 * NUM_PER_CLASS or len({len(r) for r in rows}) != 1:
            raise ValueError(f"{url}: expected {10 * NUM_PER_CLASS} rows of equal length, got "
                             f"{len(rows)} rows")
        width = len(rows[0])
        lines = [",".join([*map(str, range(width)), "0"])]
        lines += [",".join([*r, str(i // NUM_PER_CLASS)]) for i, r in enumerate(rows)]
        with atomic_write(dst) as out:
            with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=6) as gz:
                gz.write(("\n".join(lines) + "\n").encode())

    def _values(self) -> dict[str, torch.Tensor]:
        """The numbers of the six raw files (float64, label last), parsed once
        and cached beside the processed files, so that other options
        (label rates, seeds, views) re-process in milliseconds."""
        # named by the parser's code too, as the processed file is (cache_file)
        tag = f"{data_code_hash()}_{options_hash(None, self.raw_paths)}"
        cache = osp.join(self.processed_dir, f"mfeat_values_{tag}.pt")
        if osp.exists(cache) and not self.force_reload:
            return load_torch(cache, what="MultiFeatureDigits value cache",
                              recover=f"delete it or pass {RELOAD}")
        values = {}
        for view, path in zip(VIEWS, self.raw_paths):
            try:
                table = read_table(path, header=True, index_col=None, what=f"view {view!r}")
            except ValueError as exc:  # a damaged copy: download() copies a missing one
                way = (f"delete it, or pass {RELOAD}, and the bundled copy replaces it"
                       if find_bundled() is not None else "delete it and it is downloaded again")
                raise ValueError(f"{exc}; {way}") from None
            values[view] = torch.from_numpy(table.values)
        save_torch(values, cache)
        remove_replaced(cache)
        return values

    def process(self) -> None:
        values = self._values()
        data = MultiSourceData()
        y = None
        for view, name in zip(VIEWS, self.raw_file_names):
            labels = values[view][:, -1].long()
            if y is None:
                y = labels
            elif not torch.equal(y, labels):
                raise ValueError(f"view {view!r}: {name} lists other labels than the first "
                                 f"view; the raw files are not aligned")
            if view not in self.views:
                continue
            x = values[view][:, :-1]
            if self.options["standardize"]:
                x = zscore_columns(x)
            data[f"x_{view}"] = x.float()
        data.y = y
        data.num_nodes = y.numel()
        o = self.options
        data.train_mask, data.val_mask, data.test_mask = stratified_masks(
            y, o["label_rate"], val_rate=o["val_rate"], test_rate=o["test_rate"],
            seed=o["split_seed"])
        self.save_processed([data], "graphs")

    def _repr_options(self) -> str:
        o = self.options
        return (f"views={list(self.views)}, label_rate={o['label_rate']}, "
                f"split_seed={o['split_seed']}")
