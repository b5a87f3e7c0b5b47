"""The docs pages state round 1's changes as the code makes them:
docs/bad_input.md lists its refusals, docs/lego_api.md the steps that run in
float32 for 16-bit inputs (and the two that return float32), docs/asymfusion.md
the image commands' last line, docs/training.md the model fit_node returns,
and get_summary's docstring the package that printing a summary needs."""
import re
from pathlib import Path

import pytest
import torch
from torch import nn

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _text(page: str) -> str:
    return " ".join((DOCS / page).read_text().split())


def _lazy_norm():
    from pyg_fusion.nn.asym import share_across_modalities
    share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 3), nn.LazyBatchNorm2d()), 2)


def _layers_beside_depth():
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    asym_fusion_segmenter(3, width=4, decoder_features=4, layers=(1, 1, 1, 1))


def _variant_key():
    from pyg_fusion.training.segmentation import SegmentationModule
    SegmentationModule("shared", 5, dict(depth=None, block="bottleneck", layers=[1, 1, 1, 1],
                                         width=8, decoder_features=8, fusion=True))


def _one_pixel_level():
    from pyg_fusion.nn.asym import AsymFusionTranslator
    gen = AsymFusionTranslator(2, ngf=4, num_downs=3, norm="instance", fusion_levels=[1, 2])
    gen([torch.rand(2, 3, 8, 8)] * 2)


def _tiny_target():
    from torch_geometric.data import Data
    from torch_geometric.loader import DataLoader

    from pyg_fusion.training.translation import TranslationModule
    from pyg_fusion.training.translation_eval import evaluate_translation
    scenes = [Data(x_depth=torch.rand(1, 1, 4, 4), y=torch.rand(1, 3, 4, 4), num_nodes=1)
              for _ in range(2)]
    evaluate_translation(TranslationModule(["depth"], ngf=4, num_downs=2, gan_mode="none"),
                         DataLoader(scenes, batch_size=2))


def _segment_sizes():
    from pyg_fusion.training.segmentation import SegmentationModule
    module = SegmentationModule("asymfusion", 5, dict(depth=None, block="bottleneck",
                                                      layers=[1, 1, 1, 1], width=8,
                                                      decoder_features=8))
    module.training_step({"rgb": torch.rand(2, 3, 16, 16), "depth": torch.rand(2, 3, 16, 12),
                          "mask": torch.zeros(2, 16, 16, dtype=torch.long)}, 0)


def _translation_sizes():
    from torch_geometric.data import Data

    from pyg_fusion.training.translation import TranslationModule
    module = TranslationModule(["shade", "depth"], ngf=4, num_downs=3, gan_mode="none")
    module.translate(Data(x_shade=torch.rand(2, 1, 16, 16), x_depth=torch.rand(2, 1, 16, 24)))


def _complex_figure():
    import numpy as np

    from pyg_fusion.visualize import plot_anomaly_scores
    plot_anomaly_scores(np.array([0.1 + 0.5j, 0.2]))


@pytest.mark.parametrize("said, call, match", [
    ("refuses a lazy BatchNorm not yet called", _lazy_norm, "lazy BatchNorm"),
    ("`asym_fusion_segmenter` refuses `block` or `layers` beside a `depth` that sets others",
     _layers_beside_depth, "not read with depth=50"),
    ("`SegmentationModule` an `arch` key that its variant sets to another value",
     _variant_key, "variant 'shared' sets fusion=False"),
    ("refuses a `fusion_levels` level whose features are 1x1 for the images given where its "
     "norm cannot normalise them (instance norm; batch norm on a batch of one in training)",
     _one_pixel_level,
     "whose features are 1x1"),
    ("scores (validation, `evaluate_translation`) no target under 6 pixels a side",
     _tiny_target, "at least 6 pixels a side"),
    ("A batch whose images, depth or mask differ in size (segmentation)", _segment_sizes,
     "must share the batch size and the image size"),
    ("or whose modalities differ in batch or image size (translation), is an error naming "
     "them", _translation_sizes, "must share the batch size and the image size"),
    ("an error, not a numpy message, and so are complex numbers", _complex_figure,
     "complex"),
])
def test_bad_input_lists_round_ones_refusals(said, call, match):
    assert said in _text("bad_input.md")
    with pytest.raises((ValueError, TypeError), match=re.escape(match)):
        call()


def test_bad_input_names_the_other_refusals_of_round_one():
    text = _text("bad_input.md")
    for said in (
            "A workbook or another format that is not read as text",
            "labels that give each labelled row a class of its own",
            "feature files saved crops first (`[crops, T, F]`",
            "whose recorded files (the `--views` and `--labels` of a tables run, the `--root` "
            "of a VAD run) are no longer there",
            "loads the old cache, so pass `force_reload=True` after such a copy"):
        assert said in text, said


def test_lego_api_states_the_float32_steps_of_16_bit_inputs():
    import pyg_fusion.functional as F
    from pyg_fusion.functional.term_scale import term_scales
    text = _text("lego_api.md")
    assert ("Two return float32 for 16-bit inputs: `pyg_fusion.functional.term_scale.term_scales` "
            "(its scales; not exported by `pyg_fusion.functional`, where the others are) and "
            "`degree_variance_loss`") in text
    for name in ("`relation_graph`", "`dense_relation_graph`", "`pair_similarity`",
                 '`term_scale="rms"`', '`reduce="mean"`'):
        assert name in text.split("Outside autocast too")[1], name
    half = torch.float16
    x = torch.randn(6, 4).to(half)
    assert F.dense_relation_graph(x, "rbf").dtype == half
    powers = [torch.rand(5, 5, 3).to(half), torch.rand(5, 5, 2).to(half)]
    assert term_scales(powers, "rms").dtype == torch.float32
    degrees = torch.rand(8).to(half)
    loss = F.degree_variance_loss(degrees, torch.arange(2).repeat_interleave(4),
                                  torch.tensor([0, 1]))
    assert loss.dtype == torch.float32
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]])
    _, w = F.coarsen(edge_index, torch.rand(3).to(half), torch.tensor([0, 0, 1, 1]), 2,
                     reduce="mean")
    assert w.dtype == half


def test_asymfusion_page_names_the_files_of_the_last_line():
    from pyg_fusion.experiments.segment_run import REPORT as SEGMENT
    from pyg_fusion.experiments.translate_run import REPORT as TRANSLATE
    text = _text("asymfusion.md")
    said = text[text.index("All four ("):text.index("`checkpoints`.") + 15]
    assert "end with one line, `wrote ` and the paths of what the run published" in said
    for name in (*SEGMENT, *TRANSLATE, "checkpoints"):
        assert f"`{name}`" in said, name
    readme = " ".join((DOCS.parent / "README.md").read_text().split())
    assert "each command ends with one line, `wrote ` and the paths it wrote" in readme


def test_training_page_says_fit_node_returns_the_chosen_epochs_model():
    import inspect

    from pyg_fusion.training.node import fit_node
    text = _text("training.md")
    assert ("`fit_node`'s model (and its returned `task`) ends with the weights of that chosen "
            "epoch, predicting as `best.ckpt` does") in text
    doc = " ".join(inspect.getdoc(fit_node).split())
    assert "end with the weights of that epoch, which ``checkpoints/best.ckpt`` holds" in doc


def test_get_summary_names_the_package_printing_needs():
    import importlib.util

    from pyg_fusion.datasets._base import FusionDataset
    doc = " ".join(FusionDataset.get_summary.__doc__.split())
    assert "needs the ``tabulate`` package, an optional dependency of PyG that pyg_fusion " \
           "does not install" in doc
    pyproject = (DOCS.parent / "pyproject.toml").read_text()
    assert "tabulate" not in pyproject
    if importlib.util.find_spec("tabulate") is None:
        from torch_geometric.data.summary import Stats, Summary
        summary = Summary("X", 2, Stats.from_data([1, 2]), Stats.from_data([1, 2]))
        with pytest.raises(ImportError, match="tabulate"):
            str(summary)


def test_figures_page_says_how_plot_meets_moved_recorded_files(tmp_path, capsys):
    import numpy as np

    from pyg_fusion.cli import main
    text = _text("figures.md")
    assert ("Recorded files or a recorded `--root` that are no longer there are named in one "
            "line (exit 2)") in text and "(`plot` takes no `--views`)" in text
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    np.savetxt(data / "f.csv", rng.normal(size=(30, 3)), delimiter=",")
    np.savetxt(data / "y.csv", np.arange(30) % 2, fmt="%d")
    common = ["--threads", "1", "--no-progress"]
    assert main(["train", "--dataset", "tables", "--root", str(tmp_path / "c"), "--views",
                 str(data / "f.csv"), "--labels", str(data / "y.csv"), "--method",
                 "graph-mean", "--epochs", "1", "--out", str(tmp_path / "o"), *common]) == 0
    capsys.readouterr()
    ckpt = str(tmp_path / "o" / "graph-mean" / "seed0" / "checkpoints" / "last.ckpt")
    data.rename(tmp_path / "moved")
    plot = ["plot", "relation-graph", "--checkpoint", ckpt, "--out", str(tmp_path / "r.png"),
            "--threads", "1"]
    assert main(plot) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "which is no longer there" in err[0]
    with pytest.raises(SystemExit) as exc:
        main([*plot, "--views", str(tmp_path / "moved" / "f.csv")])
    assert exc.value.code == 2


def test_methods_page_states_the_16_bit_precision_of_rbf_scales_and_the_loss():
    import pyg_fusion.functional as F
    text = _text("methods.md")
    assert ("rbf centres them and takes the distances and the exponential in float32, "
            "rounding the weights once to the features' dtype), so that float16 features of "
            "magnitude 100 give finite rbf weights") in text
    assert "`term_scales` returns float32 scales" in text
    assert "For 16-bit degrees the loss is taken and returned in float32" in text
    g = torch.Generator().manual_seed(0)
    x = (100 + torch.randn(20, 16, generator=g)).to(torch.float16)
    adj = F.dense_relation_graph(x, "rbf", gamma=1e-3)
    assert adj.dtype == torch.float16 and torch.isfinite(adj).all()
    edge_index, w = F.relation_graph(x, k=4, metric="rbf", gamma=1e-3)
    assert w.dtype == torch.float16 and torch.isfinite(w).all() and bool((w > 0).all())


def test_training_page_says_the_api_defaults_that_differ_from_the_cli():
    # fit_node's epochs default (200) is not node train's (--epochs 80): the
    # page names the marker that each such Args entry carries (cd6d857)
    import contextlib
    import inspect
    import io

    import yaml

    from pyg_fusion.cli import main
    from pyg_fusion.training.node import fit_node
    from pyg_fusion.training.segmentation import SegmentationModule
    from pyg_fusion.training.translation import TranslationModule
    from pyg_fusion.training.vad_fit import fit_vad
    text = _text("training.md")
    assert ("keep defaults of their own where their Args entry says **[differs from the CLI]**, "
            "naming the flag's value (e.g. `fit_node` trains 200 epochs, node `train` and "
            "`compare` 80)") in text
    for api in (fit_node, fit_vad, SegmentationModule, TranslationModule):
        assert "**[differs from the CLI]**" in inspect.getdoc(api), api
    assert inspect.signature(fit_node).parameters["epochs"].default == 200
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["train", "--dataset", "digits", "--print-config"]) == 0
    assert yaml.safe_load(out.getvalue())["trainer"]["epochs"] == 80


def test_training_and_figures_pages_name_a_vad_runs_scores_file():
    # train / compare write each VAD run's scores.json, evaluate into its --out
    # (69b1677: tests/test_vad_s32b_scores_file.py runs both and plots it)
    text = _text("training.md")
    said = text[text.index("Beside them each run has a folder"):text.index("`compare` keeps none")]
    assert "for a VAD run, `scores.json`: each test video's snippet and frame scores" in said
    assert "`evaluate` of a VAD checkpoint writes it into its `--out`" in said
    assert ("pyg-fusion plot anomaly-scores --input runs/lego/lego/seed0/scores.json"
            in (DOCS / "figures.md").read_text())
    # README's command list: the run whose folder the figures page reads
    assert ("pyg-fusion train --dataset synthetic-vad --method lego --out runs/lego   "
            "# + checkpoints, scores.json") in (DOCS.parent / "README.md").read_text()


def test_methods_page_says_one_source_given_to_fusion_methods_is_a_notice(tmp_path, recwarn):
    # §1.4 said 'without a word'; run_grid gives one notice since fba0e86
    # (tests/test_run_s32b_one_source.py runs the command line)
    import numpy as np

    from pyg_fusion import PygFusionNotice
    from pyg_fusion.experiments.data import DataConfig
    from pyg_fusion.experiments.run import run_grid
    text = _text("methods.md")
    said = text[text.index("**[choice]** one source (`M = 1`"):text.index("Beyond the paper")]
    assert "without a word" not in said
    assert ("`train` and `compare` (`run_grid`), and `sweep`, say so in one notice naming the "
            "fusion methods given") in said
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "a.csv", rng.normal(size=(40, 2)), delimiter=",")
    np.savetxt(tmp_path / "y.csv", np.arange(40) % 2, fmt="%d")
    data = DataConfig("tables", str(tmp_path / "data"), views=[str(tmp_path / "a.csv")],
                      labels=str(tmp_path / "y.csv"))
    run_grid(data, "graph-mean", [0], out=tmp_path / "out", options={"epochs": 1},
             progress=False, checkpoint=False)
    notices = [w for w in recwarn if issubclass(w.category, PygFusionNotice)
               and "only one source was given" in str(w.message)]
    assert len(notices) == 1


def test_scikit_learn_is_what_the_pages_say_it_is(tmp_path):
    # ff4e3ca: the metrics are computed without scikit-learn, which left the
    # library's dependencies for the test extra (README's iris example imports it)
    import numpy as np
    from sklearn.metrics import average_precision_score, roc_auc_score

    from pyg_fusion.training.metrics import average_precision, roc_auc
    # tomllib is Python 3.11+: the two lists read by their brackets
    pyproject = (DOCS.parent / "pyproject.toml").read_text()
    dependencies = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.S | re.M).group(1)
    test = re.search(r"^test = \[(.*?)\]", pyproject, re.S | re.M).group(1)
    assert "scikit-learn" not in dependencies and '"scikit-learn>=' in test
    readme = " ".join((DOCS.parent / "README.md").read_text().split())
    assert ("scikit-learn (which the `test` extra installs; the library itself does not need "
            "it: `pip install scikit-learn` otherwise)") in readme
    assert "scikit-learn is not a dependency" in _text("methods.md")
    rng = np.random.default_rng(0)
    gt, score = rng.integers(0, 2, 500), rng.random(500).round(2)
    assert roc_auc(score, gt) == roc_auc_score(gt, score)
    assert average_precision(score, gt) == average_precision_score(gt, score)


def _one_node_graph_fusion():
    from pyg_fusion.nn.asym import AsymGraphFusion
    AsymGraphFusion({"rgb": 3, "audio": 4}, 8)({"rgb": torch.randn(1, 3),
                                                "audio": torch.randn(1, 4)})


def _huge_values():
    import numpy as np

    from pyg_fusion.visualize import plot_anomaly_scores
    plot_anomaly_scores(np.array([9e307, 0.5]))


@pytest.mark.parametrize("said, call, match", [
    ("`AsymGraphFusion` with `norm=\"batch\"` (its default) refuses one node in training",
     _one_node_graph_fusion, "has one row (node)"),
    ("values beyond 1e300 in magnitude (more than a plot's axes span: rescale them)",
     _huge_values, "more than a plot's axes span (at most 1e+300)"),
])
def test_bad_input_lists_round_twos_refusals(said, call, match):
    # f3418ac, 5e590d2: the page's bound is the code's
    from pyg_fusion.visualize._common import MAX_MAGNITUDE
    assert MAX_MAGNITUDE == 1e300
    assert said in _text("bad_input.md")
    with pytest.raises(ValueError, match=re.escape(match)):
        call()


def test_bad_input_says_a_narrow_encoders_first_stage_exchanges_nothing():
    # 2aecdf1: documented, no notice (tests/test_asym_s32c_small_width.py
    # checks that its block's output is the same without the exchange)
    import warnings

    from pyg_fusion.nn.asym import ResNetEncoder
    assert ("So does every stage of fewer than 5 planes of a `ResNetEncoder` "
            "(`asym_fusion_segmenter`, `segment train --width`): the first stage for a `width` "
            "below 5, without a notice") in _text("bad_input.md")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ResNetEncoder("basic", (1, 1, 1, 1), width=4)


def test_figure_limits_the_pages_state_are_the_codes():
    # docs/figures.md and docs/bad_input.md state the sizes a figure pools or
    # refuses; each quoted with the constant the code uses
    from pyg_fusion.visualize._common import MAX_DENSE_NODES
    from pyg_fusion.visualize._matrix import MAX_CELLS
    from pyg_fusion.visualize.graph import MAX_EDGES, MAX_NODES, SPRING_MAX_NODES
    figures, bad = _text("figures.md"), _text("bad_input.md")
    assert f"above {MAX_CELLS} nodes each cell shows the largest |w|" in figures
    assert (f"({MAX_DENSE_NODES} nodes for a dense heatmap; {SPRING_MAX_NODES} for the "
            f"spring layout") in figures
    # one number for both limits of the circular and temporal layouts
    assert MAX_EDGES == MAX_NODES
    assert f"{MAX_NODES} nodes or drawn edges for the circular and temporal" in figures
    assert (f"refuse graphs above {MAX_DENSE_NODES:,} nodes and the spring layout above "
            f"{SPRING_MAX_NODES:,}") in bad


def test_asymfusion_page_says_the_smallest_image_scoring_takes():
    # eb5895b: the page's translation metrics and the refusal agree on 6 pixels
    assert ("scoring takes images of at least 6 pixels a side (SSIM's 11x11 window pads by 5: "
            "smaller scenes train without `val`, and are refused where a target is scored)"
            in _text("asymfusion.md"))
    with pytest.raises(ValueError, match="at least 6 pixels a side"):
        _tiny_target()
