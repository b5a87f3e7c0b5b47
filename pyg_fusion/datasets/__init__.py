"""Datasets of pyg_fusion, and the helpers that build them.

The graph tasks' datasets are PyG
:class:`~torch_geometric.data.InMemoryDataset`\\ s of
:class:`~pyg_fusion.data.MultiSourceData`: :class:`MultiFeatureDigits`,
:class:`MultiViewTables`, :class:`VADFeatures`, :class:`SyntheticVAD`,
:class:`RecordingStreamsVAD` and :class:`MotionVAD`.

The image tasks' datasets are not graphs of sources:

* :class:`SyntheticTranslation`: a PyG ``InMemoryDataset`` of
  :class:`~torch_geometric.data.Data` (``x_<modality>``, ``y``), the
  generated scenes;
* :class:`TaskonomyFolder`: a PyG :class:`~torch_geometric.data.Dataset` of
  the same ``Data``, each scene read from its files when indexed (a folder
  need not fit in memory);
* :class:`RGBDSegmentation` and :class:`SyntheticRGBD`: plain
  :class:`torch.utils.data.Dataset`\\ s of dicts ``{"rgb", "depth", "mask"}``,
  each scene read (and, for training, randomly scaled, cropped and flipped)
  when indexed.
"""
import importlib

# {name: its module}: each module loads on first use, so that a module of
# this package that needs no torch (the sources' names, _named_sources) is
# imported without the datasets, which load torch and PyG (seconds)
_EXPORTS = {
    "clustered_features": "clustered", "MultiFeatureDigits": "digits",
    "MotionVAD": "motion_vad", "RecordingStreamsVAD": "recording_streams",
    "motion_snippet_features": "snippet_features", "StandardizeSources": "standardize",
    "SyntheticVAD": "synthetic_vad", "MultiViewTables": "tables",
    "resample_segments": "segments", "segment_scores_to_frames": "segments",
    "VADFeatures": "vad", "VADLayout": "vad",
    # the images' datasets (plain torch Datasets and PyG's)
    "RGBDSegmentation": "rgbd", "SyntheticRGBD": "synthetic_rgbd",
    "SyntheticTranslation": "translation", "TaskonomyFolder": "translation",
}


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    if not name.startswith("__"):
        try:  # a module of the package (datasets.tables), as when all were imported here
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "clustered_features",
    "MultiFeatureDigits",
    "MultiViewTables",
    "VADFeatures",
    "VADLayout",
    "SyntheticVAD",
    "MotionVAD",
    "RecordingStreamsVAD",
    "motion_snippet_features",
    "StandardizeSources",
    "resample_segments",
    "segment_scores_to_frames",
]
