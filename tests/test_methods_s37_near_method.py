import pytest

from pyg_fusion import _option_rules, methods
from pyg_fusion.cli import _parser


def test_a_typo_found_once_the_sources_are_known_names_the_near_method():
    # 'gcn-mea' passes before the data (gcn-* of a source 'mea'), and its
    # error once the sources were known named no near spelling
    with pytest.raises(ValueError, match=r"^unknown method 'gcn-mea' for task 'node'; .*"
                                         r"\(maybe you meant 'gcn-mean'\?\)$"):
        methods.resolve_methods("lego,gcn-mea", "node", ["rgb", "depth"])
    with pytest.raises(ValueError, match=r"\(maybe you meant 'graph-rgb'\?\)$"):
        methods.resolve_methods(["graph-rbg"], "node", ["rgb", "depth"])
    with pytest.raises(ValueError) as exc:  # a method of another task: no typo
        methods.resolve_methods("lego-row", "node", ["rgb", "depth"])
    assert "maybe" not in str(exc.value)


def test_the_cli_and_the_methods_share_one_near_name():
    assert _parser.near_name is _option_rules.near_name
    assert not hasattr(_parser, "chosen_methods")
