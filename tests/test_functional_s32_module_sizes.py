"""pyg_fusion.functional.fuse and pyg_fusion.nn.lego keep their names after
the support of the fused graph moved to functional._fused_support and
LEGO's dense backend to nn._lego_dense, and stay within ~400 lines a file."""
import importlib
from pathlib import Path


def test_fuse_and_lego_keep_their_names_and_their_size():
    fuse = importlib.import_module("pyg_fusion.functional.fuse")
    support = importlib.import_module("pyg_fusion.functional._fused_support")
    for name in ("ZEROTH", "dense_fused_support", "lego_fuse", "lego_fuse_sparse",
                 "align_pair", "check_source_powers"):
        assert getattr(fuse, name) is not None
    assert fuse.dense_fused_support is support.dense_fused_support
    lego = importlib.import_module("pyg_fusion.nn.lego")
    from pyg_fusion.nn import AUTO_DENSE_MAX_NODES, LEGO
    assert LEGO is lego.LEGO and AUTO_DENSE_MAX_NODES == lego.AUTO_DENSE_MAX_NODES
    assert lego.LOCALITY_MIN_NODES > 0
    for mod in (fuse, support, lego, importlib.import_module("pyg_fusion.nn._lego_dense")):
        assert len(Path(mod.__file__).read_text().splitlines()) <= 400, mod.__name__
