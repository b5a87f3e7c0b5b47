"""One grammar for every task: verbs first (the task follows from --dataset,
or --task for the AsymFusion image tasks), the image tasks' flags generated
from their typed configs, and the noun-first commands kept as aliases."""
import argparse
import dataclasses

import pytest
import yaml
import torch

from pyg_fusion.cli import build_parser
from pyg_fusion.cli._runs import route_task
from pyg_fusion.experiments import image_config as ic


def _sub(parser, *names):
    for name in names:
        parser = next(a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


@pytest.mark.parametrize("verb", ["train", "evaluate"])
@pytest.mark.parametrize("task", ["segment", "translate"])
def test_verb_first_is_the_noun_first_command(verb, task):
    argv = [verb, "--out", "o", "--task", task, "--epochs", "2"]
    assert route_task(argv) == [task, verb, "--out", "o", "--epochs", "2"]
    assert route_task([verb, f"--task={task}", "--out", "o"]) == [task, verb, "--out", "o"]
    parser = build_parser()
    extra = ["--checkpoint", "c.ckpt"] if verb == "evaluate" else []
    a = parser.parse_args(route_task([verb, "--task", task, "--out", "o", *extra]))
    b = parser.parse_args([task, verb, "--out", "o", *extra])
    assert vars(a) == vars(b)


def test_graph_commands_are_not_routed():
    for argv in (["train", "--dataset", "digits"], ["compare", "--task", "segment"],
                 ["train", "--task", "bogus"], ["segment", "train", "--out", "o"]):
        assert route_task(argv) == argv


@pytest.mark.parametrize("verb", ["train", "evaluate"])
@pytest.mark.parametrize("dataset,task,data", [("synthetic-rgbd", "segment", "synthetic"),
                                               ("nyud", "segment", "nyud"),
                                               ("synthetic-translation", "translate",
                                                "synthetic")])
def test_an_image_dataset_names_its_task(verb, dataset, task, data):
    from pyg_fusion.experiments import DATASETS, task_of
    assert task_of(dataset) == task and DATASETS[dataset].data == data
    routed = [task, verb, "--out", "o", "--data", data]
    assert route_task([verb, "--dataset", dataset, "--out", "o"]) == routed
    assert route_task([verb, f"--dataset={dataset}", "--out", "o"]) == routed
    assert route_task([verb, "--task", task, "--dataset", dataset, "--out", "o"]) == routed
    assert route_task([task, verb, "--dataset", dataset, "--out", "o"]) == routed  # alias


def test_dataset_task_conflicts_are_one_line_errors(capsys):
    from pyg_fusion.cli import main
    for argv, msg in (
            (["train", "--task", "translate", "--dataset", "synthetic-rgbd"],
             "--dataset synthetic-rgbd is a segment dataset, not translate"),
            (["translate", "train", "--dataset", "nyud"], "is a segment dataset, not translate"),
            (["train", "--dataset", "nyud", "--data", "nyud"], "both name the data"),
            (["compare", "--dataset", "synthetic-rgbd"], "invalid choice: 'synthetic-rgbd'")):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse's own errors exit
            rc = exc.code
        assert rc == 2
        err = capsys.readouterr().err.strip()
        assert msg in err and len(err.splitlines()) == 1, err


def test_every_dataset_has_one_task():
    from pyg_fusion.experiments import DATASETS, GRAPH_DATASETS, IMAGE_TASKS, TASKS, task_of
    from pyg_fusion.experiments.data import DataConfig
    assert {task_of(d) for d in DATASETS} == {*TASKS, *IMAGE_TASKS}
    field = next(f for f in dataclasses.fields(DataConfig) if f.name == "dataset")
    assert tuple(field.metadata["choices"]) == GRAPH_DATASETS
    with pytest.raises(ValueError, match="--dataset must be one of"):
        task_of("bogus")


CONFIGS = {("segment", "train"): (ic.SegmentDataConfig, ic.SegmentModelConfig,
                                  ic.SegmentTrainConfig),
           ("segment", "evaluate"): (ic.SegmentDataConfig,),
           ("translate", "train"): (ic.TranslateDataConfig, ic.TranslateTrainDataConfig,
                                    ic.TranslateModelConfig),
           ("translate", "evaluate"): (ic.TranslateDataConfig, ic.TranslateEvalConfig)}


@pytest.mark.parametrize("names", list(CONFIGS))
def test_every_image_config_field_is_a_flag(names):
    parser = _sub(build_parser(), *names)
    actions = {a.dest: a for a in parser._actions}
    for cls in CONFIGS[names]:
        for f in dataclasses.fields(cls):
            a = actions[f.name]
            assert a.option_strings[0] == "--" + f.name.replace("_", "-")
            if "choices" in f.metadata:
                assert tuple(a.choices) == tuple(f.metadata["choices"])
            if names[1] == "evaluate" and cls in (ic.SegmentDataConfig, ic.TranslateDataConfig):
                # not given: the value the checkpoint's training recorded
                assert a.default is None and a.help.endswith("(default: the checkpoint's)")
                text = f.metadata.get("evaluate", f.metadata["help"])
                assert a.help.startswith(text.split(" (default")[0])
            else:
                assert a.default == f.default and a.help.startswith(f.metadata["help"])


def test_image_flags_check_their_values(capsys):
    parser = build_parser()
    ok = parser.parse_args(["segment", "train", "--out", "o", "--layers", "3,4,6,3",
                            "--depth", "50", "--light"])
    assert ok.layers == (3, 4, 6, 3) and ok.depth == 50 and ok.light
    for bad in (["--layers", "1,2"], ["--depth", "17"], ["--dropout", "1.5"]):
        with pytest.raises(SystemExit) as exc:
            parser.parse_args(["segment", "train", "--out", "o", *bad])
        assert exc.value.code == 2
        assert bad[0] in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    # (not --depth beside --layers: the run refuses --layers, which --depth sets;
    # nyud's --root a folder that exists: the run refuses another; a checkpoint
    # file that exists: the run refuses a missing one)
    ["segment", "train", "--out", "o", "--layers", "3,4,6,3", "--light",
     "--data", "nyud", "--root", "{tmp}", "--lr", "0.01"],
    ["translate", "train", "--out", "o", "--modalities", "shade", "--gan-mode", "none",
     "--num-downs", "3"],
    ["translate", "evaluate", "--out", "o", "--checkpoint", "{tmp}/c.ckpt", "--num-figure", "0"],
    ["segment", "evaluate", "--out", "o", "--checkpoint", "{tmp}/c.ckpt", "--size", "32"]])
def test_image_print_config_round_trips_through_config(argv, tmp_path, capsys):
    from pyg_fusion.cli import main
    torch.save({}, tmp_path / "c.ckpt")
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main([*argv, "--print-config"]) == 0
    printed = capsys.readouterr().out
    assert "data:" in printed
    path = tmp_path / "run.yaml"
    path.write_text(printed)
    # verb first, with nothing but the file and the output folder
    verb_first = [argv[1], "--task", argv[0], "--config", str(path), "--out", "o"]
    assert main([*verb_first, "--print-config"]) == 0
    assert capsys.readouterr().out == printed


@pytest.mark.parametrize("argv", [["segment", "train"], ["translate", "train"],
                                  ["segment", "evaluate", "--checkpoint", "{tmp}/c.ckpt"],
                                  ["translate", "evaluate", "--checkpoint", "{tmp}/c.ckpt"]])
def test_image_print_config_needs_no_out(argv, tmp_path, capsys):
    """Printing a config needs no output folder (noun first and verb first);
    running still does."""
    from pyg_fusion.cli import main
    torch.save({}, tmp_path / "c.ckpt")
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main([*argv, "--print-config"]) == 0
    printed = capsys.readouterr().out
    assert "data:" in printed and "out" not in yaml.safe_load(printed)
    assert main([argv[1], "--task", argv[0], *argv[2:], "--print-config"]) == 0
    assert capsys.readouterr().out == printed
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"pyg-fusion {argv[0]} {argv[1]}: error: the following arguments are "
                   f"required: --out (see pyg-fusion {argv[0]} {argv[1]} --help)")


@pytest.mark.parametrize("argv", [
    ["segment", "train", "--size", "32", "--num-train", "4", "--num-test", "2",
     "--batch-size", "2", "--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8",
     "--light", "--epochs", "1"],
    ["translate", "train", "--image-size", "16", "--num-train", "4", "--num-val", "2",
     "--batch-size", "2", "--ngf", "4", "--ndf", "4", "--epochs", "1"]])
def test_a_printed_image_config_runs(argv, tmp_path, capsys):
    """print-config > run.yaml, then a run from --config run.yaml (verb first):
    the run records the same config."""
    import json

    from pyg_fusion.cli import main
    root = ["--root", str(tmp_path / "data")]
    assert main([*argv, *root, "--print-config"]) == 0
    printed = capsys.readouterr().out
    (tmp_path / "run.yaml").write_text(printed)
    out = tmp_path / "run"
    assert main([argv[1], "--task", argv[0], "--config", str(tmp_path / "run.yaml"),
                 "--out", str(out), "--no-progress"]) == 0
    saved = json.loads((out / "metrics.json").read_text())["config"]
    assert saved == yaml.safe_load(printed)


def _all_flags():
    seen = {}

    def walk(p, name):
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                for n, sp in a.choices.items():
                    walk(sp, f"{name} {n}".strip())
            elif a.option_strings and a.dest != "help" and a.help != argparse.SUPPRESS:
                seen.setdefault(a.option_strings[0], []).append((name, a))
    walk(build_parser(), "")
    return seen


def test_one_meaning_per_flag_across_commands():
    """A flag that several commands share has one type check (hence one kind
    of value) everywhere; ``--out`` is a folder, or the file ``plot`` writes."""
    for flag, uses in _all_flags().items():
        kinds = {getattr(a.type, "__name__", a.type) for _, a in uses}
        if flag == "--out":
            assert kinds == {"out_folder", "out_file"}
            assert {n for n, a in uses if a.type.__name__ == "out_file"} == {"plot"}
        else:
            assert len(kinds) == 1, (flag, [(n, k) for n, k in zip(
                [n for n, _ in uses], [getattr(a.type, "__name__", a.type) for _, a in uses])])
        assert all(a.help for _, a in uses), f"{flag} has no help somewhere"
    # the generator's normalisation is --modality-norm; --norm is the powers' (plot)
    assert [n for n, _ in _all_flags()["--norm"]] == ["plot"]
    assert [n for n, _ in _all_flags()["--modality-norm"]] == ["translate train"]
