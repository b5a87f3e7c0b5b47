"""LEGO's operator options that do not go together (the rules of
``nn/_lego_fusion_options.check_fusion_options``) are refused by the config
stage of a run, naming the flags, before the data loads: on the command line,
with ``--print-config`` and in a ``--config`` file."""
import pytest

from pyg_fusion.cli import main

INIT_MEAN = ("--init mean needs --operator pairwise or full and --zeroth ones (with R^0 = I "
             "the mean of the graphs is not an operator of the form; a rank-R CP operator is "
             "a product of M factors)")
CASES = [
    # the node task's zeroth is identity: the reported case
    (["--dataset", "digits", "--init", "mean"],
     f"{INIT_MEAN}; lego has --init mean, --operator pairwise, --zeroth identity"),
    (["--dataset", "digits", "--method", "lego-cp", "--init", "mean", "--zeroth", "ones"],
     f"{INIT_MEAN}; lego-cp has --init mean, --zeroth ones, the CP operator (whatever "
     "--operator says)"),
    # lego reads --term-scale, lego-cp cannot take it
    (["--dataset", "digits", "--method", "lego,lego-cp", "--term-scale", "mean"],
     "--term-scale mean needs --operator pairwise or full (a CP operator is a product of "
     "per-source sums, not a weight per term); lego-cp has --term-scale mean, the CP "
     "operator (whatever --operator says)"),
    # VAD's zeroth is ones
    (["--dataset", "synthetic-vad", "--support", "intersection"],
     "--support intersection would drop the single-source terms that --zeroth ones adds "
     "(the sparse G would differ from the dense one); use --support union or shared; lego "
     "has --support intersection, --zeroth ones"),
    # VAD's init auto trains from the mean too
    (["--dataset", "synthetic-vad", "--zeroth", "identity"],
     f"--init auto trains from the product and the mean starts, but lego has no mean "
     f"start: {INIT_MEAN}; lego has --init auto, --operator full, --zeroth identity (give "
     "--init product)"),
]


@pytest.mark.parametrize("flags, message", CASES)
def test_lego_options_that_do_not_go_together_are_refused_before_the_data(
        tmp_path, capsys, monkeypatch, flags, message):
    """train --dataset digits --init mean failed once the data had loaded
    (about 10 s), with "init='mean' needs mode='pairwise' or 'full' and
    zeroth='ones'" (LEGOFusion's names), and --print-config printed the config
    as if it ran."""
    import pyg_fusion.experiments.run as run

    def no_data(*args, **kwargs):
        raise AssertionError("the data loaded")
    monkeypatch.setattr(run, "load_data", no_data)
    common = ["--root", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
              "--threads", "1", "--no-progress"]
    for extra in ([], ["--print-config"]):
        assert main(["train", *flags, *common, *extra]) == 2
        assert capsys.readouterr().err == f"pyg-fusion train: error: {message}\n"
    assert not (tmp_path / "data").exists() and not (tmp_path / "out").exists()


def test_a_config_file_with_lego_options_that_do_not_go_together_is_refused(tmp_path, capsys):
    assert main(["train", "--dataset", "digits", "--print-config"]) == 0
    text = capsys.readouterr().out
    assert "  init: product\n" in text
    (tmp_path / "c.yaml").write_text(text.replace("  init: product\n", "  init: mean\n"))
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion train: error: {CASES[0][1]} "
                                       f"(--config {tmp_path / 'c.yaml'}: init: mean)\n")


def test_lego_options_that_go_together_pass(capsys):
    for flags in (["--init", "mean", "--zeroth", "ones"],
                  ["--method", "lego-cp", "--zeroth", "ones", "--fusion-rank", "2"],
                  ["--dataset", "synthetic-vad", "--method", "all"]):
        assert main(["train", *flags, "--print-config"]) == 0, capsys.readouterr().err
    capsys.readouterr()
