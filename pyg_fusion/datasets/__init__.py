"""Datasets of pyg_fusion (PyG ``InMemoryDataset``\\ s of
:class:`~pyg_fusion.data.MultiSourceData`)."""
from .clustered import clustered_features
from .digits import MultiFeatureDigits
from .synthetic_vad import SyntheticVAD
from .tables import MultiViewTables
from .vad import VADFeatures, VADLayout, resample_segments, segment_scores_to_frames
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
    "resample_segments",
    "segment_scores_to_frames",
]
