"""What docs/bad_input.md says of this session's refusals and of numpy's
scalars is what the code does: each statement is quoted from the page beside
the behaviour it names."""
from pathlib import Path

import numpy as np
import pytest
import torch

BAD_INPUT = Path(__file__).resolve().parent.parent / "docs" / "bad_input.md"


def _said(*quotes: str) -> None:
    text = " ".join(BAD_INPUT.read_text().split())
    for quote in quotes:
        assert quote in text, f"docs/bad_input.md no longer says {quote!r}: update this test"


def test_powers_that_overflow_name_the_source_and_the_remedy():
    from pyg_fusion.nn import LEGO
    _said("Powers that overflow (`norm=None` on large features: a float32 dot graph of entries "
          "near 1e20) are an error naming the source, the power and the relationship graph's "
          "largest entry: normalise the powers (`norm=\"sym\"` or `\"row\"`) or scale the "
          "features down;")
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(6, 4, generator=g) * 1e10, "b": torch.randn(6, 3, generator=g)}
    model = LEGO({"a": 4, "b": 3}, 3, k=3, norm=None, metric="dot")
    with pytest.raises(ValueError, match=r"source 'a' overflowed: R\^2 .*relationship graph "
                                         r"reach .*e\+20.*norm='sym' or 'row'"):
        model(xs)


def test_numpy_scalars_are_pythons_and_arrays_are_refused():
    from pyg_fusion.specs import check_options
    _said("numpy's scalars in the options, the seeds, `devices`, the widths of `build_spec`'s "
          "`Dims` and of the layers (`GraphHead`, `GCN`, `MTN`), a `DataConfig` and the image "
          "tasks' configs (`np.int64(3)`, a `np.str_` choice, a `Path` root) are taken as "
          "Python's", "arrays and tensors, even of one entry, are errors naming the "
          "option (`epochs must be an int >= 1, got tensor(2)`; an array of `arch`'s values or "
          "`fusion_levels`, where the image modules take a list, is taken as its list)")
    got = check_options("node", {"epochs": np.int64(3), "support": np.str_("union")})
    assert type(got["epochs"]) is int and type(got["support"]) is str
    for bad in (torch.tensor(2), np.array([2])):
        with pytest.raises(ValueError, match="epochs must be an int >= 1, got"):
            check_options("node", {"epochs": bad})
    with pytest.raises(ValueError, match="support must be one of"):
        check_options("node", {"support": np.array(["union"])})


def test_layer_widths_of_numpy_and_options_or_seeds_as_text(tmp_path):
    from pyg_fusion.experiments import DataConfig
    from pyg_fusion.experiments.run import run_grid
    from pyg_fusion.nn.heads import GraphHead
    from pyg_fusion.specs import check_options
    _said("the widths of `build_spec`'s `Dims` and of the layers (`GraphHead`, `GCN`, `MTN`)",
          "and so are options given as text (`options=\"epochs=1\"`: give a dict), seeds as "
          "text (`\"0,1\"`: give a list) and `devices` other than an int count "
          "(`devices=\"2\"`).")
    from pyg_fusion.training.accelerators import check_accelerator
    assert check_accelerator("cpu", np.int64(1)) == 1
    with pytest.raises(TypeError, match="devices must be an int, got '2'"):
        check_accelerator("cpu", "2")
    assert repr(GraphHead(np.int64(3), np.int64(8), 2)) == repr(GraphHead(3, 8, 2))
    with pytest.raises(TypeError, match="options must be a dict"):
        check_options("node", "epochs=1")
    with pytest.raises(TypeError, match=r"seeds must be a list of ints .*got the str '0,1'"):
        run_grid(DataConfig("digits", str(tmp_path / "data")), "lego", "0,1", out=tmp_path / "g")


def test_a_videos_domain_is_one_integer_id():
    from torch_geometric.data import Data
    from pyg_fusion.training.vad_split import video_keys
    _said("A video's `domain` (videos built in Python) is one integer id (an int or a "
          "one-element integer tensor; none: 0); another (one-hot, a fraction, a string) is an "
          "error naming the video")
    ok = [Data(video="a", domain=1), Data(video="a", domain=torch.tensor([1])), Data(video="a")]
    keys = video_keys(ok)
    assert keys[0] == keys[1] != keys[2]
    for domain in (torch.tensor([0, 1, 0]), 0.5, "ped2"):
        with pytest.raises(ValueError, match="'v'"):
            video_keys([Data(video="v", domain=domain)])


def test_text_labels_and_two_records_of_one_bar_are_refused():
    from pyg_fusion.visualize import plot_adjacency, plot_results
    _said("labels given as text (class names: map them to ids, e.g. `numpy.unique(values, "
          "return_inverse=True)[1]`), two records of one bar in `plot_results`")
    with pytest.raises(TypeError, match=r"holding text \('a'\).*numpy.unique"):
        plot_adjacency(torch.tensor([[0, 1], [1, 0]]), labels=np.array(["a", "b"]))
    record = {"dataset": "digits", "setting": "s", "method": "lego", "metric": "accuracy",
              "mean": 0.5, "std": 0.0, "values": [0.5], "seeds": [0]}
    with pytest.raises(ValueError, match="a bar is one record"):
        plot_results([record, {**record, "mean": 0.6}])


def test_evaluate_refuses_a_run_folder(tmp_path):
    from pyg_fusion.cli.evaluate import check_not_a_run_folder
    _said("an `evaluate` refuses an `--out` that holds a training run's `results.json` or "
          "`metrics.json`, or a run folder of `train` or `compare` (`<method>/seed<k>`, its "
          "`checkpoints` folder, the method's folder, or the run's top folder before its "
          "`results.json` is written: checkpoints, a start, restart or ensemble folder, a "
          "training log) or of `sweep` (its cells), "
          "and says when `--out` holds an earlier evaluation, whose `results.json`, "
          "`results.txt`, `scores.json`, `scores.csv` and logs it replaces once it finishes")
    check_not_a_run_folder(tmp_path)
    (tmp_path / "checkpoints").mkdir()
    with pytest.raises(ValueError, match="holds a training run's checkpoints"):
        check_not_a_run_folder(tmp_path)
    # a compare run's folder (no checkpoints: its training log), and the method's folder above
    method = tmp_path / "lego"
    (method / "seed0" / "logs" / "version_0").mkdir(parents=True)
    (method / "seed0" / "logs" / "version_0" / "metrics.csv").write_text("epoch,train_loss\n")
    for out in (method / "seed0", method):
        with pytest.raises(ValueError, match="a folder of a pyg-fusion train or compare run"):
            check_not_a_run_folder(out)
    (tmp_path / "restart1").mkdir()
    (tmp_path / "checkpoints").rmdir()
    with pytest.raises(ValueError, match="folder restart1"):
        check_not_a_run_folder(tmp_path)
    source = (BAD_INPUT.parent.parent / "pyg_fusion" / "cli" / "evaluate.py").read_text()
    assert '"its results.json, results.txt, scores.json, scores.csv and logs are "' in source


def test_a_translator_of_ngf_2_exchanges_nothing_at_level_1():
    from pyg_fusion.nn.asym import AsymFusionTranslator
    _said("and so does `AsymFusionTranslator`'s fusion level 1 (2 * `ngf` channels) for an "
          "`ngf` of 1 or 2.")
    torch.manual_seed(0)
    for ngf in (2, 3):
        block = AsymFusionTranslator(2, ngf=ngf, num_downs=4).fusion["1"].eval()
        xs = [torch.randn(2, 2 * ngf, 4, 4), torch.randn(2, 2 * ngf, 4, 4)]
        with torch.no_grad():
            fused = block(xs)
            block.shuffle = block.use_shift = False
            alone = block(xs)
        exchanged = any(not torch.equal(a, b) for a, b in zip(fused, alone))
        assert exchanged == (ngf > 2)


def test_image_configs_of_numpy_are_plain():
    # the numpy sentence above names the image tasks' configs; the arch and
    # fusion_levels arrays are turned into lists in the modules' constructors
    from pyg_fusion.specs.options import plain_config
    from pyg_fusion.training._image_configs import SegmentTrainConfig
    cfg = plain_config(SegmentTrainConfig(epochs=np.int64(1), lr=np.float32(0.5)))
    assert type(cfg.epochs) is int and type(cfg.lr) is float
    root = BAD_INPUT.parent.parent / "pyg_fusion" / "training"
    assert "v.tolist() if isinstance(v, np.ndarray)" in (root / "segmentation.py").read_text()
    assert "fusion_levels = fusion_levels.tolist()" in (root / "translation.py").read_text()
