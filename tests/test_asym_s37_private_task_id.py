"""The refusal of a private norm called with no modality reads torch's private
graph-task id only to choose its message: a torch without it still refuses, with
the message for a forward call, rather than an AttributeError."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym.modality import share_across_modalities


def test_a_torch_without_the_private_task_id_still_names_the_modality(monkeypatch):
    shared = share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4)), 2)
    monkeypatch.delattr(torch._C, "_current_graph_task_id")
    with pytest.raises(RuntimeError, match="thread that chose no modality"):
        shared.model(torch.randn(2, 3, 4, 4))
