"""Every ```python block of README.md runs as written, each in a fresh
namespace and an empty working folder. A block whose first line is the
visible comment ``# needs a file you supply: NAME`` is skipped, naming it."""
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
NEEDS_FILE = "# needs a file you supply:"


def _blocks() -> list[tuple[int, str]]:
    text = README.read_text()
    out = []
    for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        out.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    return out


BLOCKS = _blocks()


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("line,code", BLOCKS, ids=[f"README.md:{n}" for n, _ in BLOCKS])
def test_readme_block_runs(line, code, tmp_path, monkeypatch):
    first = code.lstrip().splitlines()[0]
    if first.startswith(NEEDS_FILE):
        pytest.skip(f"README.md:{line} {first[2:]}")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})


def test_readme_figures_table_lists_every_plot_function():
    # the Figures section's table is where a reader looks for what can be drawn
    import pyg_fusion.visualize as vis
    text = README.read_text()
    section = text[text.index("<!-- section:visualize -->"):
                   text.index("<!-- /section:visualize -->")]
    rows = set(re.findall(r"^\| `(plot_\w+)\(", section, flags=re.M))
    assert rows == {n for n in vis.__all__ if n.startswith("plot_")}
