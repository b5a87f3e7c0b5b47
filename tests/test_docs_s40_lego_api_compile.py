"""docs/lego_api.md says that torch.compile(LEGO(...)) works on both
backends with static or dynamic=True shapes: tests/test_compile.py (slow)
runs each combination under the default inductor, none marked xfail (the
sparse backend with dynamic=True failed there on torch 2.13, NameError in the
generated code: tests/test_compile_s40_batch_length.py)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_compile_sentence_names_what_runs():
    text = " ".join((ROOT / "docs" / "lego_api.md").read_text().split())
    assert ("`torch.compile(LEGO(...))` works on both backends, static or `dynamic=True` "
            "shapes") in text
    assert "a `batch` of another length fails with a `RuntimeError`" in text
    tests = (ROOT / "tests" / "test_compile.py").read_text()
    assert '("sparse", None), ("sparse", True)])' in tests
    assert "xfail" not in tests
