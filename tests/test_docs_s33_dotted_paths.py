"""Every `pyg_fusion.<module>[.<name>]` that README, the docs pages and
datasets/README.md write resolves: a module moved (experiments' configs went
to pyg_fusion.specs) or a name renamed shows here, not to a reader's import."""
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
         ROOT / "datasets" / "README.md"]


def _resolves(path: str) -> bool:
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for name in parts[i:]:
                obj = getattr(obj, name)
        except AttributeError:
            return False
        return True
    return False


def test_every_dotted_path_the_pages_write_resolves():
    written = {(page.relative_to(ROOT).as_posix(), path) for page in PAGES
               for path in re.findall(r"`(pyg_fusion(?:\.\w+)+)", page.read_text())}
    assert len(written) >= 30
    assert [w for w in sorted(written) if not _resolves(w[1])] == []
