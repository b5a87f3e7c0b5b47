"""A user's configs: what a run records beside its results reads back with
``--config`` and gives the same run; a config file's settings are either
read or refused in one line (exit 2), never dropped."""
import json

import pytest
import yaml

from pyg_fusion.cli import main


def _metrics(path):
    # every record's values, without the times (which vary from run to run)
    return {(r["method"], r["metric"]): r["values"]
            for r in json.loads(path.read_text()) if r["metric"] != "time_per_epoch_s"}


@pytest.mark.parametrize("command", ["compare", "train"])
def test_a_recorded_config_reproduces_the_run(command, tmp_path, capsys):
    """results.json's config names the task beside its dataset: read back
    with --config, it gives the run that recorded it, value for value."""
    first = tmp_path / "first"
    assert main(["compare", "--dataset", "synthetic-vad", "--num-segments", "8", "--root",
                 str(tmp_path / "data"), "--method", "graph-mean", "--epochs", "2",
                 "--topk", "2", "--seeds", "0", "--no-progress", "--out", str(first)]) == 0
    record = json.loads((first / "results.json").read_text())[0]
    assert record["config"]["task"] == "vad"
    (tmp_path / "saved.yaml").write_text(yaml.safe_dump(record["config"]))
    again = tmp_path / "again"
    assert main([command, "--config", str(tmp_path / "saved.yaml"), "--seeds", "0",
                 "--no-progress", "--out", str(again)]) == 0, capsys.readouterr().err
    assert _metrics(again / "results.json") == _metrics(first / "results.json")
    assert json.loads((again / "results.json").read_text())[0]["config"] == record["config"]


@pytest.mark.parametrize("content, message", [
    # train's --task routes the image tasks from the command line only: a
    # file's task was dropped and the graph dataset trained
    ("task: segment\ndata: {dataset: digits}\n",
     "task 'segment' is not the task of dataset 'digits' (node)"),
    ("task: vad\ndata: {dataset: digits}\n",
     "task 'vad' is not the task of dataset 'digits' (node)"),
    ("task: node\n", "task 'node' without a dataset"),
    ("task: node\ndata: {dataset: nope}\n", "--dataset must be one of"),
])
@pytest.mark.parametrize("command", ["train", "compare", "sweep"])
def test_a_config_file_task_other_than_its_datasets_is_refused(command, content, message,
                                                               tmp_path, capsys):
    (tmp_path / "c.yaml").write_text(content)
    assert main([command, "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyg-fusion {command}: error: --config {tmp_path / 'c.yaml'}: ")
    assert message in err and err.count("\n") == 1


def test_a_config_file_task_of_its_dataset_is_read(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text("task: node\ndata: {dataset: digits}\nepochs: 3\n")
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["data"]["dataset"] == "digits" and printed["trainer"]["epochs"] == 3
    assert "task" not in printed


@pytest.mark.parametrize("flags, named", [
    (["--layers", "3,4,6,3"], "--layers:"),
    (["--block", "basic"], "--block:"),
    (["--block", "basic", "--layers", "2,2,2,2"], "--block, --layers:"),
])
def test_segment_refuses_block_and_layers_beside_depth(flags, named, tmp_path, capsys):
    """--depth sets the ResNet's block and blocks per stage: --block /
    --layers beside it were recorded in metrics.json but built nothing (a
    --depth 18 run with --layers 3,4,6,3 had the parameters of one without)."""
    root = tmp_path / "data"
    # a tiny run: without the check it trains in seconds (and exits 0)
    assert main(["segment", "train", "--data", "synthetic", "--root", str(root), "--size", "40",
                 "--num-train", "2", "--num-test", "2", "--width", "4", "--decoder-features",
                 "4", "--light", "--epochs", "1", "--no-progress", "--depth", "18", *flags,
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == (f"pyg-fusion segment train: error: {named} not read with --depth 18, which "
                   f"sets the ResNet's block and blocks per stage; give --depth or --block / "
                   f"--layers\n")
    assert not root.exists()  # refused before the scenes are made


def test_segment_depth_with_block_and_layers_at_their_defaults_passes():
    from pyg_fusion.experiments.image_config import (SegmentDataConfig, SegmentModelConfig,
                                                     check_segment)
    # a printed config holds them at their defaults beside --depth; a list
    # (YAML, Python) is the tuple of the flag
    check_segment(SegmentDataConfig(), SegmentModelConfig(depth=18))
    check_segment(SegmentDataConfig(), SegmentModelConfig(depth=18, layers=[1, 1, 1, 1]))
    with pytest.raises(ValueError, match="--layers: not read with --depth 50"):
        check_segment(SegmentDataConfig(), SegmentModelConfig(depth=50, layers=[3, 4, 6, 3]))


TRANSLATE = ["translate", "train", "--image-size", "16", "--num-train", "4", "--num-val", "2",
             "--batch-size", "4", "--ngf", "4", "--num-downs", "4", "--epochs", "1",
             "--no-progress"]


@pytest.mark.parametrize("flags, message", [
    (["--gan-mode", "none", "--ndf", "8", "--lambda-gan", "5"],
     "--ndf, --lambda-gan: the PatchGAN critic's, not read with --gan-mode none (which "
     "trains no critic)"),
    (["--gan-mode", "none", "--d-layers", "1"],
     "--d-layers: the PatchGAN critic's, not read with --gan-mode none (which trains no "
     "critic)"),
    (["--data", "{folder}", "--data-seed", "3"],
     "--root, --data-seed, --num-train, --num-val: synthetic data only, not read with --data "
     "{folder}"),
    (["--val-data", "{folder}"],
     "--num-val: synthetic validation scenes, not read with --val-data {folder}"),
])
def test_translate_train_refuses_flags_it_would_not_read(flags, message, tmp_path, capsys):
    """They were recorded in metrics.json as the run's settings while the run
    trained the same (--gan-mode none builds no critic; a folder has its own
    scenes): a one-line error, before any scene is made."""
    folder = tmp_path / "folder"
    folder.mkdir()
    flags = [f.format(folder=folder) for f in flags]
    root = tmp_path / "data"
    assert main([*TRANSLATE, "--root", str(root), *flags, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion translate train: error: "
                                       f"{message.format(folder=folder)}\n")
    assert not root.exists()


def test_translate_critic_and_scene_flags_at_their_defaults_pass():
    from pyg_fusion.experiments.image_config import (TranslateDataConfig, TranslateModelConfig,
                                                     TranslateTrainDataConfig,
                                                     check_translate_flags)
    # a printed config holds every field at its default
    check_translate_flags(TranslateDataConfig(data="some/folder"), TranslateTrainDataConfig(),
                          TranslateModelConfig(gan_mode="none"))
    # with a critic, its flags are read
    check_translate_flags(TranslateDataConfig(), TranslateTrainDataConfig(num_val=3),
                          TranslateModelConfig(ndf=8, d_layers=1, lambda_gan=2.0))


def test_run_translate_refuses_settings_it_would_not_read(tmp_path):
    """Only translate train checked them: the Python API trained with --gan-mode none and a
    critic width, and recorded that width (the module's hparams, metrics.json) as if used."""
    from pyg_fusion.experiments import image_config as ic
    from pyg_fusion.experiments.translate_run import run_translate
    root = tmp_path / "data"
    data = ic.TranslateDataConfig(image_size=16, batch_size=4, root=str(root))
    splits = ic.TranslateTrainDataConfig(num_train=4, num_val=2)
    with pytest.raises(ValueError) as err:
        run_translate(data, splits, ic.TranslateModelConfig(epochs=1, ngf=4, num_downs=4,
                                                            gan_mode="none", ndf=16),
                      str(tmp_path / "out"), progress=False)
    assert str(err.value) == ("--ndf: the PatchGAN critic's, not read with --gan-mode none "
                              "(which trains no critic)")
    with pytest.raises(ValueError) as err:
        run_translate(ic.TranslateDataConfig(data=str(tmp_path), data_seed=3), splits,
                      ic.TranslateModelConfig(), str(tmp_path / "out"), progress=False)
    assert str(err.value) == (f"--data-seed, --num-train, --num-val: synthetic data only, "
                              f"not read with --data {tmp_path}")
    assert not root.exists() and not (tmp_path / "out").exists()


def test_help_names_the_defaults_of_features_labels(capsys):
    """--features labels trains 100 epochs at lr 0.05 on the mean of all
    pairs, no weight decay; --help said 80 / 0.01 / sample / 0.0005."""
    from pyg_fusion.cli import build_parser
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    helps = {a.dest: a.help for a in sub.choices["compare"]._actions}
    assert helps["lr"].endswith("(default: 0.01; node with --features labels: 0.05)")
    assert helps["weight_decay"].endswith(
        "(default: 0.0005; node with --features labels: 0.0)")
    assert helps["pairs"].endswith("(default: sample; node with --features labels: all)")
    assert helps["epochs"].endswith("(default: node 80 (100 with --features labels), vad 200)")
    assert helps["num_powers"].endswith("(default: node 1, vad 3)")  # labels' P is node's
    assert helps["k"].endswith("(default: node 10, vad all segments)")
    # what the help says is what a run takes
    assert main(["compare", "--dataset", "digits", "--features", "labels",
                 "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert (printed["trainer"]["lr"], printed["trainer"]["weight_decay"],
            printed["fusion"]["pairs"], printed["trainer"]["epochs"]) == (0.05, 0.0, "all", 100)


def test_a_segment_evaluation_config_reproduces_it(tmp_path, capsys):
    """segment evaluate's config read back with --config failed: '--num-classes
    40 does not match the checkpoint's 6 classes' (40: the training run's
    recorded default, which the synthetic scenes never read). The evaluation
    records the training run's data as it was, and --num-classes is checked
    against the model only where the data reads it (nyud)."""
    import json
    train = tmp_path / "train"
    assert main(["segment", "train", "--data", "synthetic", "--root", str(tmp_path / "data"),
                 "--size", "40", "--num-train", "4", "--num-test", "2", "--width", "4",
                 "--decoder-features", "4", "--light", "--epochs", "1", "--batch-size", "2",
                 "--no-progress", "--out", str(train)]) == 0
    first = tmp_path / "eval"
    assert main(["segment", "evaluate", "--checkpoint",
                 str(train / "checkpoints" / "last.ckpt"), "--no-progress", "--out",
                 str(first)]) == 0
    recorded = json.loads((first / "metrics.json").read_text())
    trained = json.loads((train / "metrics.json").read_text())
    assert recorded["config"]["data"] == trained["config"]["data"]
    (tmp_path / "eval.yaml").write_text(yaml.safe_dump(recorded["config"]))
    again = tmp_path / "again"
    assert main(["segment", "evaluate", "--config", str(tmp_path / "eval.yaml"),
                 "--no-progress", "--out", str(again)]) == 0, capsys.readouterr().err
    reread = json.loads((again / "metrics.json").read_text())
    assert reread["scores"] == recorded["scores"] and reread["config"] == recorded["config"]
    # a --num-classes that the synthetic scenes would not read is refused, as in training
    assert main(["segment", "evaluate", "--checkpoint", str(train / "checkpoints" / "last.ckpt"),
                 "--num-classes", "6", "--no-progress", "--out", str(tmp_path / "e6")]) == 2
    assert "--num-classes: nyud data only" in capsys.readouterr().err


@pytest.mark.parametrize("seeds, message", [
    ([], "seeds must name at least one seed, got []"),
    ([0, 1, 0], "seeds must be distinct (each trains once, into <method>/seed<k>), got "
                "[0, 1, 0], which repeats [0]"),
])
def test_run_grid_refuses_no_seed_and_a_repeated_seed(seeds, message, tmp_path):
    """run_grid(..., seeds=[]) ended in an IndexError; a repeated seed
    trained its run twice and returned no record at all (a method's records
    waited for as many seeds as listed). Refused before the data loads, as
    the CLI's --seeds refuses them."""
    from pathlib import Path

    from pyg_fusion.experiments import DataConfig
    from pyg_fusion.experiments.run import run_grid
    with pytest.raises(ValueError) as exc:
        run_grid(DataConfig("digits", str(tmp_path / "data")), "graph-mean", seeds,
                 out=Path(tmp_path / "out"), options={"epochs": 1}, progress=False)
    assert str(exc.value) == message
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("kw, message", [
    (dict(gan_mode="none", lambda_l1=0.0),
     "lambda_l1=0 with gan_mode='none' leaves the generator no loss; give lambda_l1 > 0"),
    (dict(lambda_l1=0.0, lambda_gan=0.0),
     "lambda_l1=0 with lambda_gan=0 leaves the generator no loss; give lambda_l1 > 0 or "
     "lambda_gan > 0"),
])
def test_a_generator_without_a_loss_is_refused(kw, message):
    """translate train --gan-mode none --lambda-l1 0 trained its whole budget
    on a zero loss (the generator never moved) without a word."""
    from pyg_fusion.training.translation import TranslationModule
    with pytest.raises(ValueError) as exc:
        TranslationModule(["shade", "depth"], ngf=2, num_downs=3, **kw)
    assert str(exc.value) == message
    # either loss alone trains it
    TranslationModule(["shade"], ngf=2, num_downs=3, lambda_l1=0.0)
    TranslationModule(["shade"], ngf=2, num_downs=3, gan_mode="none", lambda_gan=0.0)


def test_translate_train_without_a_generator_loss_is_one_line(tmp_path, capsys):
    assert main([*TRANSLATE, "--root", str(tmp_path / "data"), "--gan-mode", "none",
                 "--lambda-l1", "0", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == ("pyg-fusion translate train: error: lambda_l1=0 with "
                                       "gan_mode='none' leaves the generator no loss; give "
                                       "lambda_l1 > 0\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag", ["--lambda-deg", "--lambda-sparse", "--lambda-anchor"])
def test_a_negative_loss_weight_is_refused(flag, capsys):
    """--lambda-deg -1 was accepted, recorded as -1.0 and trained as 0 (the
    loss adds a term only when its weight is > 0: the same AUC as
    --lambda-deg 0); --lambda-anchor -1 passed the flag and failed only when
    LEGO was built. Every weight of a loss term is a number >= 0."""
    with pytest.raises(SystemExit) as exc:  # argparse's exit, at parsing
        main(["compare", "--dataset", "synthetic-vad", "--method", "lego", f"{flag}=-1",
              "--print-config"])
    assert exc.value.code == 2
    assert capsys.readouterr().err == (f"pyg-fusion compare: error: argument {flag}: expected "
                                       f"a finite number >= 0, got -1.0 (see pyg-fusion "
                                       f"compare --help)\n")
    from pyg_fusion.experiments import MethodSpec
    name = flag[2:].replace("-", "_")
    with pytest.raises(ValueError, match=f"{name} must be a finite number >= 0, got -1"):
        MethodSpec.create("lego", "vad", {name: -1})
    assert MethodSpec.create("lego", "vad", {name: 0.0}).options()[name] == 0.0


@pytest.mark.parametrize("flags, message", [
    (["--restart-combine", "mean"],
     "--restart-combine mean combines the restarts of a run, and --restarts is 1: give "
     "--restarts > 1"),
    (["--patience", "3", "--val-fraction", "0"],
     "--patience: early stopping watches the held-out videos, and --val-fraction 0 holds "
     "none out"),
    (["--min-epochs", "5", "--val-fraction", "0"],
     "--min-epochs: early stopping watches the held-out videos, and --val-fraction 0 holds "
     "none out"),
])
def test_vad_options_their_run_leaves_unread_are_refused(flags, message, capsys):
    """--restart-combine mean with one restart, and --patience / --min-epochs
    without held-out videos, were recorded and trained as if not given
    (--patience 1 --val-fraction 0 gave the AUC of --val-fraction 0)."""
    assert main(["compare", "--dataset", "synthetic-vad", *flags, "--print-config"]) == 2
    assert capsys.readouterr().err == f"pyg-fusion compare: error: {message}\n"
    from pyg_fusion.experiments import MethodSpec, check_options
    options = {f[2:].replace("-", "_"): v for f, v in zip(flags[::2], flags[1::2])}
    options = {k: (v if k == "restart_combine" else float(v) if "." in v or k == "val_fraction"
                   else int(v)) for k, v in options.items()}
    with pytest.raises(ValueError) as exc:
        check_options("vad", options, ["lego"])
    assert str(exc.value) == message
    MethodSpec.create("lego", "vad", options)  # a spec alone may hold them


@pytest.mark.parametrize("flags", [
    ["--restart-combine", "mean", "--restarts", "2"], ["--val-fraction", "0"],
    ["--patience", "3"], ["--restart-combine", "best"]])
def test_vad_options_their_run_reads_pass(flags, tmp_path, capsys):
    assert main(["compare", "--dataset", "synthetic-vad", *flags, "--print-config"]) == 0
    printed = capsys.readouterr().out
    # and the printed config (every option at its value) reads back
    (tmp_path / "c.yaml").write_text(printed)
    assert main(["compare", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 0
    assert capsys.readouterr().out == printed


@pytest.mark.parametrize("method, message", [
    ("lego,lego", "method(s) lego given twice: name each once"),
    ("lego, graph-mean,lego,graph-mean", "method(s) graph-mean, lego given twice: name each once"),
    ("graph,graph", "method(s) graph given twice: name each once"),
])
def test_a_method_named_twice_is_refused(method, message, tmp_path, capsys):
    """--method lego,lego trained lego once, without a word, where --seeds
    0,0 is an error; refused before the data loads, as a repeated seed is."""
    assert main(["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--method", method, "--epochs", "1", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"pyg-fusion compare: error: {message}\n"
    assert not (tmp_path / "data").exists()
    from pyg_fusion.methods import resolve_methods
    with pytest.raises(ValueError, match="given twice"):
        resolve_methods(method, "vad", ["a", "b"])
    # a family beside a name it covers, and empty items, are not repeats
    assert resolve_methods("lego,all,,", "vad", ["a"])[0] == "lego"
