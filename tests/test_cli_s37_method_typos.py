"""A typo of --method ('lgeo') listed the known methods but not the one
meant, where a typo of a choice, a flag or a config key names its near
spelling: --method now names it too, through the same helper
(pyg_fusion._option_rules.near_name), before the data loads; a method of another task
(lego-row of a node dataset) is no typo and is named as before."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv, meant", [
    (["train", "--method", "lgeo"], "lego"),
    (["compare", "--method", "lego,singel"], "single"),
    (["compare", "--dataset", "synthetic-vad", "--method", "mnt"], "mtn"),
    (["sweep", "--method", "lego-cpp"], "lego-cp"),
])
def test_a_typo_of_a_method_names_the_near_one(tmp_path, capsys, monkeypatch, argv, meant):
    import pyg_fusion.experiments.data as data
    import pyg_fusion.experiments.run as run

    def no_data(*args, **kwargs):
        raise AssertionError("the data loaded")
    monkeypatch.setattr(run, "load_data", no_data)
    monkeypatch.setattr(data, "load_data", no_data)
    for extra in ([], ["--print-config"]):
        assert main([*argv, "--root", str(tmp_path / "data"), "--out", str(tmp_path / "o"),
                     "--no-progress", *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.endswith(f" (maybe you meant {meant!r}?)\n"), err


def test_a_method_of_another_task_is_no_typo(capsys):
    assert main(["train", "--dataset", "digits", "--method", "lego-row", "--print-config"]) == 2
    err = capsys.readouterr().err
    assert "unknown method 'lego-row' for task 'node'" in err and "maybe" not in err, err


def test_a_typo_of_the_accelerator_names_the_near_one(capsys):
    """--accelerator is checked by its type, not argparse's choices: its
    typo named no near spelling."""
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--accelerator", "cpuu", "--print-config"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "got 'cpuu', maybe you meant 'cpu'?" in err, err
