"""One path for notices: the library warns a PygFusionNotice (a UserWarning
a Python caller filters), never prints; the CLI shows each as one line
``pyg-fusion <command>: notice: ...`` on stderr, and puts the warnings'
display and filters back after the command."""
import contextlib
import io
import warnings

import numpy as np
import pytest

from pyg_fusion import PygFusionNotice
from pyg_fusion.cli import main
from pyg_fusion.cli._process import kept_notices, rendered_notices
from pyg_fusion.experiments.image_config import defaults_notice
from test_checkpoint_fingerprint import train_tables


@pytest.fixture(scope="module")
def changed_checkpoint(tmp_path_factory):
    """A tables checkpoint of `pyg-fusion train` whose view a.csv changed
    since (one value), as a user's file edited in place."""
    tmp = tmp_path_factory.mktemp("notices")
    _, ckpt = train_tables(tmp)
    a = np.loadtxt(tmp / "t" / "a.csv", delimiter=",")
    a[5, 1] += 1.0
    np.savetxt(tmp / "t" / "a.csv", a, delimiter=",")
    return ckpt


def _main(argv):
    """``(exit status, stdout, stderr)`` of ``main(argv)``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _changed(ckpt):
    return (f"the data of the checkpoint {ckpt} changed since it was trained: its recorded "
            f"files now hold other values of x_a; the scores are of the data as it is now")


def test_library_notices_are_warnings_a_caller_filters_never_prints(capsys):
    # the image evaluations' notice printed 'notice: ...' from library code
    with pytest.warns(PygFusionNotice) as caught:
        defaults_notice("old.ckpt", {"batch_size": 16, "image_size": 256})
    assert [str(w.message) for w in caught] == [
        "--checkpoint old.ckpt records no data settings (written before they were saved); "
        "evaluating with the flags given and the defaults: --batch-size 16, --image-size 256"]
    assert issubclass(PygFusionNotice, UserWarning)
    assert capsys.readouterr() == ("", "")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=PygFusionNotice)
        defaults_notice("old.ckpt", {"batch_size": 16})
        defaults_notice("old.ckpt", {})  # nothing defaulted: nothing to say
    assert caught == [] and capsys.readouterr() == ("", "")


def test_the_cli_shows_a_notice_as_one_line_and_puts_the_display_back():
    err = io.StringIO()
    with contextlib.redirect_stderr(err), warnings.catch_warnings(record=True) as before:
        warnings.simplefilter("always")
        shown, filters = warnings.showwarning, list(warnings.filters)
        with rendered_notices("pyg-fusion x"), kept_notices() as kept:
            warnings.warn("a  notice\n over two lines", PygFusionNotice)
            warnings.warn("another warning", UserWarning)
        assert warnings.showwarning is shown and warnings.filters == filters
    assert err.getvalue() == "pyg-fusion x: notice: a notice over two lines\n"
    assert kept == ["a  notice\n over two lines"]
    # other warnings go to the display that was there before
    assert [(w.category, str(w.message)) for w in before] == [(UserWarning, "another warning")]


def test_evaluate_and_plot_of_changed_data_say_so_in_one_line(changed_checkpoint, tmp_path):
    ckpt = changed_checkpoint
    shown, filters = warnings.showwarning, list(warnings.filters)
    code, _, err = _main(["evaluate", "--checkpoint", str(ckpt), "--no-progress",
                          "--out", str(tmp_path / "ev")])
    assert code == 0 and err == f"pyg-fusion evaluate: notice: {_changed(ckpt)}\n", err
    # plot of the checkpoint rebuilt its model on the changed data without a word
    code, out, err = _main(["plot", "adjacency", "--checkpoint", str(ckpt),
                            "--out", str(tmp_path / "adj.png")])
    assert code == 0 and err == f"pyg-fusion plot: notice: {_changed(ckpt)}\n", err
    assert out == f"wrote {tmp_path / 'adj.png'}\n"
    assert warnings.showwarning is shown and warnings.filters == filters


def test_a_notice_the_caller_makes_an_error_is_the_clis_one_line_error(changed_checkpoint,
                                                                      tmp_path):
    ckpt = changed_checkpoint
    with warnings.catch_warnings():
        warnings.simplefilter("error", PygFusionNotice)  # as -W error does
        code, _, err = _main(["evaluate", "--checkpoint", str(ckpt), "--no-progress",
                              "--out", str(tmp_path / "ev")])
    assert code == 2 and err == f"pyg-fusion evaluate: error: {_changed(ckpt)}\n", err
    assert not (tmp_path / "ev" / "results.json").exists()


def test_an_earlier_run_in_out_is_a_notice_line_of_the_command(tmp_path):
    from pyg_fusion.cli._runs import earlier_records, notice_earlier_run
    (tmp_path / "results.json").write_text("[]")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), rendered_notices("pyg-fusion compare"):
        notice_earlier_run(tmp_path, ("results.json",), "run", "each of its runs is replaced")
        assert earlier_records(tmp_path) is None
    assert err.getvalue().splitlines() == [
        f"pyg-fusion compare: notice: --out {tmp_path} holds an earlier run: each of its runs "
        f"is replaced",
        f"pyg-fusion compare: notice: --resume: {tmp_path / 'results.partial.json'} does not "
        f"exist (no interrupted compare there): every run trains"]
    with pytest.warns(PygFusionNotice, match="holds an earlier run"):  # from Python: a warning
        notice_earlier_run(tmp_path, ("results.json",), "run", "replaced")
