"""Every ``pyg-fusion`` command and benchmark or figure script that README or
a docs page shows takes its flags as written, and the flags that their prose
names are flags of the commands it names them for."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
# README and the pages it links for what moved out of it (studies, details):
# their commands are what a user copies as much as README's
PAGES = [README, *sorted((README.parent / "docs").rglob("*.md"))]


def _where(page: Path, text: str, start: int) -> str:
    return f"{page.relative_to(README.parent)}:{text.count(chr(10), 0, start) + 1}"


def _commands() -> list[tuple[str, str]]:
    """Every ``pyg-fusion`` command of README and the docs pages: the lines of
    their ```bash blocks (continuation lines joined, comments cut) and their
    inline code spans that give a flag. A placeholder of a span (``<flags>``,
    ``<0.3|0.1>``) stands for a value the parser takes (:data:`PLACEHOLDERS`,
    else the first choice), ``...`` for nothing."""
    out = []
    pattern = r"^```bash\n(.*?)^```|`((?:OMP_NUM_THREADS=1\s+)?pyg-fusion\s[^`]*--[^`]+)`"
    for page in PAGES:
        text = page.read_text()
        for m in re.finditer(pattern, text, flags=re.S | re.M):
            line = _where(page, text, m.start())
            if m.group(2) is not None:
                lines = [_filled(" ".join(m.group(2).split()), line)]
            else:
                lines = m.group(1).replace("\\\n", " ").splitlines()
            for cmd in lines:
                for part in cmd.split(" #", 1)[0].split("&&"):
                    part = part.strip().removeprefix("OMP_NUM_THREADS=1 ")
                    if part.startswith("pyg-fusion "):
                        out.append((line, part))
    return out


# what the placeholders of README's inline commands stand for
PLACEHOLDERS = {"<benchmark flags>": "--dataset synthetic-vad",
                "<flags>": "--dataset synthetic-vad",
                "<benchmark>": "--dataset synthetic-vad",
                "<option>": ""}


def _filled(cmd: str, line: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        cmd = cmd.replace(placeholder, value)
    cmd = re.sub(r"<([^<>|\s]+)\|[^<>]*>", r"\1", cmd)  # <0.3|0.1>: its first value
    assert "<" not in cmd, f"{line}: a placeholder PLACEHOLDERS lacks: {cmd}"
    cmd = " ".join(cmd.replace("...", " ").split())
    if cmd.split()[1:2] == ["evaluate"] and "--checkpoint" not in cmd:
        cmd += " --checkpoint c.ckpt"  # elided: every evaluate reads one
    return cmd


def test_readme_commands_take_their_flags(tmp_path, monkeypatch):
    """Each command parses as written; one that has --print-config also passes
    the checks of its config (flags of its dataset and methods, a --config
    file: the one the command before it writes with ``> FILE``)."""
    import contextlib
    import io
    import shlex
    from pyg_fusion.cli import build_parser, main
    monkeypatch.chdir(tmp_path)
    commands = _commands()
    assert len(commands) >= 30
    failed = []
    for line, cmd in commands:  # in order: a config file is written before it is read
        argv, redirect = shlex.split(cmd)[1:], None
        if ">" in argv:
            argv, redirect = argv[:argv.index(">")], argv[argv.index(">") + 1]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                if ("--checkpoint" in argv or argv[0] in ("demo", "plot")
                        or any(a.startswith("/path/to/") for a in argv)):
                    # these read their inputs first (a user's folder, /path/to/...,
                    # is looked for by --print-config too): the flags are what can be checked
                    rc = 2 if build_parser().parse_known_args(argv)[1] else 0
                else:
                    rc = main(argv + ["--print-config"] * ("--print-config" not in argv))
            except SystemExit as exc:
                rc = exc.code
        if redirect:
            Path(redirect).write_text(out.getvalue())
        # an abbreviated flag fails here too: no parser of the CLI takes one
        # (test_cli_no_abbreviations.test_every_parser_of_the_cli_refuses_abbreviations)
        if rc != 0:
            failed.append(f"{line}: {cmd}: {err.getvalue().strip()}")
    assert failed == []


def test_readme_evaluate_override_flags_exist():
    # the flags that docs/asymfusion.md (linked from README's segmentation
    # section) says both image evaluate commands take (a flag of one of them is
    # named as its own)
    from pyg_fusion.cli import build_parser
    text = " ".join((README.parent / "docs" / "asymfusion.md").read_text().split())
    start = text.index("A data flag given to evaluate overrides the recorded value:")
    sentence = text[start:text.index(". ", start)]
    both, _, own = sentence.partition("`translate evaluate`'s")
    parser = build_parser()

    def takes(command, flag):
        try:
            return parser.parse_known_args([*command, "--checkpoint", "c.ckpt", flag, "1"])[1] == []
        except SystemExit:  # a choice flag given "1": it exists
            return True

    for flag in re.findall(r"`(--[a-z-]+)`", both):
        assert takes(["segment", "evaluate"], flag), flag
        assert takes(["translate", "evaluate"], flag), flag
    assert re.findall(r"`(--[a-z-]+)`", own) == ["--seed"]
    assert takes(["translate", "evaluate"], "--seed")
    assert not takes(["segment", "evaluate"], "--seed")


def test_readme_tables_section_names_flags_of_tables():
    # "the split is per class, seeded by --data-seed": --data-seed is the
    # generated VAD streams' seed, and --dataset tables refuses it
    import dataclasses
    from pyg_fusion.experiments.data import DataConfig
    text = README.read_text()
    section = text[text.index("<!-- section:own-tables -->"):
                   text.index("<!-- /section:own-tables -->")]
    applies = {"--" + f.name.replace("_", "-"): f.metadata.get("datasets")
               for f in dataclasses.fields(DataConfig)}
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", section)) & set(applies)
    # named to say what tables does instead (its views are z-scored over all rows)
    assert "the `--standardize` flag is VAD's (statistics of the training split): here it " \
        "only states what every run does" in " ".join(section.split())
    named.discard("--standardize")
    assert {"--views", "--labels", "--label-rate"} <= named
    assert [f for f in sorted(named) if applies[f] is not None and "tables" not in applies[f]] == []


def _script_commands() -> list[tuple[str, str]]:
    """Every ``python benchmarks/X.py`` / ``python visualize/X.py`` command of
    README and the docs pages (fenced blocks and inline spans, continuation
    lines joined, comments cut); a placeholder (``N``, ``<folder>``) stands
    for a value."""
    out = []
    for page in PAGES:
        text = page.read_text()
        spans = [(m.start(), m.group(1).replace("\\\n", " ").splitlines())
                 for m in re.finditer(r"^```\w*\n(.*?)^```", text, flags=re.S | re.M)]
        spans += [(m.start(), [m.group(1)]) for m in
                  re.finditer(r"`(python (?:benchmarks|visualize)/[^`]*)`", text)]
        for start, lines in spans:
            for cmd in lines:
                cmd = " ".join(cmd.split(" #", 1)[0].split())
                if re.match(r"python (benchmarks|visualize)/\w+\.py", cmd):
                    cmd = re.sub(r"(?<= )N(?= |$)", "1024", cmd).replace("<folder>", "data")
                    out.append((_where(page, text, start), cmd))
    return out


def test_readme_script_commands_take_their_flags(monkeypatch, tmp_path):
    """Each benchmark / figure script that README shows parses its command
    line as written (the run itself is stopped once its arguments parse)."""
    import argparse
    import contextlib
    import io
    import runpy
    import shlex
    import sys

    class Parsed(Exception):
        pass

    parse_args = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        raise Parsed(parse_args(self, args, namespace))

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    monkeypatch.chdir(tmp_path)
    commands = _script_commands()
    assert len(commands) >= 20
    failed = []
    for line, cmd in commands:
        argv = shlex.split(cmd)[1:]
        script = README.parent / argv[0]
        monkeypatch.syspath_prepend(str(script.parent))
        monkeypatch.setattr(sys, "argv", [str(script), *argv[1:]])
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                runpy.run_path(str(script), run_name="__main__")
            failed.append(f"{line}: {cmd}: ran without parsing its arguments")
        except Parsed:
            pass
        except SystemExit:
            failed.append(f"{line}: {cmd}: {err.getvalue().strip().splitlines()[-1:]}")
    assert failed == []
