"""The typed configs are the one home of a method's hyper-parameters: every
field is a CLI flag, reaches its component, and round-trips through
``--print-config`` / ``--config`` and the saved run (results.json and the
checkpoint's hyper_parameters)."""
import dataclasses
import inspect
import io
import json
import os
import re
import sys

import pytest
import torch
import yaml

from pyg_fusion.cli import build_parser, main
from pyg_fusion.cli.sweep import SWEEP_OPERATOR_WARMUP
from pyg_fusion.methods import build_model, builders, method_names
from pyg_fusion.nn import LEGO
from pyg_fusion.specs import COMPONENTS, LEGO_CONFIGS, MethodSpec, option_fields


def _command(name):
    for a in build_parser()._actions:
        if a.__class__.__name__ == "_SubParsersAction":
            return a.choices[name]


@pytest.mark.parametrize("command", ["train", "compare", "sweep"])
def test_every_config_field_is_a_flag(command):
    actions = {a.dest: a for a in _command(command)._actions if a.option_strings}
    for name, (_, f) in option_fields().items():
        a = actions[name]
        assert "--" + name.replace("_", "-") in a.option_strings
        # None: the task's default, resolved by MethodSpec; the sweep's own
        # default of --operator-warmup (A trains in every cell) is the one exception
        sweep_own = (command, name) == ("sweep", "operator_warmup")
        assert a.default is (SWEEP_OPERATOR_WARMUP if sweep_own else None)
        assert tuple(a.choices or ()) == tuple(f.metadata.get("choices", ()))
        assert a.help.startswith(f.metadata["help"])


@pytest.mark.parametrize("command", ["train", "compare", "sweep", "evaluate"])
def test_every_data_config_field_is_a_flag(command):
    from pyg_fusion.experiments import DataConfig
    actions = {a.dest: a for a in _command(command)._actions if a.option_strings}
    for f in dataclasses.fields(DataConfig):
        assert "--" + f.name.replace("_", "-") in actions[f.name].option_strings
        want = f.metadata["help"]
        if command == "evaluate":  # every value defaults to what the checkpoint recorded
            want = re.sub(r"\s*\(default[^)]*\)", "", want) + " (default: the checkpoint's)"
            assert actions[f.name].default is None
        assert actions[f.name].help == want


def test_every_lego_config_field_is_an_argument_of_lego():
    params = inspect.signature(LEGO).parameters
    spec = MethodSpec.create("lego", "node")
    for comp in LEGO_CONFIGS:
        for f in dataclasses.fields(COMPONENTS[comp]):
            assert f.metadata.get("arg", f.name) in params, f.name
    # and the builders pass them: the values given reach the module
    model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, lambda_anchor=0.25,
                        pairs="all", k=4)
    assert model.fusion.lambda_anchor == 0.25 and model.fusion.pair_mode == "all"
    assert set(spec.lego_kwargs()) >= {"k", "support", "num_powers", "rank", "init"}


def test_spec_defaults_and_errors():
    node, vad = MethodSpec.create("lego", "node"), MethodSpec.create("lego", "vad")
    assert (node.graph.k, node.powers.num_powers, node.graph.support) == (10, 1, "shared")
    assert (vad.graph.k, vad.powers.num_powers, vad.fusion.init) == (None, 3, "auto")
    assert (vad.fusion.operator, node.fusion.operator) == ("full", "pairwise")
    labels = MethodSpec.create("lego", "node", {"features": "labels", "lr": 0.2})
    assert (labels.fusion.pairs, labels.trainer.lr, labels.trainer.epochs) == ("all", 0.2, 100)
    assert MethodSpec.from_dict(labels.to_dict()) == labels
    with pytest.raises(ValueError, match="unknown option"):
        MethodSpec.create("lego", "node", {"num_power": 2})
    with pytest.raises(ValueError, match="unknown option"):
        build_model("lego", "node", {"a": 4}, num_classes=2, epoch=3)


def test_registry_is_one_table():
    for task in ("node", "vad"):
        table = builders(task, ["a", "b"])
        assert list(table) == method_names(task, ["a", "b"])
    assert "gcn-mean" not in builders("node", ["a", "b"], "labels")


def test_print_config_round_trips_through_config(tmp_path, capsys):
    # intersection drops zeroth ones' terms (LEGOFusion refuses them together)
    argv = ["train", "--dataset", "synthetic-vad", "--num-segments", "8", "--support",
            "intersection", "--zeroth", "identity", "--init", "product", "--lambda-anchor",
            "0.5", "--seeds", "0,2", "--center"]
    assert main(argv + ["--print-config"]) == 0
    text = capsys.readouterr().out
    first = yaml.safe_load(text)
    assert first["graph"]["support"] == "intersection" and first["head"]["center"] is True
    assert first["fusion"]["lambda_anchor"] == 0.5 and first["seeds"] == [0, 2]
    assert first["powers"]["num_powers"] == 3  # the VAD task's default, filled in
    (tmp_path / "c.yaml").write_text(text)
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == first
    # flags after --config override it; a flat mapping works too
    (tmp_path / "flat.yaml").write_text("k: 4\nsupport: shared\n")
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--config",
                 str(tmp_path / "flat.yaml"), "--k", "5", "--print-config"]) == 0
    out = yaml.safe_load(capsys.readouterr().out)
    assert (out["graph"]["k"], out["graph"]["support"]) == (5, "shared")


def test_a_list_flag_after_a_config_file_replaces_its_list(tmp_path, capsys):
    """A list flag given twice on the command line is an error (the second
    would replace the first's items), but a flag after --config replaces the
    file's value, as every setting's: that is no repeat."""
    (tmp_path / "c.yaml").write_text("dataset: tables\nviews: [a.csv, b.csv]\nlabels: y.csv\n"
                                     "seeds: [0, 1]\n")
    config = ["train", "--config", str(tmp_path / "c.yaml")]
    assert main([*config, "--views", "c.csv", "--seeds", "3", "--print-config"]) == 0
    out = yaml.safe_load(capsys.readouterr().out)
    # (printed absolute, as records keep the user's files)
    assert out["data"]["views"] == [f"c={os.path.abspath('c.csv')}"] and out["seeds"] == [3]
    assert main(["train", "--seeds", "5", *config[1:], *config[1:], "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["seeds"] == [0, 1]
    with pytest.raises(SystemExit) as exc:
        main([*config, "--views", "c.csv", "--views", "d.csv", "--print-config"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument --views: given 2 times" in err


def test_vad_source_after_a_config_file_replaces_its_sources(tmp_path, capsys):
    """--vad-source is repeated once per source: on the command line its
    items add up, but after --config they replace the file's (as a list
    flag's do), and a file replaces those given before it."""
    (tmp_path / "c.yaml").write_text("dataset: vad\nvad_source:\n- i3d=a/{name}.npy\n"
                                     "- audio=b/{name}.npy\n")
    (tmp_path / "none.yaml").write_text("dataset: vad\n")
    c, none = str(tmp_path / "c.yaml"), str(tmp_path / "none.yaml")

    def sources(*argv):
        assert main(["train", *argv, "--print-config"]) == 0
        return yaml.safe_load(capsys.readouterr().out)["data"]["vad_source"]

    assert sources("--config", c) == ["i3d=a/{name}.npy", "audio=b/{name}.npy"]
    assert sources("--config", c, "--vad-source", "rgb=c", "--vad-source", "flow=d") == [
        "rgb=c", "flow=d"]
    assert sources("--vad-source", "rgb=c", "--config", c) == [
        "i3d=a/{name}.npy", "audio=b/{name}.npy"]
    assert sources("--config", c, "--config", c) == ["i3d=a/{name}.npy", "audio=b/{name}.npy"]
    # a file without sources leaves the command line's to add up
    assert sources("--vad-source", "rgb=c", "--config", none, "--vad-source", "flow=d") == [
        "rgb=c", "flow=d"]


@pytest.mark.parametrize("command", [["train", "--dataset", "digits"], ["segment", "train"]])
def test_print_config_writes_non_ascii_as_written_and_reads_it_back(command, tmp_path, capsys,
                                                                    monkeypatch):
    root = str(tmp_path / "données é")
    assert main([*command, "--root", root, "--print-config"]) == 0
    text = capsys.readouterr().out
    assert f"root: {root}" in text and "\\x" not in text and "\\u" not in text
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert main([*command[:2 if command[0] == "segment" else 1], "--config",
                 str(tmp_path / "c.yaml"), "--print-config"]) == 0
    assert capsys.readouterr().out == text
    # an output that cannot hold the text as written gets YAML's escapes
    # (ASCII, read back from any encoding), not an encoding error
    latin = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", latin)
    assert main([*command, "--root", root, "--print-config"]) == 0
    latin.flush()
    escaped = latin.buffer.getvalue().decode("ascii")
    monkeypatch.undo()
    assert yaml.safe_load(escaped) == yaml.safe_load(text)


@pytest.mark.parametrize("argv", [
    ["compare", "--dataset", "digits", "--method", "graph-mean", "--epochs", "1"],
    ["compare", "--dataset", "synthetic-vad", "--num-segments", "8", "--method", "graph-mean",
     "--epochs", "1"]])
def test_a_printed_config_of_either_task_runs(argv, tmp_path, capsys):
    """The full config holds every option, the other task's at their
    defaults: a run from it reads it back and records the same spec."""
    root = ["--root", str(tmp_path / "data")]
    assert main([*argv, *root, "--print-config"]) == 0
    printed = capsys.readouterr().out
    (tmp_path / "run.yaml").write_text(printed)
    out = tmp_path / "run"
    assert main(["compare", "--config", str(tmp_path / "run.yaml"), "--out", str(out),
                 "--no-progress"]) == 0, capsys.readouterr().err
    record = json.loads((out / "results.json").read_text())[0]["config"]
    for comp in COMPONENTS:
        assert record[comp] == yaml.safe_load(printed)[comp], comp


def test_a_printed_config_gives_each_method_its_own_defaults(tmp_path, capsys):
    """lego-cp starts at the product with A trained from epoch 0, lego and
    lego-row from both starts with the warm-up: a config printed for both
    leaves those options to each method (null), so that it runs as the
    flags did."""
    argv = ["compare", "--dataset", "synthetic-vad", "--num-segments", "8", "--root",
            str(tmp_path / "data"), "--method", "lego-row,lego-cp", "--epochs", "1",
            "--no-progress"]
    assert main([*argv, "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["fusion"]["init"] is None and printed["trainer"]["operator_warmup"] is None
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(printed))
    out = tmp_path / "run"
    assert main(["compare", "--config", str(tmp_path / "run.yaml"), "--out", str(out),
                 "--no-progress"]) == 0, capsys.readouterr().err
    records = {r["method"]: r["config"] for r in json.loads((out / "results.json").read_text())}
    for method in ("lego-row", "lego-cp"):
        want = MethodSpec.create(method, "vad", {"epochs": 1}).to_dict()
        for comp in COMPONENTS:
            assert records[method][comp] == want[comp], (method, comp)


@pytest.mark.parametrize("content, message", [
    ("bogus: 1\n", "'bogus' is no setting of this command"),
    ("k: 0\n", "c.yaml: k: expected a positive integer"),
    ("- 1\n", "expected a mapping of settings"),
    ("graph: {k: [1\n", "not valid YAML"),
    ("standardize: \"false\"\n", "standardize must be true or false, got 'false'"),
])
def test_bad_config_file_is_one_line_error(tmp_path, capsys, content, message):
    (tmp_path / "c.yaml").write_text(content)
    try:
        rc = main(["train", "--config", str(tmp_path / "c.yaml")])
    except SystemExit as exc:  # argparse's own errors (a flag's check) exit
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_saved_run_records_the_full_config(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["train", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
            "--num-segments", "8", "--epochs", "1", "--no-progress", "--lambda-anchor", "0.5",
            "--term-scale", "mean", "--out", str(out)]
    assert main(argv + ["--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert main(argv) == 0
    ckpt = torch.load(out / "lego" / "seed0" / "checkpoints" / "last.ckpt",
                      weights_only=True)
    saved = ckpt["hyper_parameters"]["config"]["spec"]
    record = json.loads((out / "results.json").read_text())[0]["config"]
    for comp in COMPONENTS:
        assert saved[comp] == printed[comp] == record[comp], comp
    assert record["data"] == printed["data"]
    # and the checkpoint evaluates from its saved spec alone
    assert main(["evaluate", "--checkpoint",
                 str(out / "lego" / "seed0" / "checkpoints" / "last.ckpt"), "--root",
                 str(tmp_path / "data"), "--no-progress", "--out", str(tmp_path / "ev")]) == 0


@pytest.mark.parametrize("argv", [
    # (-P beside a sweep's grid is refused: the grid sets the powers)
    ["sweep", "--p", "1..2", "--method", "lego-cp"],
    ["train", "-P", "2", "--method", "lego-cp"],
    ["compare", "--dataset", "tables", "--views", "a.npy", "b.npy", "--labels", "y.npy",
     "--features", "labels"],
    ["train", "--dataset", "vad", "--vad-source", "a=x/{name}.npy", "--vad-source", "b=y",
     "--vad-num-abnormal", "2,3", "--vad-normal-pattern=-x", "--no-standardize"],
])
def test_every_kind_of_flag_round_trips(tmp_path, capsys, argv):
    assert main(argv + ["--print-config"]) == 0
    text = capsys.readouterr().out
    (tmp_path / "c.yaml").write_text(text)
    assert main([argv[0], "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 0
    assert capsys.readouterr().out == text


def test_lego_cp_defaults_to_the_product_start_and_an_explicit_mean_is_refused():
    assert MethodSpec.create("lego-cp", "vad").fusion.init == "product"
    assert MethodSpec.create("lego-cp", "vad", {"init": "mean"}).fusion.init == "mean"
    with pytest.raises(ValueError, match="init='mean' needs fusion='pairwise'"):
        build_model("lego-cp", "vad", {"a": 3, "b": 4, "c": 2}, num_segments=8, init="mean")


def test_options_a_setting_does_not_read_are_refused():
    """graph only (features="labels") scores by label propagation: the feature
    head's options were recorded but never read; asym-shuffle exchanges
    features, so it is no method of the featureless settings."""
    inch = {"a": 4, "b": 3}
    for name, value in (("num_layers", 5), ("hidden_channels", 8), ("dropout", 0.9)):
        with pytest.raises(ValueError, match=f"--{name.replace('_', '-')}: --features labels scores by label"):
            build_model("graph-mean", "node", inch, num_classes=3, features="labels",
                        **{name: value})
    build_model("graph-mean", "node", inch, num_classes=3, features="labels", num_layers=2)
    assert "asym-shuffle" not in method_names("node", list(inch), "none")
    assert "asym-shuffle" in method_names("node", list(inch), "concat")
    with pytest.raises(ValueError, match="asym-shuffle exchanges node features"):
        from pyg_fusion.methods.node import NodeAsymShuffle
        NodeAsymShuffle(inch, 3, features="none", num_nodes=5)


@pytest.mark.parametrize("task, options, message", [
    ("node", {"patience": 3}, r"--patience: these are VAD options, which the node task"),
    ("vad", {"num_layers": 3}, r"--num-layers: these are node task options, which the VAD"),
    ("node", {"features": "labels", "dropout": 0.9}, r"--dropout: --features labels scores"),
    ("node", {"init": "auto"}, r"--init auto is a VAD option"),
    ("node", {"k": 0}, r"k must be an int >= 1, got 0"),
    ("vad", {"support": "both"}, r"support must be one of \['union', 'intersection'"),
    ("vad", {"num_power": 2}, r"unknown option\(s\) \['num_power'\]"),
    ("image", {}, r"task must be one of \('node', 'vad'\), got 'image'"),
])
def test_check_options_is_the_check_of_every_method_spec(task, options, message):
    """check_options states the check of a task's options that every
    method's spec makes: the same error from it as from any method's create."""
    from pyg_fusion.specs import check_options
    with pytest.raises(ValueError, match=message):
        check_options(task, options)
    for method in ("lego", "lego-cp", "gcn-mean", ""):
        with pytest.raises(ValueError, match=message):
            MethodSpec.create(method, task, options)


def test_check_options_returns_the_options_given():
    from pyg_fusion.specs import check_options
    given = {"k": 5, "operator_warmup": "auto", "num_powers": {"a": 2, "b": 1}}
    assert check_options("vad", given) == given
    assert check_options("node", None) == {}
    # an option of the other task at this task's default passes (a printed config reads back)
    assert check_options("node", {"patience": None, "lambda_deg": 0.1}) == {
        "patience": None, "lambda_deg": 0.1}


def test_run_grid_refuses_bad_options_before_the_data_loads(tmp_path):
    from pyg_fusion.experiments.data import DataConfig
    from pyg_fusion.experiments.run import run_grid
    root = tmp_path / "data"
    with pytest.raises(ValueError, match="--patience: these are VAD options"):
        run_grid(DataConfig(dataset="digits", root=str(root)), "lego", [0],
                 out=tmp_path / "grid", options={"patience": 3}, progress=False)
    assert not root.exists() and not (tmp_path / "grid").exists()
