"""visualize/gallery.py as a user runs it (and as a program imports it):
user errors in one line before any step or folder, and no backend switched
by an import."""
import importlib.util
import os

import matplotlib
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def gallery(monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(ROOT, "visualize"))  # its gallery_* steps
    spec = importlib.util.spec_from_file_location(
        "gallery_s30", os.path.join(ROOT, "visualize", "gallery.py"))
    module = importlib.util.module_from_spec(spec)
    old = matplotlib.get_backend()
    matplotlib.use("svg")  # not the tests' Agg, which the import chose
    try:
        spec.loader.exec_module(module)
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(old)
    return module


@pytest.mark.parametrize("argv, message", [
    (["--steps", "bogus"], "--steps: unknown step(s) ['bogus']"),  # an empty OUT was left
    (["--epochs", "0"], "--epochs: expected a positive integer, got 0"),  # a traceback later
    (["--digits-nodes", "100"], "--digits-nodes 100: expected at least 120"),
    (["--sweep-p", "x"], "--sweep-p: expected integers like"),
    (["--timing-sizes", "0,32"], "--timing-sizes: expected positive numbers of nodes"),
    (["--bench", "missing.json"], "--bench missing.json: no such file"),  # a quick timing drawn
])
def test_a_user_error_is_one_line_before_any_folder(gallery, tmp_path, capsys, argv, message):
    out = tmp_path / "gallery"
    with pytest.raises(SystemExit) as err:
        gallery.main(["--out", str(out), *argv])
    assert err.value.code == 2
    text = capsys.readouterr().err
    assert len(text.strip().splitlines()) == 1 and message in text, text
    assert not out.exists()
