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

# the layers and the two subpackages: the modules of the layers (relation_graph,
# loss, lego, ...) are no part of `import *`, where nn's relation_graph module
# replaced functional's relation_graph function of an earlier star import
__all__ = [
    "FusedGraph", "RelationGraph", "GraphPowerExpansion", "LEGOFusion", "LEGO",
    "AUTO_DENSE_MAX_NODES", "GraphHead", "RowHead", "LabelPropagationHead",
    "takes_seed_labels", "DegreeVarianceLoss", "asym", "baselines",
]
