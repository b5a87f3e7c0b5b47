"""Test features of another width than the training features are an error
before any training, whichever method (a graph-only one scored them)."""
import numpy as np
import pytest

from pyg_fusion.experiments.data import DataConfig, load_data


def _tree(root, test_width):
    raw = root / "raw"
    (raw / "a").mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = {"train": ["tr_abn", "tr_normal"], "test": ["te_abn", "te_normal"]}
    for split, width in (("train", 5), ("test", test_width)):
        for n in names[split]:
            np.save(raw / "a" / f"{n}.npy", rng.normal(size=(4, width)).astype(np.float32))
        (raw / f"{split}.list").write_text("".join(f"{n}\n" for n in names[split]))
    np.save(raw / "gt.npy", np.array([0, 1, 1, 0] + [0] * 4, dtype=np.uint8).repeat(2))
    return DataConfig(dataset="vad", root=str(root), num_segments=4, vad_source=["a=a"],
                      vad_train_list="train.list", vad_test_list="test.list",
                      vad_gt="gt.npy", vad_labels="name", vad_snippet_len=2)


@pytest.mark.parametrize("standardize", [False, True])
def test_test_features_of_another_width_are_an_error(tmp_path, standardize):
    cfg = _tree(tmp_path, 4)
    cfg.standardize = standardize
    with pytest.raises(ValueError, match=r"source 'a' has 4 features in the test split "
                       r"\(video 'te_abn'\) but 5 in the training split \(video 'tr_abn'\)"):
        load_data(cfg)


def test_features_of_one_width_load(tmp_path):
    cfg = _tree(tmp_path / "same", 5)
    td = load_data(cfg)
    assert td.in_channels == {"a": 5}
    assert [int(d.y) for d in td.test] == [1, 0]
    # 4 snippets into 4 segments: each video's features are its file's
    for d, name in zip(td.test, ("te_abn", "te_normal")):
        want = np.load(tmp_path / "same" / "raw" / "a" / f"{name}.npy")
        np.testing.assert_array_equal(d.x_a.numpy(), want)
