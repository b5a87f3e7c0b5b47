"""The image ablation benchmarks run through :mod:`pyg_fusion.experiments.segment_run`
and :mod:`pyg_fusion.experiments.translate_run`:
one tiny run of each, in-process (the scripts' worker functions), with the
scripts' own argument parsing."""
import os

import pytest
import torch
from benchmark_scripts import load_benchmark


@pytest.fixture
def threads():
    old = torch.get_num_threads()  # the workers set one thread for their process
    yield
    torch.set_num_threads(old)


def test_asym_ablation_run(tmp_path, threads):
    bench = load_benchmark("asym_ablation")
    args = bench.build_parser().parse_args([
        "--out", str(tmp_path), "--root", str(tmp_path / "data"), "--epochs", "1",
        "--size", "16", "--num-train", "4", "--num-test", "2", "--batch-size", "2"])
    run = bench._run(("asymfusion", 0, args))
    assert run["final"] == "ensemble" and set(run["scores"]) == {"rgb", "depth", "ensemble"}
    assert 0 <= run["scores"]["ensemble"]["miou"] <= 1
    assert run["parameters"] == 152_416  # the README table's AsymFusion row
    row, = bench.summarise([run])
    assert row["miou_mean"] == run["scores"]["ensemble"]["miou"]


def test_translation_ablation_run(tmp_path, threads, run_noise, monkeypatch):
    from pyg_fusion.training import translation_figure
    drawn = []
    real = translation_figure.save_figure
    monkeypatch.setattr(translation_figure, "save_figure",
                        lambda fig, path, **kw: drawn.append(fig) or real(fig, path, **kw))
    bench = load_benchmark("translation_ablation")
    args = bench.build_parser().parse_args([
        "--out", str(tmp_path), "--data-root", str(tmp_path / "data"),
        "--log-dir", str(tmp_path / "logs"), "--epochs", "1", "--num-train", "4",
        "--num-test", "2", "--image-size", "8", "--num-downs", "3", "--batch-size", "2"])
    args.seeds = [0]
    run = bench.run_one(args, ["shade", "depth"], 0)
    assert set(run["metrics"]) == {"shade", "depth", "ensemble"}
    assert os.path.isfile(tmp_path / "translation.png")
    assert drawn[0]._suptitle.get_text() == (  # the figure says how short the run was
        "translation shade, depth to rgb on synthetic scenes (8 px, data seed 0): 1 epoch, "
        "seed 0")
    assert run_noise() == []  # no validation-loop warning from a run that does not validate
    table = bench.summarise([run])
    assert table["shade+depth"]["fused"] and table["shade+depth"]["l1"]["runs"] == [
        run["metrics"]["ensemble"]["l1"]]


def test_translation_ablation_passes_only_the_settings_it_reads():
    """It passed its generator width as the critic's (ndf=ngf) with --gan-mode none,
    which trains no critic: run_translate refuses such a setting. The critic gets it
    only with a GAN; the generator's settings are the same either way."""
    from pyg_fusion.experiments.image_config import TranslateModelConfig, check_translate_flags
    bench = load_benchmark("translation_ablation")
    for gan, ndf in (("none", TranslateModelConfig.ndf), ("vanilla", 16)):
        args = bench.build_parser().parse_args(["--gan-mode", gan])
        data, splits, model, test = bench._configs(args, ["shade", "depth"], 1)
        check_translate_flags(data, splits, model)
        assert (model.gan_mode, model.ndf, model.d_layers) == (gan, ndf, 2)
        assert (model.ngf, model.num_downs, model.epochs, model.lr, model.modality_norm) == (
            16, 4, 10, 1e-3, "batch")
        assert (data.seed, data.data_seed, data.batch_size, splits.num_train,
                test.num_test) == (1, 0, 8, 600, 200)
