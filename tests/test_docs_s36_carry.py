"""What this session's code changes made the docs say, held to the code."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def test_comment_lines_of_a_vad_list_are_skipped_as_the_datasets_page_says(tmp_path):
    # 0867738: list_rows skips '#' lines; the header check reads the first line after them
    said = _page("datasets/README.md")
    assert ("A line whose first non-blank character is `#` is a comment, skipped (a `#` "
            "inside an entry, `clip/a#1.npy`, is kept).") in said
    from pyg_fusion.datasets._vad_lists import list_rows
    path = tmp_path / "train.list"
    path.write_text("# UCF-Crime train split\npath,label\n  # i3d/b.npy,1\nclip/a#1.npy,0\n")
    assert list_rows(str(path)) == [["clip/a#1.npy", "0"]]
