"""A DataConfig given numpy's scalars in Python (values of a grid built with
numpy) loads, and the run's config is recorded in plain Python: the
checkpoint that holds it is read with weights_only=True."""
import dataclasses
import io

import numpy as np
import pytest
import torch

from pyg_fusion.experiments.data import DataConfig, load_data


def _vad_layout(raw):
    rng = np.random.default_rng(1)
    (raw / "f").mkdir(parents=True)
    for split in ("train", "test"):
        names = [f"{split}{i}" for i in range(4)]
        for n in names:
            np.save(raw / "f" / f"{n}.npy", rng.normal(size=(6, 3)).astype("f4"))
        (raw / f"{split}.list").write_text("".join(n + "\n" for n in names))
    # abnormal frames in the 2 abnormal videos only (a normal video whose ground
    # truth marks abnormal frames is refused)
    np.save(raw / "gt.npy", np.r_[np.tile([0, 1, 1, 0, 0, 0], 2), np.zeros(12, int)])


def test_numpy_counts_load_and_are_recorded_plain(tmp_path):
    # vad_num_abnormal=np.int64(2) was refused ('vad_num_abnormal must be an
    # int >= 0 ..., got np.int64(2)'); vad_snippet_len=np.int64(1) loaded, and
    # the checkpoint of the run could not be read ('not a file of tensors that
    # loads safely')
    _vad_layout(tmp_path / "raw")
    cfg = DataConfig("vad", str(tmp_path), num_segments=np.int64(4),
                     vad_source=[np.str_("rgb=f/{name}.npy")], vad_train_list="train.list",
                     vad_test_list="test.list", vad_gt="gt.npy",
                     vad_num_abnormal={"train": np.int64(2), "test": 2},
                     vad_snippet_len=np.int64(1), standardize=np.bool_(False))
    td = load_data(cfg)
    assert td.config.vad_num_abnormal == {"train": 2, "test": 2}
    assert type(td.config.vad_num_abnormal["train"]) is int
    assert type(td.config.vad_snippet_len) is int and type(td.config.standardize) is bool
    assert type(td.extra["vad"]["vad_source"][0]) is str
    buffer = io.BytesIO()
    torch.save({"data_config": dataclasses.asdict(td.config), "data": td.extra}, buffer)
    buffer.seek(0)
    assert torch.load(buffer, weights_only=True)["data_config"]["vad_num_abnormal"]["train"] == 2
    plain = load_data(dataclasses.replace(cfg, vad_num_abnormal={"train": 2, "test": 2},
                                          vad_snippet_len=1, num_segments=4))
    assert plain.extra["fingerprint"] == td.extra["fingerprint"]


def _tables(root):
    raw = root / "raw"
    raw.mkdir(parents=True)
    np.savetxt(raw / "a.csv", np.arange(40.0).reshape(20, 2) % 7, delimiter=",")
    np.savetxt(raw / "y.csv", np.arange(20) % 2, fmt="%d")
    return raw


def test_a_path_root_is_recorded_as_a_str(tmp_path):
    # DataConfig(root=Path(...)) was recorded as a PosixPath, which the run's
    # checkpoint (read with weights_only=True) could not hold back
    from pathlib import Path
    raw = _tables(tmp_path)
    cfg = DataConfig("tables", root=Path(tmp_path / "runs"), views=[Path(raw / "a.csv")],
                     labels=Path(raw / "y.csv"), val_rate=0.2, test_rate=0.2)
    td = load_data(cfg)
    assert type(td.config.root) is str and td.config.root == str(tmp_path / "runs")
    buffer = io.BytesIO()
    torch.save(dataclasses.asdict(td.config), buffer)
    buffer.seek(0)
    assert torch.load(buffer, weights_only=True)["root"] == str(tmp_path / "runs")


def test_views_given_one_string_say_so(tmp_path):
    # views='raw/a.csv' was iterated: "view '' (named after its file /) ..."
    raw = _tables(tmp_path)
    cfg = DataConfig("tables", root=str(tmp_path / "runs"), views=str(raw / "a.csv"),
                     labels=str(raw / "y.csv"))
    with pytest.raises(TypeError, match=r"--views must be a list of files .*got the single "):
        load_data(cfg)


def test_a_vad_source_given_one_string_says_so(tmp_path):
    # vad_source='rgb=f/{name}.npy' was iterated: "--vad-source must be
    # NAME=PATTERN, got 'r'"
    _vad_layout(tmp_path / "raw")
    cfg = DataConfig("vad", str(tmp_path), vad_source="rgb=f/{name}.npy",
                     vad_train_list="train.list", vad_test_list="test.list", vad_gt="gt.npy")
    with pytest.raises(TypeError, match=r"--vad-source must be a list of NAME=PATTERN .*got "
                                        r"the single 'rgb=f/\{name\}.npy'"):
        load_data(cfg)
