"""What every pyg_fusion dataset shares: an atomic processed cache whose file
name carries a hash of the options and of the code that make its content
(the hashes: :mod:`._cache_names`)."""
from __future__ import annotations

import contextlib
import os
import os.path as osp
import sys
import tempfile
from typing import Any, Callable, Sequence

import torch
from torch_geometric.data import InMemoryDataset
from torch_geometric.data.dataset import _repr, files_exist

from ..data import MultiSourceData
from .._files import atomic_write, made_folder, remove_stale_temps, save_torch
from .._loading import load_torch
from ._identity import callable_identity
from ._args import CheckedIndex, check_dataset_args
from ._read_only import _denied
from ._cache_names import data_code_hash, options_hash, remove_replaced

# How a damaged or stale cache is rebuilt, said once for every message that
# gives the way out: the argument, and the command line's flag, which passes it
RELOAD = "force_reload=True (pyg-fusion's --force-reload)"


class FusionDataset(CheckedIndex, InMemoryDataset):
    """:class:`~torch_geometric.data.InMemoryDataset` of
    :class:`~pyg_fusion.data.MultiSourceData` whose processed file is written
    atomically (PyG's :meth:`save` writes in place), and whose broken
    processed file gives an error that names the file and the way out,
    ``force_reload=True``, which rebuilds it (:data:`RELOAD`). ``pre_transform.pt`` and
    ``pre_filter.pt`` are written as PyG does (atomically), never read: the
    processed file's name holds both (:meth:`cache_file`)."""

    def __init__(self, root: str, transform: Callable | None = None,
                 pre_transform: Callable | None = None, pre_filter: Callable | None = None,
                 log: bool = True, force_reload: bool = False):
        root = check_dataset_args(root, transform, pre_transform, pre_filter, force_reload, log)
        # read before processing: a pre_transform that changes as it runs (a count of its
        # calls) named the file after its end state, which no later run starts in
        self._setting_ids = [callable_identity(pre_transform), callable_identity(pre_filter)]
        super().__init__(root, transform, pre_transform, pre_filter, log=bool(log),
                         force_reload=bool(force_reload))

    def cache_file(self, prefix: str, options: Any, files: Sequence[str] = ()) -> str:
        """The processed file's name: ``prefix``, a hash of the setting
        (``options``, ``pre_transform`` and ``pre_filter``
        (:func:`callable_identity`, as they were when the dataset was
        made)), the hash of the code that processes (:func:`data_code_hash`:
        a cache made by other code, e.g. before a fix, is never loaded, and
        is named in a notice), then a hash of the
        stamps of ``files``. The
        processed folder holds one file per setting, so each names everything
        that made its content; a file of the same setting made from files
        since changed (edited, or generated again by ``force_reload``) is
        replaced by the new one (:func:`remove_replaced`)."""
        setting = [options, *self._setting_ids]
        return (f"{prefix}_{options_hash(setting)}_{data_code_hash()}_"
                f"{options_hash(None, files)}.pt")

    def _remove_replaced(self) -> None:
        for path in self.processed_paths:
            remove_replaced(path)

    def _download(self):
        # PyG's own, but the folders it makes for the raw files are removed
        # again when they stay empty: a root mistyped, or given as a feature
        # set's own folder, was left with an empty raw/ (and the root itself)
        if files_exist(self.raw_paths):
            return
        # a read-only root: download() still says which of the user's files
        # are missing; a write of its own is refused by name (raw_writes)
        with made_folder(self.raw_dir, unmade_ok=_denied), self.raw_writes():
            self.download()

    @contextlib.contextmanager
    def raw_writes(self):
        """Where :meth:`download` writes the raw files (e.g. copies bundled data): a write
        refused in a root that cannot be written (an empty read-only copy) is an error
        naming root, as the processed folder's is (a bare OSError named only the file).
        Generators are left to :func:`generation_turn`, which names their argument."""
        try:
            yield
        except OSError as exc:
            if not _denied(exc) or self.generated_folder is not None:
                raise
            raise ValueError(f"{self.__class__.__name__}: root {self.root}: the raw files are "
                             f"to be written there, and it cannot be written (a read-only "
                             f"copy?; {exc.strerror}: {exc.filename}): write them once where "
                             f"root can be written, or give a writable root") from exc

    def _process(self):
        # PyG's own: the same steps, but pre_transform.pt and pre_filter.pt
        # are written atomically (PyG writes them in place) and never read:
        # PyG reads them (with weights_only=False, so a truncated one was a
        # bare unpickling error) only to warn that they differ, while the
        # processed file's name (cache_file) already holds both
        remove_stale_temps(self.processed_dir)
        if not self.force_reload and files_exist(self.processed_paths):
            return
        try:
            os.makedirs(self.processed_dir, exist_ok=True)
            # the write that ends the processing, tried before it: a
            # read-only copy is told so at once, not after the processing
            with tempfile.TemporaryFile(dir=self.processed_dir):
                pass
        except OSError as exc:
            if not _denied(exc):
                raise
            # a read-only copy whose processed file is of other code or
            # options: a bare PermissionError named a file never asked for
            raise ValueError(f"{self.__class__.__name__}: {self.processed_dir} holds no "
                             f"processed file of these options, this code and this "
                             f"pre_transform / pre_filter, and cannot be written (a read-only "
                             f"copy?): process the data once where root can be written, or "
                             f"give a writable root") from exc
        if self.log and "PYTEST_CURRENT_TEST" not in os.environ:
            print("Processing...", file=sys.stderr)
        try:
            self.process()
        except (FileNotFoundError, ValueError) as exc:
            folder = self.generated_folder
            if folder is None or folder not in str(exc):
                raise
            # a damaged or deleted file of generated data: deleting the rest
            # regenerates all (deleting the one file would not)
            cls = FileNotFoundError if isinstance(exc, FileNotFoundError) else ValueError
            raise cls(f"{exc}; the files of {folder} are generated: delete that folder, or "
                      f"pass {RELOAD}, and they are generated again") from exc
        # PyG's record of the last processing (what its other datasets compare)
        for name, value in (("pre_transform.pt", self.pre_transform),
                            ("pre_filter.pt", self.pre_filter)):
            save_torch(_repr(value), osp.join(self.processed_dir, name))
        self._remove_replaced()
        if self.log and "PYTEST_CURRENT_TEST" not in os.environ:
            print("Done!", file=sys.stderr)

    def _pre_transformed(self, data):
        """``pre_transform(data)``, which must return the data, of its class: a transform
        that changed the data in place and returned nothing (or a plain Data) failed when
        the graphs were saved ('NoneType' object has no attribute 'stores_as')."""
        if self.pre_transform is None:
            return data
        out = self.pre_transform(data)
        if not isinstance(out, type(data)):
            raise TypeError(f"pre_transform must return the transformed "
                            f"{type(data).__name__}, got {type(out).__name__} (from "
                            f"{self.pre_transform!r}); a transform that changes the data in "
                            f"place must still return it")
        return out

    def save_processed(self, data_list: Sequence, what: str) -> None:
        """The end of every :meth:`process`, PyG's: ``pre_filter``, then
        ``pre_transform`` (:meth:`_pre_transformed`) on each graph kept, in
        order, then the collated graphs saved to ``processed_paths[0]``
        (:meth:`save`, atomic). A filter that rejects every graph is an error
        naming ``what`` the graphs are (e.g. ``"train scenes"``); a dataset of
        no graphs cannot be saved, and its process says why before."""
        kept = [d for d in data_list if self.pre_filter is None or self.pre_filter(d)]
        if data_list and not kept:
            n = len(data_list)
            raise ValueError("pre_filter rejected the only graph of the dataset" if n == 1 else
                             f"pre_filter rejected every one of the {n} {what}")
        self.save([self._pre_transformed(d) for d in kept], self.processed_paths[0])

    def raw_files_missing(self, note: str = "") -> FileNotFoundError:
        """The error of the raw files not found (``note`` after their list), which says
        where they are when under ``root`` itself (PyG's ``raw/`` left out)."""
        missing = [p for p in self.raw_paths if not osp.isfile(p)]
        beside = [b for b in (osp.join(self.root, osp.relpath(p, self.raw_dir))
                              for p in missing) if osp.isfile(b)]
        hint = (f"; {beside[0]} is under root itself, and a dataset reads its files under "
                f"root/raw (PyG's layout): move them into {self.raw_dir}, or give absolute "
                f"paths") if beside else ""
        return FileNotFoundError(f"{self.__class__.__name__}: file(s) not found: "
                                 f"{missing}{note}{hint}")

    @property
    def generated_folder(self) -> str | None:
        """The folder of the raw files the dataset generates itself (``None``:
        it reads the user's files)."""
        return None

    @classmethod
    def save(cls, data_list: Sequence[MultiSourceData], path: str) -> None:
        data, slices = cls.collate(data_list)
        with atomic_write(path) as f:
            torch.save((data.to_dict(), slices, data.__class__), f)

    def load(self, path: str, data_cls=MultiSourceData) -> None:
        # Read here, not by PyG's load: PyG's reader retries a file that does
        # not load with weights_only=True with weights_only=False, which runs
        # the file's code. save() writes (store dict, slices, class).
        recover = f"delete it or pass {RELOAD}"
        out = load_torch(path, what=f"{self.__class__.__name__}: the processed file",
                         recover=recover, allowed=(data_cls, ))
        if not (isinstance(out, tuple) and len(out) == 3 and isinstance(out[0], dict)
                and (out[1] is None or isinstance(out[1], dict)) and out[2] is data_cls):
            raise ValueError(f"{self.__class__.__name__}: cannot load the processed file "
                             f"{path} (it holds no collated {data_cls.__name__} and slices); "
                             f"{recover}")
        self._data_list = None
        self._data, self.slices = data_cls.from_dict(out[0]), out[1]

    def to_on_disk_dataset(self, root: str | None = None, backend: str = "sqlite",
                           log: bool = True):
        """PyG's :meth:`~torch_geometric.data.InMemoryDataset.to_on_disk_dataset`, whose
        graphs come back of the class stored (PyG's made plain ``Data``, which batches
        ``assign_<source>`` without offsets: a loader's batch sent the finer units of
        every graph to the first graph's nodes, without a word), each in a folder of
        its own graphs (PyG loaded any database already in ``root``, of another split
        or subset, as these graphs): a ``root`` holding another's is an error.

        Args:
            root (str, optional): where the database is written. (default: :obj:`None`,
                ``root/on_disk/<hash>``, one folder per processed file, selection of
                its graphs and set of their attributes, e.g. modalities)
            backend (str, optional): PyG's database backend. (default: :obj:`"sqlite"`)
            log (bool, optional): show the conversion's progress. (default: :obj:`True`)
        """
        from ._on_disk import on_disk_copy  # loaded when a copy is asked for
        return on_disk_copy(self, super().to_on_disk_dataset, root, backend, log)

    @property
    def num_source_features(self) -> dict[str, int]:
        """``{source: feature width}`` of the graphs (:attr:`num_features` is
        an error here: a multi-source graph has no single width)."""
        return self[0].num_source_features

    def get_summary(self):
        """PyG's summary statistics (:meth:`print_summary`), with the edges of the graphs
        per source (``edge_index_<source>``) counted per source, as PyG counts a
        heterogeneous dataset's per edge type (PyG's own, which any user's dataset
        of them prints, has the total only); ``#edges`` counts all graphs
        (:attr:`~pyg_fusion.data.MultiSourceData.num_edges`). Printing it needs
        the ``tabulate`` package, an optional dependency of PyG that pyg_fusion does not
        install (``pip install tabulate``); the returned statistics do not."""
        from torch_geometric.data.summary import Stats, Summary
        nodes, edges, per_source = [], [], {}
        for data in self:
            # SyntheticTranslation's scenes are plain Data (one image per modality)
            graphs = data.num_source_edges if isinstance(data, MultiSourceData) else {}
            nodes.append(data.num_nodes)
            edges.append(data.num_edges)
            for s, e in graphs.items():
                per_source.setdefault((f"edge_index_{s}", ), []).append(e)
        if not per_source:
            return super().get_summary()
        return Summary(self.__class__.__name__, len(self), Stats.from_data(nodes),
                       Stats.from_data(edges),
                       num_edges_per_type={k: Stats.from_data(v) for k, v in per_source.items()})

    def _repr_options(self) -> str:
        return ""

    def __repr__(self) -> str:
        extra = self._repr_options()
        return f"{self.__class__.__name__}({len(self)}{', ' + extra if extra else ''})"
