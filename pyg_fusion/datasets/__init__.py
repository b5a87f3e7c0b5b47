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
from .clustered import clustered_features
from .digits import MultiFeatureDigits
from .motion_vad import MotionVAD
from .recording_streams import RecordingStreamsVAD
from .snippet_features import motion_snippet_features
from .standardize import StandardizeSources
from .synthetic_vad import SyntheticVAD
from .tables import MultiViewTables
from .segments import resample_segments, segment_scores_to_frames
from .vad import VADFeatures, VADLayout
from .rgbd import RGBDSegmentation  # noqa: F401  (images, plain torch Datasets)
from .synthetic_rgbd import SyntheticRGBD  # noqa: F401
from .translation import SyntheticTranslation, TaskonomyFolder  # noqa: F401

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
