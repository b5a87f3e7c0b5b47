"""fit_node keeps its own defaults for Python callers, as fit_vad does: each
one that the node runs of train / compare do not take says so in its Args
entry, naming the CLI's value, and the others are the CLI's (before,
fit_node's epochs=200 against the CLI's 80 was said nowhere)."""
import dataclasses
import inspect
import re

from pyg_fusion.specs import MethodSpec
from pyg_fusion.training.node import fit_node


def test_fit_node_says_where_its_defaults_differ_from_the_cli():
    spec = MethodSpec.create("lego", "node")
    cli = {f.name: getattr(part, f.name) for c in dataclasses.fields(spec)
           if dataclasses.is_dataclass(part := getattr(spec, c.name))
           for f in dataclasses.fields(part)}
    doc = inspect.getdoc(fit_node)
    differ = {}
    for name, p in inspect.signature(fit_node).parameters.items():
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
    assert differ == {"epochs": 80}
    labels = MethodSpec.create("lego", "node", {"features": "labels"}).trainer.epochs
    assert f"({labels} with ``--features labels``)" in doc
