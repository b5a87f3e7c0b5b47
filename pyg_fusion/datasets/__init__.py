"""Datasets of pyg_fusion (PyG ``InMemoryDataset``\\ s of
:class:`~pyg_fusion.data.MultiSourceData`)."""
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
