"""AsymFusion (Wang et al., ACM MM 2020, https://arxiv.org/abs/2108.05009):
one shared network with private BatchNorm per modality and parameter-free
asymmetric channel shuffle and pixel shift between modalities."""
from .modality import (ModalityBatchNorm2d, ModalityNorm, ModalityNorm2d, ModalityParallel,
                       SharedModalityNetwork, bn_affine_parameter_count,
                       expand_state_dict, share_across_modalities)
from .bottleneck import AsymFusionBasicBlock, AsymFusionBottleneck
from .resnet import (RESNET_LAYERS, ResNetEncoder, load_torchvision_resnet,
                     resnet18, resnet34, resnet50, resnet101, resnet152)
from .refinenet import (ChainedResidualPooling, RefineNetDecoder,
                        ResidualConvUnit)
from .separate_encoders import SeparateEncoders
from .segmenter import AsymFusionSegmenter, asym_fusion_segmenter, asym_segmentation_loss
from .graph import AsymGraphFusion
from .translator import AsymFusionTranslator, AsymTranslationFusion, TranslatorOutput
from .patchgan import PatchGANDiscriminator, gan_loss

__all__ = [
    "ModalityParallel", "ModalityNorm", "ModalityBatchNorm2d", "ModalityNorm2d",
    "SharedModalityNetwork",
    "share_across_modalities", "bn_affine_parameter_count",
    "expand_state_dict", "AsymFusionBottleneck", "AsymFusionBasicBlock",
    "ResNetEncoder", "RESNET_LAYERS", "resnet18", "resnet34", "resnet50",
    "resnet101", "resnet152", "load_torchvision_resnet", "RefineNetDecoder",
    "ResidualConvUnit", "ChainedResidualPooling", "AsymFusionSegmenter",
    "SeparateEncoders", "asym_segmentation_loss", "asym_fusion_segmenter",
    "AsymGraphFusion", "AsymFusionTranslator", "AsymTranslationFusion", "TranslatorOutput",
    "PatchGANDiscriminator", "gan_loss",
]
