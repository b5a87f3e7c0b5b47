"""Modules in PyG's style: the LEGO layers and heads, the AsymFusion
networks (:mod:`pyg_fusion.nn.asym`) and the baselines
(:mod:`pyg_fusion.nn.baselines`)."""
from .fused_graph import FusedGraph
from .relation_graph import RelationGraph
from .power_expansion import GraphPowerExpansion
from .lego_fusion import LEGOFusion
from .lego import LEGO, AUTO_DENSE_MAX_NODES
from .heads import GraphHead, RowHead
from .label_prop import LabelPropagationHead, takes_seed_labels
from .loss import DegreeVarianceLoss
from . import asym  # noqa: F401
from . import baselines  # noqa: F401
