"""The split arguments of the one-graph datasets name their processed file:
numpy's numbers (a seed of ``np.arange``, a rate of ``np.linspace``) named
another cache than the same Python numbers (``json.dumps(default=str)`` wrote
``np.int64(0)`` as the string ``"0"``), and the same graph was processed and
stored again under each."""
import os

import numpy as np
import torch

from pyg_fusion.datasets import MultiFeatureDigits, MultiViewTables


def _caches(root, prefix):
    return sorted(f for f in os.listdir(os.path.join(root, "processed"))
                  if f.startswith(prefix))


def test_numpy_split_arguments_name_the_cache_of_python_ones(tmp_path):
    root = str(tmp_path / "digits")
    plain = MultiFeatureDigits(root, 0.1, val_rate=0.1, split_seed=0, log=False)
    numpy = MultiFeatureDigits(root, np.float64(0.1), val_rate=np.float64(0.1),
                               split_seed=np.int64(0), log=False)
    assert _caches(root, "digits_") == [os.path.basename(plain.processed_paths[0])]
    assert numpy.processed_paths == plain.processed_paths
    assert torch.equal(numpy[0].train_mask, plain[0].train_mask)

    rng = np.random.default_rng(0)
    np.save(tmp_path / "a.npy", rng.normal(size=(30, 3)))
    np.savetxt(tmp_path / "y.csv", np.repeat(["x", "y", "z"], 10), fmt="%s")
    root = str(tmp_path / "tables")
    for seed in (0, np.int64(0), np.int32(0)):
        MultiViewTables(root, [str(tmp_path / "a.npy")], str(tmp_path / "y.csv"),
                        split_seed=seed, log=False)
    assert len(_caches(root, "tables_")) == 1


def test_the_order_of_the_views_given_names_no_other_cache(tmp_path):
    # the graph holds the views in the files' order whatever the order given
    # (x_fou before x_pix); the order given named another processed file
    root = str(tmp_path / "digits")
    a = MultiFeatureDigits(root, views=["fou", "pix"], log=False)
    b = MultiFeatureDigits(root, views=["pix", "fou"], log=False)
    assert _caches(root, "digits_") == [os.path.basename(a.processed_paths[0])]
    assert b.views == a.views == ("fou", "pix") and list(b[0].sources) == ["fou", "pix"]
    assert "views=['fou', 'pix']" in repr(b)
