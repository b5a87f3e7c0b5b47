"""The errors of the method options that reach the command line name the
flags the user typed (``--operator-lr``), as the other config errors do."""
import pytest


@pytest.mark.parametrize("flags, message", [
    (["--operator-lr", "0.1", "--restarts", "2"],
     "--operator-lr, --restarts: these are VAD options, which the node task does not read"),
    (["--features", "labels", "--hidden-channels", "8", "--dropout", "0.2"],
     "--dropout, --hidden-channels: --features labels scores by label propagation (20 "
     "steps, alpha 0.9), which reads none of them"),
    (["--init", "auto"], "--init auto is a VAD option (it chooses the start on held-out "
                         "videos); the node task takes --init product or mean"),
])
def test_the_node_tasks_option_errors_name_the_flags(tmp_path, capsys, flags, message):
    """train --dataset digits --operator-lr 0.1 said 'operator_lr: these are
    VAD options, ...', the Python name of a flag the user typed as
    --operator-lr (so 'hidden_channels: features='labels' scores...' and
    "init='auto' is a VAD option ... init='product' or 'mean'")."""
    from pyg_fusion.cli import main
    assert main(["train", "--dataset", "digits", "--root", str(tmp_path / "data"), *flags,
                 "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    assert capsys.readouterr().err == f"pyg-fusion train: error: {message}\n"
    assert not (tmp_path / "data").exists() and not (tmp_path / "out").exists()


def test_a_node_task_option_on_vad_names_the_flag(tmp_path, capsys):
    from pyg_fusion.cli import main
    assert main(["compare", "--dataset", "synthetic-vad", "--num-layers", "3", "--root",
                 str(tmp_path / "data"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == ("pyg-fusion compare: error: --num-layers: these are node "
                                       "task options, which the VAD task does not read\n")


@pytest.mark.parametrize("flags, message", [
    (["--dataset", "synthetic-vad", "--relational-shift", "nan"],
     "argument --relational-shift: expected a finite number >= 0, got nan"),
    (["--dataset", "synthetic-vad", "--relational-shift", "-1"],
     "argument --relational-shift: expected a finite number >= 0, got -1.0"),
    (["--dataset", "digits", "--alpha", "nan"],
     "argument --alpha: expected a finite number, got nan"),
    (["--dataset", "digits", "--alpha", "inf"],
     "argument --alpha: expected a finite number, got inf"),
])
def test_a_float_option_out_of_its_range_is_named_at_parsing(tmp_path, capsys, flags, message):
    """--relational-shift and --alpha parsed as Python floats (nan, inf, a
    negative shift), so the error came from the library once the run began,
    naming 'relational_shift must be a finite number >= 0, got nan' or
    'alpha must be a finite number, got nan': the Python names. Now refused at
    parsing, naming the flag on the command line, the file and key in a
    --config file."""
    from pyg_fusion.cli import main
    with pytest.raises(SystemExit) as exit_:
        main(["train", *flags, "--root", str(tmp_path / "data"), "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == f"pyg-fusion train: error: {message} (see " \
                                      f"pyg-fusion train --help)\n"
    key = flags[2][2:].replace('-', '_')
    (tmp_path / "c.yaml").write_text(f"{key}: {flags[3]}\n"
                                     .replace(": nan", ": .nan").replace(": inf", ": .inf"))
    assert main(["train", "--dataset", flags[1], "--config", str(tmp_path / "c.yaml"),
                 "--root", str(tmp_path / "data"), "--out", str(tmp_path / "out")]) == 2
    said = message.replace(f"argument {flags[2]}", f"--config {tmp_path / 'c.yaml'}: {key}")
    assert capsys.readouterr().err == f"pyg-fusion train: error: {said}\n"
    assert not (tmp_path / "data").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags, message", [
    (["--restarts", "2"], "--restarts 2 chooses among the restarts on held-out videos, and "
                          "--val-fraction 0 holds none out"),
    (["--val-choice", "pseudo_auc"], "--val-choice pseudo_auc scores the held-out videos, "
                                     "and --val-fraction 0 holds none out"),
])
def test_a_vad_choice_without_held_out_videos_names_the_flags(tmp_path, capsys, flags, message):
    """compare --restarts 2 --val-fraction 0 said 'restarts > 1 needs held-out
    videos ...: val_fraction must be > 0' (and --val-choice pseudo_auc
    "choice='pseudo_auc' needs held-out videos"), fit_vad's arguments, from
    the first run of the grid."""
    from pyg_fusion.cli import main
    assert main(["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--method", "graph-mean", "--val-fraction", "0", *flags,
                 "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    assert capsys.readouterr().err == f"pyg-fusion compare: error: {message}\n"
    assert not (tmp_path / "data").exists() and not (tmp_path / "out").exists()
