"""--print-config printed configs that their run refuses: a
--vad-normal-pattern that is no regular expression (the run said
'normal_pattern '(' is not ...' once the data loaded, naming no flag), a
synthetic scene --size under 16 and a missing --pretrained file (the run
found these after generating its scenes, the first naming 'size'). Each is
one line naming the flag, exit 2, from --print-config and the run alike,
before any work."""
import pytest

from pyg_fusion.cli import main


def _run(argv):
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own errors (a flag's type)
        return exc.code


@pytest.mark.parametrize("flags, message", [
    (["train", "--dataset", "vad", "--vad-source", "rgb=f/{name}.npy",
      "--vad-normal-pattern", "("],
     "argument --vad-normal-pattern: expected a regular expression, got '(' (missing ), "
     "unterminated subpattern at position 0)"),
    (["segment", "train", "--size", "8"],
     "--size must be >= 16 (pixels of the synthetic scenes' side), got 8"),
    (["segment", "train", "--pretrained", "{tmp}/missing.pth"],
     "--pretrained: no such file: {tmp}/missing.pth"),
])
def test_print_config_refuses_what_the_run_refuses(tmp_path, capsys, flags, message):
    flags = [f.replace("{tmp}", str(tmp_path)) for f in flags]
    message = message.replace("{tmp}", str(tmp_path))
    prog = "pyg-fusion " + " ".join(flags[:2] if flags[0] == "segment" else flags[:1])
    for extra in (["--print-config"], ["--out", str(tmp_path / "out"), "--epochs", "1"]):
        root = ["--root", str(tmp_path)] if flags[0] == "train" else []
        assert _run([*flags, *root, *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"{prog}: error: {message}"), err
        assert len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()
