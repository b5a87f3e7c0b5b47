"""load_feature_extractor probes the network's output with a random batch:
that draw came from torch's global generator, so loading an extractor between
seed_everything and building a model gave the model other initial weights."""
import torch

from pyg_fusion.training.translation_eval import load_feature_extractor


class _Pool(torch.nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def test_loading_an_extractor_leaves_torchs_generator(tmp_path):
    path = str(tmp_path / "net.pt")
    torch.jit.save(torch.jit.script(_Pool()), path)
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    extractor = load_feature_extractor(path, image_size=8)
    assert torch.equal(torch.rand(3), expected)
    assert extractor.num_features == 3
