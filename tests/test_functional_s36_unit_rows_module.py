"""functional.similarity had reached 409 lines (the project keeps a file
within ~400): the unit rows of cosine (unit_rows, its Function and the
lifting of tiny rows) live in functional._unit_rows, and similarity keeps
the names its users import."""
import importlib
from pathlib import Path


def test_unit_rows_moved_and_similarity_keeps_its_names_and_size():
    similarity = importlib.import_module("pyg_fusion.functional.similarity")
    unit = importlib.import_module("pyg_fusion.functional._unit_rows")
    assert similarity.unit_rows is unit.unit_rows
    from pyg_fusion.functional import dense_relation_graph, pair_similarity
    assert dense_relation_graph is similarity.dense_relation_graph
    assert pair_similarity is similarity.pair_similarity
    for name in ("ranking_features", "centred", "feature_limit", "check_metric_options",
                 "_pair_similarity", "_rows_per_unit", "_RowDot", "_PairDot"):
        assert getattr(similarity, name) is not None
    pair_dot = importlib.import_module("pyg_fusion.functional._pair_dot")
    assert similarity._RowDot is pair_dot._RowDot  # (moved there, 400 lines then)
    for mod in (similarity, unit, pair_dot):
        assert len(Path(mod.__file__).read_text().splitlines()) <= 400, mod.__name__
