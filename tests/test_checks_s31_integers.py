"""Integer arguments: numpy's integers are taken and stored as Python ints."""
import json

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import VADLayout
from pyg_fusion.datasets._args import check_seed
from pyg_fusion.datasets.clustered import clustered_features
from pyg_fusion.functional._checks import check_int


@pytest.mark.parametrize("value", [np.int64(3), np.int32(3), np.uint8(3), 3])
def test_check_int_takes_numpy_integers_as_plain_ints(value):
    out = check_int("n", value, minimum=1)
    assert type(out) is int and out == 3
    assert type(check_seed(value)) is int and json.dumps(check_seed(value)) == "3"


@pytest.mark.parametrize("value, hint", [(True, ""), (np.bool_(True), ""), (3.0, ""),
                                         (torch.tensor(3), r" \(a tensor: pass int\(value\)\)")])
def test_check_int_refuses_bools_floats_and_tensors(value, hint):
    with pytest.raises(TypeError, match=r"^n must be an int, got .*" + hint + "$"):
        check_int("n", value, minimum=1)
    with pytest.raises(ValueError, match="^n must be >= 1, got 0$"):
        check_int("n", np.int64(0), minimum=1)


def test_dataset_counts_of_numpy_integers_are_taken_as_ints(tmp_path):
    ref = clustered_features(12, 4, num_clusters=3, subspace=2)
    out = clustered_features(np.int64(12), np.int32(4), num_clusters=np.int64(3),
                             subspace=np.int16(2))
    assert torch.equal(ref, out)
    layout = VADLayout(sources={"a": "{name}.npy"}, rates={"a": np.int64(2)})
    assert type(layout.rates["a"]) is int
    with pytest.raises(TypeError, match=r"^rates\['a'\] must be an int, got True$"):
        VADLayout(sources={"a": "{name}.npy"}, rates={"a": True})
    with pytest.raises(TypeError, match="^subspace must be an int, got 2.0$"):
        clustered_features(12, 4, subspace=2.0)


def test_synthetic_translation_takes_a_numpy_count(tmp_path):
    from pyg_fusion.datasets import SyntheticTranslation
    ds = SyntheticTranslation(tmp_path, num_images=np.int64(2), image_size=16)
    assert type(ds.num_images) is int and len(ds) == 2


def test_modules_built_from_numpy_integers_hold_plain_ints():
    # LEGO(num_powers=np.int64(2)) was refused ('num_powers must be an int or
    # give P for each of ...'); FeatureFusion / AsymGraphFusion kept np.int64
    # widths (repr: {'a': np.int64(3)})
    from pyg_fusion.nn import LEGO
    from pyg_fusion.nn.asym import AsymGraphFusion
    from pyg_fusion.nn.baselines import FeatureFusion

    i = np.int64
    lego = LEGO({"a": i(3), "b": np.int32(2)}, i(2), k=i(4), prune_k=i(3), proj_channels=i(2))
    assert lego.fusion.num_powers == {"a": 2, "b": 2}
    assert all(type(v) is int for v in [*lego.in_channels.values(),
                                        *lego.fusion.num_powers.values(),
                                        *(e.num_powers for e in lego.expansions.values())])
    assert lego({"a": torch.randn(6, 3), "b": torch.randn(6, 2)}).num_nodes == 6
    per_source = LEGO({"a": 3, "b": 2}, {"a": i(2), "b": np.int32(1)})
    assert per_source.fusion.num_powers == {"a": 2, "b": 1}
    with pytest.raises(TypeError, match="num_powers must be an int, got True"):
        LEGO({"a": 3, "b": 2}, True)
    for module in (FeatureFusion({"a": i(3), "b": i(3)}),
                   AsymGraphFusion({"a": i(3), "b": i(3)}, channels=i(10), num_layers=i(1))):
        assert "np." not in repr(module)


def test_real_options_take_numpy_numbers_and_refuse_bools():
    # np.float32 thresholds / gammas / ratios / lambda_anchor were refused
    # (np.float64 passed, a float subclass), while gamma=True and
    # lambda_anchor=True were taken as 1
    from pyg_fusion.functional import shift_groups
    from pyg_fusion.nn import LEGO, RelationGraph
    from pyg_fusion.nn.asym import ResNetEncoder

    graph = RelationGraph(k=np.int64(3), threshold=np.float32(0.5), metric="rbf",
                          gamma=np.float32(2.0))
    assert "np." not in repr(graph) and type(graph.gamma) is float
    assert shift_groups(10, np.float32(0.2)) == 2
    lego = LEGO({"a": 3, "b": 2}, 1, lambda_anchor=np.float32(0.5))
    assert lego.fusion.lambda_anchor == 0.5
    enc = ResNetEncoder("basic", layers=np.array([1, 1, 1, 1]), width=8,
                        ratio=np.float32(0.25))
    assert enc.layers == (1, 1, 1, 1) and type(enc.ratio) is float
    with pytest.raises(ValueError, match="gamma must be a positive number, got True"):
        RelationGraph(k=3, metric="rbf", gamma=True)
    with pytest.raises(ValueError, match="lambda_anchor must be a finite number >= 0"):
        LEGO({"a": 3, "b": 2}, 1, lambda_anchor=True)
