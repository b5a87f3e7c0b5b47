"""AsymFusion's layers and models in a user's own network and on a user's
own images (session 35): state dicts of models rebuilt with their
modalities in another order, the exchange of narrow layers, and the
functional ops against the paper's definition."""
import pytest
import torch

from pyg_fusion.nn.asym import asym_fusion_segmenter
from pyg_fusion.training.translation import TranslationModule


def _segmenter(modalities):
    return asym_fusion_segmenter(3, depth=None, block="basic", layers=(1, 1, 1, 1), width=8,
                                 decoder_features=8, modalities=modalities)


def _without_order(state):
    return {k: v for k, v in state.items() if not k.endswith("_extra_state")}


@pytest.mark.parametrize("build", [_segmenter,
                                   lambda m: TranslationModule(list(m), [1] * len(m), ngf=4,
                                                             num_downs=3)],
                         ids=["segmenter", "translation"])
def test_a_model_rebuilt_with_its_modalities_in_another_order_refuses_the_state(build, tmp_path):
    # the private norms (and the segmenter's ensemble weights, the critic's
    # condition) go by position: ('depth', 'rgb') loaded a ('rgb', 'depth')
    # state dict, strict, and ran each modality through the other's norms
    torch.manual_seed(0)
    state = build(("rgb", "depth")).state_dict()
    torch.save(state, tmp_path / "m.pt")
    state = torch.load(tmp_path / "m.pt", weights_only=True)
    build(("rgb", "depth")).load_state_dict(state)
    with pytest.raises(RuntimeError, match=r"saved with its sources in the order \['rgb', "
                       r"'depth'\] \(the order of modalities\), this one has \['depth', 'rgb'\]"
                       r".*build it with modalities in the saved order"):
        build(("depth", "rgb")).load_state_dict(state)
    # state dicts saved before the order was kept load, strict, as before
    old = _without_order(state)
    assert len(old) == len(state) - 1
    again = build(("rgb", "depth"))
    again.load_state_dict(old)
    for key, value in _without_order(again.state_dict()).items():
        assert torch.equal(value, old[key]), key
    # one modality: no weight belongs to another, any name loads
    build(("depth", )).load_state_dict(build(("rgb", )).state_dict())
