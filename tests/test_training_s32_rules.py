"""The rules of a setting's value live below the layers that check one
(pyg_fusion._option_rules): the training tasks check lr, weight_decay and
operator_lr by them without importing the experiments layer above them, and
the trainer's config declares its flags by the same rules and choices."""
import dataclasses
import subprocess
import sys

import pytest

from pyg_fusion import _option_rules as rules
from pyg_fusion.specs import method_spec as config
from pyg_fusion.specs.components import ObjectiveConfig, TrainerConfig


def test_a_task_checks_its_rates_without_the_experiments_layer():
    # before: TimedAdamTask imported experiments.config (its check_option) to check lr
    code = """
import sys, torch
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.node import NodeClassification
for task, kw in ((WeaklySupervisedVAD, dict(operator_lr=0)), (NodeClassification, dict(lr=-1)),
                 (NodeClassification, dict(weight_decay=-1.0))):
    try:
        task(torch.nn.Linear(2, 2), **kw)
    except ValueError as exc:
        print(exc)
print(sorted(m for m in sys.modules if m.startswith("pyg_fusion.experiments")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["operator_lr must be a finite number > 0, got 0",
                   "lr must be a finite number > 0, got -1",
                   "weight_decay must be a finite number >= 0, got -1.0", "[]"]


def test_the_flags_and_the_tasks_share_one_rule():
    fields = {f.name: f for f in dataclasses.fields(TrainerConfig)}
    for name, rule in rules.ADAM_RULES.items():
        assert fields[name].metadata["check"] == rule
    assert fields["restart_combine"].metadata["choices"] is rules.COMBINES
    choice = {f.name: f for f in dataclasses.fields(ObjectiveConfig)}["val_choice"]
    assert choice.metadata["choices"] is rules.CHOICES
    from pyg_fusion.training.vad import CHOICES
    from pyg_fusion.training.vad_ensemble import COMBINES
    assert CHOICES is rules.CHOICES and COMBINES is rules.COMBINES
    # one place: the experiments layer's own check_option is gone
    assert not hasattr(config, "check_option")
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got -1$"):
        config.check_options("node", {"lr": -1})


@pytest.mark.parametrize("name, bad", [("restarts", 0), ("restarts", True), ("min_epochs", -1),
                                       ("min_epochs", 1.5)])
def test_fit_vad_refuses_by_the_flags_rules(name, bad):
    import torch
    from pyg_fusion.training.vad_fit import fit_vad
    with pytest.raises(ValueError) as info:
        fit_vad(torch.nn.Linear(2, 2), [], [], out_dir="unused", **{name: bad})
    field = {f.name: f for f in dataclasses.fields(TrainerConfig)}[name]
    with pytest.raises(ValueError) as flag_rule:
        rules.check_field(name, field, bad)
    assert str(info.value) == str(flag_rule.value)


def test_fit_vad_takes_numpys_ints_as_the_flags_do():
    # before: 'restarts must be an int >= 1, got np.int64(2)', an int the
    # flag's rule (and check_int everywhere else) takes
    import numpy as np
    import torch
    from pyg_fusion.training.vad_fit import fit_vad
    with pytest.raises(ValueError, match="restarts > 1 needs model to be a function"):
        fit_vad(torch.nn.Linear(2, 2), [], [], out_dir="unused", restarts=np.int64(2),
                min_epochs=np.int64(3))


@pytest.mark.parametrize("fit, task", [("vad_fit.fit_vad", "vad.WeaklySupervisedVAD"),
                                       ("node.fit_node", "node.NodeClassification")])
def test_a_fitting_function_defaults_its_tasks_settings_as_the_task_does(fit, task):
    # each default is written in both signatures (and both Args sections), which
    # the documentation needs as literals: a default changed in one place only
    # would make fit_vad's run and a task built from the same settings differ
    import importlib
    import inspect

    def obj(path):
        module, _, name = path.rpartition(".")
        return getattr(importlib.import_module(f"pyg_fusion.training.{module}"), name)
    mine = inspect.signature(obj(fit)).parameters
    theirs = inspect.signature(obj(task).__init__).parameters
    shared = [n for n in theirs if n in mine and n not in ("self", "model")]
    assert len(shared) >= 3
    assert {n: mine[n].default for n in shared} == {n: theirs[n].default for n in shared}
