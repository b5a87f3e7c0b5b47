"""An unknown --method's hint listed the families "(or all, single, feature,
graph, gcn)" on every node run, gcn included under --features labels, where
no gcn method exists (and asym-shuffle's family never): it lists the families
that the user can choose there."""
import pytest

from pyg_fusion.cli import main
from pyg_fusion.methods import resolve_methods


@pytest.mark.parametrize("task, features, hint", [
    ("node", None, "(or all, single, feature, graph, gcn, asym)"),
    ("node", "none", "(or all, single, feature, graph, gcn)"),
    ("node", "labels", "(or all, single, feature, graph)"),
    ("vad", None, "(or all, single, feature, graph)"),
])
def test_the_hint_lists_the_families_of_the_methods_known(task, features, hint):
    with pytest.raises(ValueError) as exc:
        resolve_methods("x", task, ["a", "b"], features)
    assert str(exc.value).endswith(hint)
    for family in hint[len("(or all, "):-1].split(", "):
        assert resolve_methods(family, task, ["a", "b"], features)


def test_the_cli_hint_under_features_labels(capsys):
    assert main(["train", "--dataset", "digits", "--features", "labels", "--method", "x",
                 "--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.endswith("(or all, single, feature, graph)\n") and "gcn" not in err
