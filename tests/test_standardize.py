import pytest
import torch

from pyg_fusion.datasets import StandardizeSources, SyntheticVAD
from pyg_fusion.training.vad import WeaklySupervisedVAD

KW = dict(num_videos=(6, 4), snippets=(8, 12), num_segments=8, log=False)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return str(tmp_path_factory.mktemp("std"))


def _rows(ds, s):
    return torch.cat([ds[i][f"x_{s}"] for i in range(len(ds))])


def test_training_statistics_applied_on_access(root):
    raw = SyntheticVAD(root, "train", **KW)
    train = SyntheticVAD(root, "train", standardize=True, **KW)
    assert raw.standardizer is None and train.standardizer is not None
    for s in ("i3d", "c3d", "swin"):
        x = _rows(train, s)
        assert torch.allclose(x.mean(0), torch.zeros(x.size(1)), atol=1e-5)
        assert torch.allclose(x.std(0, unbiased=False), torch.ones(x.size(1)), atol=1e-4)
        mean, std = train.standardizer.stats(s)
        assert torch.allclose(train[0][f"x_{s}"], (raw[0][f"x_{s}"] - mean) / std)
    assert torch.equal(train._data.x_i3d, raw._data.x_i3d)  # the stored data stays raw


def test_test_split_gets_the_training_statistics(root):
    train = SyntheticVAD(root, "train", standardize=True, **KW)
    test = SyntheticVAD(root, "test", standardize=True, **KW)
    given = SyntheticVAD(root, "test", standardize=train.standardizer, **KW)
    raw = SyntheticVAD(root, "test", **KW)
    for s in ("i3d", "c3d", "swin"):
        for a, b in zip(train.standardizer.stats(s), test.standardizer.stats(s)):
            assert torch.equal(a, b)
        assert torch.equal(_rows(test, s), _rows(given, s))
    refit = StandardizeSources.fit({"i3d": raw._data.x_i3d})
    assert not torch.allclose(refit.stats("i3d")[0], test.standardizer.stats("i3d")[0])


def test_user_transform_sees_standardised_data(root):
    seen = []
    test = SyntheticVAD(root, "test", standardize=True, transform=lambda d: seen.append(
        d.x_i3d.clone()) or d, **KW)
    out = test[1]
    assert torch.equal(seen[-1], out.x_i3d)
    mean, std = test.standardizer.stats("i3d")
    assert torch.allclose(out.x_i3d * std + mean, SyntheticVAD(root, "test", **KW)[1].x_i3d,
                          atol=1e-5)


def test_errors(root):
    with pytest.raises(TypeError, match="standardize must be"):
        SyntheticVAD(root, "test", standardize="yes", **KW)
    other = StandardizeSources.fit({"rgb": torch.randn(5, 3)})
    with pytest.raises(ValueError, match="statistics of the sources"):
        SyntheticVAD(root, "test", standardize=other, **KW)
    with pytest.raises(ValueError, match="positive"):
        StandardizeSources({"a": (torch.zeros(2), torch.tensor([1.0, 0.0]))})
    s = StandardizeSources.fit({"a": torch.randn(4, 3)})
    from torch_geometric.data import Data
    with pytest.raises(ValueError, match="lacks x_a"):
        s(Data(x_b=torch.zeros(2, 3)))
    with pytest.raises(ValueError, match="2 features"):
        s(Data(x_a=torch.zeros(2, 2)))


def test_constant_feature_is_only_centred():
    x = torch.stack([torch.full((6,), 3.0), torch.arange(6.0)], 1)
    s = StandardizeSources.fit({"a": x})
    mean, std = s.stats("a")
    assert mean.tolist() == [3.0, 2.5] and std[0] == 1.0
    assert std[1] == pytest.approx(x[:, 1].std(unbiased=False).item())


def test_statistics_travel_in_the_task_state_dict(root):
    train = SyntheticVAD(root, "train", standardize=True, **KW)
    task = WeaklySupervisedVAD(torch.nn.Linear(2, 2), standardizer=train.standardizer)
    assert task.standardizer is not train.standardizer  # a copy: devices move it alone
    sd = task.state_dict()
    assert {"standardizer.mean_i3d", "standardizer.std_swin"} <= set(sd)
    back = StandardizeSources.from_state_dict(sd, "standardizer.")
    for s in train.standardizer.sources:
        for a, b in zip(back.stats(s), train.standardizer.stats(s)):
            assert torch.equal(a, b)
    plain = WeaklySupervisedVAD(torch.nn.Linear(2, 2)).state_dict()
    assert StandardizeSources.from_state_dict(plain, "standardizer.") is None
    fresh = WeaklySupervisedVAD(torch.nn.Linear(2, 2), standardizer=back)
    fresh.load_state_dict(sd)  # same keys: a reloaded checkpoint fits


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_standardised_features_keep_their_dtype(dtype):
    from torch_geometric.data import Data
    g = torch.Generator().manual_seed(0)
    x = 50 + 10 * torch.randn(20, 3, generator=g)
    std = StandardizeSources.fit({"a": x})
    out = std(Data(x_a=x.to(dtype)))["x_a"]
    assert out.dtype == dtype
    want = (x.double() - x.double().mean(0)) / x.double().std(0, unbiased=False)
    tol = {torch.float16: 2e-2, torch.bfloat16: 0.1}.get(dtype, 1e-4)
    torch.testing.assert_close(out.double(), want, rtol=0, atol=tol)


def test_a_transform_set_later_keeps_the_standardisation(root):
    train = SyntheticVAD(root, "train", standardize=True, **KW)
    expected = train[0].x_i3d.clone()
    seen = []
    train.transform = lambda d: seen.append(d.x_i3d.clone()) or d
    assert torch.equal(train[0].x_i3d, expected)  # the z-scoring was replaced before
    assert torch.equal(seen[-1], expected)
    train.transform = None
    assert torch.equal(train[0].x_i3d, expected)
    raw = SyntheticVAD(root, "train", **KW)
    raw.transform = None
    assert raw.transform is None and not torch.equal(raw[0].x_i3d, expected)
    assert torch.equal(train.copy()[0].x_i3d, expected)  # a copy is standardised once
