"""One place per concept in the experiments layer: the sweep's methods are
LEGO_METHODS (cli/sweep.py repeated them), the LEGO rules' check gets LEGO's
arguments by name from the spec (specs/method_spec.py listed each by hand), and a VAD
run passes every trainer and objective field to fit_vad (_vad_starts.py
listed each by hand). Same messages and the same runs as before."""
import dataclasses
import inspect
from types import SimpleNamespace

import pytest

from pyg_fusion.cli import main
from pyg_fusion.specs import components
from pyg_fusion.specs.method_spec import MethodSpec, check_options


def test_the_sweep_takes_its_methods_from_lego_methods(monkeypatch, capsys):
    for method in components.LEGO_METHODS:  # the default dataset: synthetic-vad
        assert main(["sweep", "--method", method, "--print-config"]) == 0, method
    capsys.readouterr()
    monkeypatch.setattr(components, "LEGO_METHODS", ("lego", "lego-cp"))
    assert main(["sweep", "--method", "lego-row", "--print-config"]) == 2
    assert capsys.readouterr().err == (
        "pyg-fusion sweep: error: --method must be lego or lego-cp (or VAD's lego-row) for a "
        "sweep: one LEGO method, whose powers the grid sets; got 'lego-row'\n")


@pytest.mark.parametrize("task, options, methods, message", [
    ("node", {"term_scale": "mean"}, ["lego", "lego-cp"],
     "--term-scale mean needs --operator pairwise or full (a CP operator is a product of "
     "per-source sums, not a weight per term); lego-cp has --term-scale mean, the CP operator "
     "(whatever --operator says)"),
    ("node", {"init": "mean"}, ["lego"],
     "--init mean needs --operator pairwise or full and --zeroth ones (with R^0 = I the mean "
     "of the graphs is not an operator of the form; a rank-R CP operator is a product of M "
     "factors); lego has --init mean, --operator pairwise, --zeroth identity"),
    ("vad", {"init": "auto"}, ["lego-cp"],
     "--init auto trains from the product and the mean starts, but lego-cp has no mean "
     "start: --init mean needs --operator pairwise or full and --zeroth ones (with R^0 = I "
     "the mean of the graphs is not an operator of the form; a rank-R CP operator is a "
     "product of M factors); lego-cp has --init auto, --zeroth ones, the CP operator "
     "(whatever --operator says) (give --init product)"),
])
def test_the_lego_rules_say_what_they_said(task, options, methods, message):
    with pytest.raises(ValueError) as err:
        check_options(task, options, methods)
    assert str(err.value) == message


def test_the_lego_rules_get_each_lego_argument_they_take(monkeypatch):
    import pyg_fusion._lego_rules as rules  # their torch-free home
    seen = []

    # a rule that takes one more of LEGO's arguments (k) gets it without a
    # line of specs/method_spec.py
    def check(sources, mode, rank, pairs, support, zeroth, init, lambda_anchor, term_scale,
              *, k, shared=False, mode_name="mode"):
        seen.append(dict(mode=mode, rank=rank, pairs=pairs, support=support, zeroth=zeroth,
                         init=init, lambda_anchor=lambda_anchor, term_scale=term_scale, k=k,
                         shared=shared, mode_name=mode_name))
    monkeypatch.setattr(rules, "check_fusion_options", check)
    options = {"operator": "full", "term_scale": "rms", "lambda_anchor": 0.5, "k": 7,
               "init": "product"}
    check_options("vad", options, ["lego"])
    kw = MethodSpec.create("lego", "vad", options).lego_kwargs()
    assert seen == [dict(mode="full", rank=1, pairs=kw["pairs"], support=kw["support"],
                         zeroth=kw["zeroth"], init=kw["init"], lambda_anchor=0.5,
                         term_scale="rms", k=7, shared=False, mode_name="mode")]


def test_a_vad_run_passes_every_trainer_and_objective_field(monkeypatch):
    import pyg_fusion.training.vad_fit as vad_fit
    from pyg_fusion.experiments import _vad_starts
    got = {}
    monkeypatch.setattr(vad_fit, "fit_vad", lambda *args, **kw: got.update(kw))
    spec = MethodSpec.create("lego", "vad", {"epochs": 3, "lr": 0.02, "patience": 4,
                                             "restarts": 2, "val_choice": "pseudo_auc",
                                             "topk": 5, "alpha": 0.25})
    # a field added to the trainer's config reaches fit_vad without a line of _vad_starts
    extra = dataclasses.make_dataclass("Trainer", [("new_setting", int, 11)],
                                       bases=(type(spec.trainer), ))
    spec.trainer = extra(**dataclasses.asdict(spec.trainer))
    td = SimpleNamespace(train=SimpleNamespace(), test=None)
    _vad_starts._fit(td, spec, {}, 0, "out", None, devices=1, accelerator="cpu",
                     progress=False, checkpoint=False)
    for cfg in (spec.trainer, spec.objective):
        for f in dataclasses.fields(cfg):
            assert got[f.metadata.get("arg", f.name)] == getattr(cfg, f.name), f.name
    assert got["choice"] == "pseudo_auc" and got["new_setting"] == 11
    # the configs' own fields are fit_vad's arguments, by name
    monkeypatch.undo()
    takes = inspect.signature(vad_fit.fit_vad).parameters
    assert set(got) - {"new_setting"} <= set(takes)
