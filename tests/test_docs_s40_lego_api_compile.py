"""docs/lego_api.md said that torch.compile(LEGO(...)) works on both
backends with static or dynamic=True shapes; the sparse backend with
dynamic=True fails under the default inductor on torch 2.13 (NameError in
the generated kernel: tests/test_compile.py, slow, xfail there). The page
says which combinations run, and names the aot_eager backend, which
test_compiled_sparse_lego_dynamic_aot_eager runs."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_compile_sentence_names_what_runs():
    text = " ".join((ROOT / "docs" / "lego_api.md").read_text().split())
    assert "static or `dynamic=True` shapes" not in text
    assert ("static shapes on both, `dynamic=True` on the dense backend; on the sparse one "
            "`dynamic=True` runs with `backend=\"aot_eager\"`") in text
    tests = (ROOT / "tests" / "test_compile.py").read_text()
    assert 'pytest.param("sparse", True, marks=pytest.mark.xfail(raises=NameError' in tests
    assert '_check(device, "sparse", True, "aot_eager")' in tests
