"""run_segment / run_translate (and their evaluations) given configs that
hold numpy's scalars (a sweep over np.arange, a setting read from an array):
before, the run trained, then failed writing metrics.json ('Object of type
int64 is not JSON serializable') and was not published. The configs are
taken as plain Python and recorded so."""
import json

import numpy as np
import torch

from pyg_fusion.experiments import image_config as ic
from pyg_fusion.experiments.image_checkpoint import given_data
from pyg_fusion.specs.options import plain_config
from pyg_fusion.experiments.segment_run import evaluate_segment, run_segment
from pyg_fusion.experiments.translate_run import evaluate_translate, run_translate
from test_specs_s33b_plain_options import _plain


def test_the_config_recorded_is_plain():
    from pyg_fusion.experiments.image_run import config_with_data
    record = config_with_data({"trainer": {"epochs": np.int64(1)}, "note": np.str_("a")},
                              ic.SegmentDataConfig())
    assert _plain(record) and record["trainer"] == {"epochs": 1}


def test_a_segment_run_of_numpy_configs_is_recorded_and_evaluates(tmp_path):
    data = ic.SegmentDataConfig(root=str(tmp_path / "rgbd"), size=np.int64(40),
                                num_train=np.int64(4), num_test=2, batch_size=np.int64(2))
    model = ic.SegmentModelConfig(width=np.int64(4), decoder_features=4, light=np.bool_(True))
    trainer = ic.SegmentTrainConfig(epochs=np.int64(1), lr=np.float32(1e-3),
                                    seed=np.int64(0))
    run_segment(data, model, trainer, str(tmp_path / "seg"), progress=False)
    record = json.loads((tmp_path / "seg" / "metrics.json").read_text())
    assert record["config"]["trainer"] == {"epochs": 1, "lr": float(np.float32(1e-3)),
                                           "weight_decay": 1e-05, "seed": 0}
    ckpt = tmp_path / "seg" / "checkpoints" / "last.ckpt"
    assert _plain(torch.load(ckpt, weights_only=True)["hyper_parameters"]["data_config"])
    assert type(data.size) is np.int64  # the caller's config left as given
    # config: the caller's record (before: it too failed the JSON, once scored)
    evaluate_segment(str(ckpt), {"batch_size": np.int64(1)}, str(tmp_path / "eval"),
                     progress=False, config={"sweep": {"cell": np.int64(3)}})
    again = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert again["config"]["data"]["batch_size"] == 1 and again["config"]["sweep"] == {"cell": 3}
    assert again["scores"] == record["scores"]


def test_a_translate_run_of_numpy_configs_is_recorded_and_evaluates(tmp_path):
    data = ic.TranslateDataConfig(image_size=np.int64(16), batch_size=np.int64(4),
                                  root=str(tmp_path / "tr"))
    splits = ic.TranslateTrainDataConfig(num_train=np.int64(8), num_val=np.int64(4))
    model = ic.TranslateModelConfig(epochs=np.int64(1), ngf=np.int64(4), num_downs=4,
                                    gan_mode="none", lr=np.float32(2e-4))
    run_translate(data, splits, model, str(tmp_path / "run"), progress=False)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert _plain(record["config"]) and record["config"]["model"]["epochs"] == 1
    evaluate_translate(str(tmp_path / "run" / "checkpoints" / "last.ckpt"), None,
                       ic.TranslateEvalConfig(num_test=np.int64(4), num_figure=1),
                       str(tmp_path / "eval"), progress=False)
    again = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert _plain(again["config"]) and again["config"]["eval"]["num_test"] == 4


def test_plain_config_leaves_what_is_no_config_as_given():
    assert plain_config(None) is None and plain_config(ic.SegmentDataConfig) is ic.SegmentDataConfig
    cfg = given_data(ic.SegmentDataConfig, ic.SegmentDataConfig(size=np.int64(40)))
    assert type(cfg.size) is int and cfg.size == 40
