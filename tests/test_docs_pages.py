"""README and the pages under docs/ hold together as one set of documents:
every relative link and anchor resolves, every page is in README's index and
opens with a link back to the README section it details, the calls they write
name real parameters, and the files a run writes are the ones named."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
PAGES = [README, *sorted((README.parent / "docs").rglob("*.md"))]


def _slug(heading: str) -> str:
    # GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_readme_and_docs_links_resolve():
    # README was split into docs/: a link whose file or heading moved is one a
    # reader follows to nothing (GitHub opens the page's top, silently); the
    # headings of every Markdown file linked to (datasets/README.md too)
    def anchors(page: Path) -> set[str]:
        return {_slug(h) for h in re.findall(r"^#+ (.*)$", page.read_text(), flags=re.M)}

    broken = []
    for page in PAGES:
        text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, frag = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists() or (frag and dest.suffix == ".md" and frag not in anchors(dest)):
                broken.append(f"{page.relative_to(README.parent)}: {target}")
    assert broken == []


def test_docs_pages_are_indexed_and_link_back():
    # every page under docs/ is in README's index, and opens with a link to the
    # README section it details (a reader landing on it from a search finds the
    # headline table)
    readme = README.read_text()
    for page in PAGES[1:]:
        rel = page.relative_to(README.parent).as_posix()
        assert f"]({rel})" in readme or f"]({rel}#" in readme, rel
        opening = page.read_text().split("\n## ", 1)[0]
        assert re.search(r"\]\((\.\./)+README\.md#[\w-]+\)", opening), rel


def test_readme_signatures_name_real_parameters():
    # README's and the docs' tables write calls as `name(arg, ..., kw=)`: a user
    # types those names as keywords, so each must be a parameter
    import importlib
    import inspect
    modules = [importlib.import_module(f"pyg_fusion.{m}") for m in (
        "functional", "functional.asym", "nn", "nn.asym", "visualize", "transforms",
        "datasets", "data")]
    checked = 0
    for page in PAGES:
        for name, args in re.findall(r"`(?:[\w.]+\.)?(\w+)\(([^`()]*)\)`", page.read_text()):
            fn = next((getattr(m, name) for m in modules if hasattr(m, name)), None)
            if not (inspect.isfunction(fn) or inspect.isclass(fn)):
                continue
            params = inspect.signature(fn).parameters
            if any(p.kind == p.VAR_KEYWORD for p in params.values()):
                continue
            for arg in args.split(","):
                arg = arg.split("=")[0].strip()
                if re.fullmatch(r"[A-Za-z_]\w*", arg):
                    assert arg in params, f"{page.name}: {name}({args}): {arg} not in {list(params)}"
                    checked += 1
    assert checked >= 60


def test_training_page_names_what_train_writes(tmp_path):
    # docs/training.md, "What a run writes": the files and folders a user looks for
    from pyg_fusion.cli import main
    text = " ".join((README.parent / "docs" / "training.md").read_text().split())
    said = text[text.index("## What a run writes"):text.index("`sweep`'s `--p` is the number")]
    for name in ("`results.json`", "`results.txt`", "`results.png`", "`OUT/<method>/seed<k>/`",
                 "(`logs/version_0/metrics.csv`)", "`last.ckpt`", "`best.ckpt`"):
        assert name in said, name
    out = tmp_path / "out"
    assert main(["train", "--dataset", "digits", "--root", str(tmp_path / "data"), "--method",
                 "graph-mean", "--epochs", "1", "--no-progress", "--out", str(out)]) == 0
    run = out / "graph-mean" / "seed0"
    for path in ("results.json", "results.txt", "results.png"):
        assert (out / path).is_file(), path
    for path in ("logs/version_0/metrics.csv", "checkpoints/last.ckpt", "checkpoints/best.ckpt"):
        assert (run / path).is_file(), path


def test_readme_user_sections_link_their_readers_file_rules():
    # a user who brings their own files reads how they are read (headers, ids,
    # unlabelled rows; the VAD layouts and their resampling) in datasets/README.md,
    # whose headings test_readme_and_docs_links_resolve checks
    text = README.read_text()
    for section, anchor in (("own-tables", "multiviewtables-your-own-multi-view-tables"),
                            ("real-vad", "vadfeatures-video-anomaly-features-in-the-public-layouts"),
                            ("translation", "taskonomyfolder-your-own-translation-pairs")):
        part = text[text.index(f"<!-- section:{section} -->"):text.index(f"<!-- /section:{section} -->")]
        assert f"](datasets/README.md#{anchor})" in part, section
    asym = (README.parent / "docs" / "asymfusion.md").read_text()
    assert "](../datasets/README.md#rgbdsegmentation-your-own-rgb-d-scenes-nyudv2-list-layout)" in asym


def test_training_page_says_resumed_runs_match_from_the_lightning_floor():
    # RandomStates makes a resumed build_trainer run train as the uninterrupted
    # one on every Lightning pyproject admits (test_resume_random_states runs
    # there): the page says so from the floor up, not from 2.5.3
    text = " ".join((README.parent / "docs" / "training.md").read_text().split())
    said = text[text.index("resumed from its checkpoint"):text.index("on a GPU torch's")]
    floor = re.search(r'"lightning>=([\d.]+)"',
                      (README.parent / "pyproject.toml").read_text()).group(1)
    assert re.search(r"checked with ([\d.]+)", said).group(1).startswith(floor)
    assert "2.5.3 or newer" not in said and "differs" not in said
