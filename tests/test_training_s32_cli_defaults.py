"""fit_node and fit_vad keep their own defaults for Python callers: each one
that the node / VAD runs of train / compare do not take says so in its Args
entry, naming the CLI's value, and the others are the CLI's (before,
fit_node's epochs=200 against the CLI's 80 was said nowhere)."""
import dataclasses
import inspect
import re

from pyg_fusion.specs import MethodSpec
from pyg_fusion.training.node import fit_node
from pyg_fusion.training.vad_fit import fit_vad


def _differences(fit, task: str) -> dict:
    # {argument: the CLI's value} where fit's default is not the CLI's, each
    # checked against its Args entry (and each other entry says no difference)
    spec = MethodSpec.create("lego", task)
    cli = {f.name: getattr(part, f.name) for c in dataclasses.fields(spec)
           if dataclasses.is_dataclass(part := getattr(spec, c.name))
           for f in dataclasses.fields(part)}
    doc = inspect.getdoc(fit)
    differ = {}
    for name, p in inspect.signature(fit).parameters.items():
        if name not in cli or p.default is inspect.Parameter.empty:
            continue
        entry = re.search(rf"^    {name} \([^)]*\):(.*?)(?=^    \w+ \(|\Z)", doc, re.S | re.M)
        text = " ".join(entry.group(1).split())
        if p.default != cli[name]:
            differ[name] = cli[name]
            flag = "--" + name.replace("_", "-")
            assert "[differs from the CLI]" in text and f"{flag} {cli[name]}" in text, name
        else:
            assert "[differs from the CLI]" not in text, name
    return differ


def test_fit_node_says_where_its_defaults_differ_from_the_cli():
    assert _differences(fit_node, "node") == {"epochs": 80}
    labels = MethodSpec.create("lego", "node", {"features": "labels"}).trainer.epochs
    assert f"({labels} with ``--features labels``)" in inspect.getdoc(fit_node)


def test_fit_vad_says_where_its_defaults_differ_from_the_cli():
    assert _differences(fit_vad, "vad") == {"epochs": 200, "lr": 0.01, "patience": 10,
                                            "min_epochs": 30, "operator_warmup": "auto"}
