"""A --method that names no method (whatever the dataset's sources) is
refused before the data loads, and --print-config refuses it too: it was
found only once the data had loaded (tens of seconds on a busy machine), and
--print-config printed a config that would not run."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("command", ["train", "compare"])
@pytest.mark.parametrize("method, message", [
    ("x", "unknown method 'x' for task 'node'; known: lego, lego-cp, single-fac, "),
    ("lego,xx", "unknown method 'xx' for task 'node'; known: "),
])  # an empty --method is the flag's type's to refuse: tests/test_cli_s34_empty_method.py
def test_an_unknown_method_is_refused_before_the_data(tmp_path, capsys, monkeypatch, command,
                                                      method, message):
    import pyg_fusion.experiments.run as run

    def no_data(*args, **kwargs):
        raise AssertionError("the data loaded")
    monkeypatch.setattr(run, "load_data", no_data)
    for extra in ([], ["--print-config"]):
        assert main([command, "--dataset", "digits", "--method", method, "--root",
                     str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--no-progress",
                     *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"pyg-fusion {command}: error: {message}")
        assert len(err.splitlines()) == 1
    assert not (tmp_path / "data").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags, message", [
    (["--method", "graph-mean"], "--method must be lego or lego-cp (or VAD's lego-row) for a "
                                 "sweep: one LEGO method, whose powers the grid sets; got "
                                 "'graph-mean'"),
    (["--method", "lego,lego-cp"], "--method must be lego or lego-cp (or VAD's lego-row) for "
                                   "a sweep: one LEGO method, whose powers the grid sets; got "
                                   "'lego,lego-cp'"),
    (["--num-powers", "2"], "--num-powers 2: a sweep sets the numbers of powers from --p and "
                            "--q"),
])
def test_sweep_print_config_refuses_what_its_run_refuses(capsys, flags, message):
    """sweep --method lego,lego-cp --print-config (and --num-powers 2)
    printed a config its run refuses; --method graph-mean was refused for the
    sweep's --operator-warmup default, which graph-mean does not read."""
    assert main(["sweep", *flags, "--print-config"]) == 2
    assert capsys.readouterr().err == f"pyg-fusion sweep: error: {message}\n"
