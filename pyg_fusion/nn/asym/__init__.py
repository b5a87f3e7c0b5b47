"""AsymFusion (Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009):
one shared network with private BatchNorm per modality and parameter-free
asymmetric channel shuffle and pixel shift between modalities."""
from .modality import (ModalityBatchNorm2d, ModalityParallel,
                       SharedModalityNetwork, bn_affine_parameter_count,
                       share_across_modalities)

__all__ = ["ModalityParallel", "ModalityBatchNorm2d", "SharedModalityNetwork",
           "share_across_modalities", "bn_affine_parameter_count"]
