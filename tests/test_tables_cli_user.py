"""A user's own tables through the command line: the split rates and the
header, which MultiViewTables takes, as flags of the run (recorded in its
config, read back with --config and by evaluate), and a split left empty by
them named with the flag to change."""
import json

import numpy as np
import pytest
import yaml

from pyg_fusion.cli import main


def _tables(folder, classes: int, rows: int, first_label: str | None = None):
    """Two views and a one-column labels file of ``classes`` classes of
    ``rows`` rows each (``first_label``: one more row, first, of a class of
    its own: read alone, it looks like a header)."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(classes), rows)
    labels = [f"c{c}" for c in y]
    if first_label is not None:
        y, labels = np.concatenate([[0], y]), [first_label, *labels]
    folder.mkdir(exist_ok=True)
    np.savetxt(folder / "a.csv", rng.normal(y[:, None] * 2.0, 1.0, (y.size, 3)), delimiter=",")
    np.save(folder / "b.npy", rng.normal(-y[:, None] * 2.0, 1.0, (y.size, 2)))
    (folder / "y.csv").write_text("".join(s + "\n" for s in labels))
    return ["--dataset", "tables", "--views", str(folder / "a.csv"), str(folder / "b.npy"),
            "--labels", str(folder / "y.csv")]


def _exit(argv) -> int:
    """``main``'s exit status, a parsing error's included (argparse exits)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def _error(capsys) -> str:
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_split_rates_and_header_are_recorded_and_read_back(tmp_path, capsys):
    """12 rows, 3 classes of 4: the defaults hold out round(0.1 * 4) = 0
    validation rows per class, and the CLI had no flag to change it."""
    data = _tables(tmp_path / "t", 3, 4)
    run = ["--root", str(tmp_path / "data"), "--method", "lego", "--epochs", "2", "--k", "3",
           "--label-rate", "1", "--no-progress"]
    first = tmp_path / "first"
    assert main(["train", *data, *run, "--val-rate", "0.25", "--test-rate", "0.25",
                 "--no-header", "--out", str(first)]) == 0, capsys.readouterr().err
    record = {r["metric"]: r for r in json.loads((first / "results.json").read_text())}
    cfg = record["accuracy"]["config"]
    assert (cfg["data"]["val_rate"], cfg["data"]["test_rate"], cfg["data"]["header"]) == \
        (0.25, 0.25, False)
    from pyg_fusion.experiments.data import DataConfig, load_data
    graph = load_data(DataConfig(**cfg["data"])).graph
    # one validation and one test row of each class, the other two train (label rate 1)
    assert [int(graph[m].sum()) for m in ("train_mask", "val_mask", "test_mask")] == [6, 3, 3]
    assert record["accuracy"]["values"][0] in {k / 3 for k in range(4)}

    (tmp_path / "saved.yaml").write_text(yaml.safe_dump(cfg))
    again = tmp_path / "again"
    assert main(["train", "--config", str(tmp_path / "saved.yaml"), "--no-progress",
                 "--out", str(again)]) == 0, capsys.readouterr().err
    second = {r["metric"]: r for r in json.loads((again / "results.json").read_text())}
    assert second["accuracy"]["config"] == cfg
    assert second["accuracy"]["values"] == record["accuracy"]["values"]
    assert second["val_accuracy"]["values"] == record["val_accuracy"]["values"]

    # evaluate rebuilds the checkpoint's split: the same test rows, the same accuracy
    ckpt = first / "lego" / "seed0" / "checkpoints" / "best.ckpt"
    assert main(["evaluate", "--checkpoint", str(ckpt), "--no-progress",
                 "--out", str(tmp_path / "eval")]) == 0, capsys.readouterr().err
    scored = {r["metric"]: r for r in json.loads((tmp_path / "eval" / "results.json")
                                                 .read_text())}
    assert scored["accuracy"]["values"] == record["accuracy"]["values"]
    # another rate would test rows the model trained on (evaluate scored them)
    capsys.readouterr()
    for flag in ("--val-rate", "--test-rate"):
        assert main(["evaluate", "--checkpoint", str(ckpt), flag, "0.5", "--no-progress",
                     "--out", str(tmp_path / "eval2")]) == 2
        assert _error(capsys) == (f"pyg-fusion evaluate: error: {flag} 0.5: the checkpoint "
                                  f"{ckpt} was trained with {flag} 0.25, and another rate "
                                  f"would score rows it trained on; leave {flag} out (the "
                                  f"checkpoint's)")
    assert not (tmp_path / "eval2" / "results.json").exists()


@pytest.mark.parametrize("rates, message", [
    # 100 classes of 4 rows: round(0.1 * 4) = 0 in every class
    ([], "--val-rate 0.1 leaves no validation row: each class holds out round(0.1 * n) of "
         "its n labelled rows, and the largest of the 100 classes has 4; give --val-rate "
         "0.125 or more"),
    (["--val-rate", "0.25", "--test-rate", "0.1"],
     "--test-rate 0.1 leaves no test row: each class holds out round(0.1 * n) of its n "
     "labelled rows, and the largest of the 100 classes has 4; give --test-rate 0.125 or "
     "more"),
    (["--val-rate", "0"], "--val-rate 0 leaves no validation row"),
])
def test_an_empty_split_names_the_flag(tmp_path, capsys, rates, message):
    """Training refused the split naming no flag ('give more labelled nodes
    or other split rates'), and the CLI had no flag for the rates."""
    data = _tables(tmp_path / "t", 100, 4)
    out = tmp_path / "out"
    assert main(["compare", *data, *rates, "--root", str(tmp_path / "data"), "--method",
                 "lego", "--epochs", "1", "--no-progress", "--out", str(out)]) == 2
    assert _error(capsys).startswith("pyg-fusion compare: error: " + message)
    assert not (out / "results.json").exists()


def test_a_first_row_taken_for_a_header_names_the_flag(tmp_path, capsys):
    """The hint said 'pass header=False', an option the CLI lacked."""
    data = _tables(tmp_path / "t", 3, 4, first_label="zebra")
    run = [*data, "--root", str(tmp_path / "data"), "--method", "lego", "--epochs", "1",
           "--k", "3", "--val-rate", "0.25", "--no-progress"]
    assert main(["train", *run, "--out", str(tmp_path / "o")]) == 2
    err = _error(capsys)
    assert "the first row of " in err and "(zebra) was taken for a header" in err
    assert err.endswith("pass header=False (pyg-fusion: --no-header) if no text file has one")
    assert main(["train", *run, "--no-header", "--out", str(tmp_path / "o")]) == 0
    record = json.loads((tmp_path / "o" / "results.json").read_text())[0]
    assert record["config"]["data"]["header"] is False


@pytest.mark.parametrize("flags, message", [
    (["--val-rate", "1.5"], "argument --val-rate: expected a number in [0, 1), got 1.5 (see "
                            "pyg-fusion train --help)"),
    (["--test-rate", "x"], "argument --test-rate: expected a number in [0, 1), got 'x' (see "
                           "pyg-fusion train --help)"),
    (["--val-rate", "0.5", "--test-rate", "0.5"],
     "--val-rate + --test-rate must be < 1, got 0.5 + 0.5"),
])
def test_bad_split_rates_are_one_line(tmp_path, capsys, flags, message):
    data = _tables(tmp_path / "t", 3, 4)
    assert _exit(["train", *data, *flags, "--print-config"]) == 2
    assert _error(capsys) == "pyg-fusion train: error: " + message


@pytest.mark.parametrize("flags, named", [(["--val-rate", "0.3"], "--val-rate"),
                                           (["--test-rate", "0.3"], "--test-rate"),
                                           (["--header"], "--header"),
                                  (["--index-col", "0"], "--index-col"),
                                           (["--no-header"], "--header")])
def test_the_tables_flags_are_refused_for_the_digits(capsys, flags, named):
    assert main(["train", "--dataset", "digits", *flags, "--print-config"]) == 2
    assert _error(capsys) == (f"pyg-fusion train: error: {named} applies to --dataset "
                              f"tables, not to digits")


def test_help_and_print_config_show_the_flags(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag in ("--val-rate VAL_RATE", "--test-rate TEST_RATE", "--header, --no-header",
                 "--index-col N|none|auto"):
        assert flag in text
    assert main(["train", "--dataset", "tables", "--views", "a.csv", "--labels", "y.csv",
                 "--print-config"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)["data"]
    assert (data["val_rate"], data["test_rate"], data["header"], data["index_col"]) == \
        (0.1, 0.2, None, "auto")


@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_a_recorded_config_reads_back_from_another_folder(tmp_path, monkeypatch, capsys,
                                                          command):
    """results.json (and sweep.json) recorded --views and --labels as typed,
    relative to the folder of the run, while the checkpoint held them
    absolute: --config from any other folder said '--views: no such file'."""
    _tables(tmp_path / "t", 3, 4)
    monkeypatch.chdir(tmp_path / "t")
    run = ["--dataset", "tables", "--views", "a.csv", "b.npy", "--labels", "y.csv",
           "--root", str(tmp_path / "data"), "--method", "lego", "--epochs", "1", "--k", "3",
           "--val-rate", "0.25", "--seeds", "0", "--no-progress"]
    grid = ["--p", "1", "--q", "1"] if command == "sweep" else []
    first = tmp_path / "first"
    assert main([command, *run, *grid, "--out", str(first)]) == 0, capsys.readouterr().err
    name = "sweep.json" if command == "sweep" else "results.json"
    record = json.loads((first / name).read_text())[0]
    t = tmp_path / "t"
    assert (record["config"]["data"]["views"], record["config"]["data"]["labels"]) == \
        ([f"a={t / 'a.csv'}", f"b={t / 'b.npy'}"], str(t / "y.csv"))
    if command == "sweep":  # a cell's config holds its powers per source: no flag reads it
        return
    (tmp_path / "saved.yaml").write_text(yaml.safe_dump(record["config"]))
    monkeypatch.chdir(tmp_path)
    again = tmp_path / "again"
    assert main([command, "--config", str(tmp_path / "saved.yaml"), "--seeds", "0",
                 "--no-progress", "--out", str(again)]) == 0, capsys.readouterr().err
    second = json.loads((again / name).read_text())[0]
    assert second["config"] == record["config"]
    assert second["values"] == record["values"]


def test_an_index_column_is_a_flag(tmp_path, capsys):
    """A column 0 of row ids holding one numeric id: the hint said 'pass
    index_col=0', an option the CLI lacked, and the file could not be read."""
    data = _tables(tmp_path / "t", 3, 4)
    x = np.loadtxt(tmp_path / "t" / "a.csv", delimiter=",")
    ids = [f"s{i}" if i != 3 else "3" for i in range(12)]
    (tmp_path / "t" / "a.csv").write_text("".join(f"{i},{','.join(str(float(v)) for v in r)}\n"
                                                  for i, r in zip(ids, x)))
    run = [*data, "--root", str(tmp_path / "data"), "--method", "lego", "--epochs", "1",
           "--k", "3", "--val-rate", "0.25", "--no-header", "--no-progress"]
    assert main(["train", *run, "--out", str(tmp_path / "o")]) == 2
    assert _error(capsys).endswith("'3' is a number while 11 other cells of column 0 are "
                                   "not; pass index_col={'a': 0} if column 0 holds row "
                                   "ids, index_col={'a': None} if it holds features "
                                   "(pyg-fusion: --index-col a=0, --index-col a=none), or fix "
                                   "the cell")  # one view of several: its per-file form
    assert main(["train", *run, "--index-col", "0", "--out", str(tmp_path / "o")]) == 0
    cfg = json.loads((tmp_path / "o" / "results.json").read_text())[0]["config"]
    assert cfg["data"]["index_col"] == 0 and cfg["data"]["header"] is False
    from pyg_fusion.experiments.data import DataConfig, load_data
    assert load_data(DataConfig(**cfg["data"])).graph.x_a.shape == (12, 3)  # ids dropped
    (tmp_path / "saved.yaml").write_text(yaml.safe_dump(cfg))
    capsys.readouterr()
    assert main(["train", "--config", str(tmp_path / "saved.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"]["index_col"] == 0


@pytest.mark.parametrize("value, message", [
    ("-1", "expected a column number >= 0, none or auto, got -1"),
    ("x", "expected a column number >= 0, none or auto, got 'x'"),
])
def test_a_bad_index_column_is_one_line(tmp_path, capsys, value, message):
    assert _exit(["train", *_tables(tmp_path / "t", 3, 4), "--index-col", value,
                  "--print-config"]) == 2
    assert _error(capsys) == (f"pyg-fusion train: error: argument --index-col: {message} "
                              f"(see pyg-fusion train --help)")
