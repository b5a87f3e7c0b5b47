"""train, compare and sweep shared the default --out runs/out: `pyg-fusion
train` then `pyg-fusion compare` with the defaults wrote into one folder, the
second replacing the first's results.json (and compare's run folders sitting
beside train's checkpoints). Each command's default is now its own folder,
runs/<command>, which its --help says; a given --out is as before."""
from pyg_fusion.cli import build_parser

COMMANDS = ("train", "compare", "sweep")


def test_each_training_command_has_its_own_default_out():
    parser = build_parser()
    outs = {c: parser.parse_args([c]).out for c in COMMANDS}
    assert outs == {"train": "runs/train", "compare": "runs/compare", "sweep": "runs/sweep"}
    commands = parser._subparsers._group_actions[0].choices
    for c, out in outs.items():
        assert f"output folder (default: {out})" in " ".join(commands[c].format_help().split())


def test_a_given_out_is_kept(tmp_path):
    parser = build_parser()
    for c in COMMANDS:
        assert parser.parse_args([c, "--out", str(tmp_path / "o")]).out == str(tmp_path / "o")
