"""One grammar for every task: verbs first (the task follows from --dataset,
or --task for the AsymFusion image tasks), the image tasks' flags generated
from their typed configs, and the noun-first commands kept as aliases."""
import argparse
import dataclasses

import pytest

from pyg_fusion.cli import build_parser
from pyg_fusion.cli._runs import route_task
from pyg_fusion.experiments import image_config as ic


def _sub(parser, *names):
    for name in names:
        parser = next(a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


@pytest.mark.parametrize("verb", ["train", "evaluate"])
@pytest.mark.parametrize("task", ["segment", "translate"])
def test_verb_first_is_the_noun_first_command(verb, task):
    argv = [verb, "--out", "o", "--task", task, "--epochs", "2"]
    assert route_task(argv) == [task, verb, "--out", "o", "--epochs", "2"]
    assert route_task([verb, f"--task={task}", "--out", "o"]) == [task, verb, "--out", "o"]
    parser = build_parser()
    extra = ["--checkpoint", "c.ckpt"] if verb == "evaluate" else []
    a = parser.parse_args(route_task([verb, "--task", task, "--out", "o", *extra]))
    b = parser.parse_args([task, verb, "--out", "o", *extra])
    assert vars(a) == vars(b)


def test_graph_commands_are_not_routed():
    for argv in (["train", "--dataset", "digits"], ["compare", "--task", "segment"],
                 ["train", "--task", "bogus"], ["segment", "train", "--out", "o"]):
        assert route_task(argv) == argv


CONFIGS = {("segment", "train"): (ic.SegmentDataConfig, ic.SegmentModelConfig,
                                  ic.SegmentTrainConfig),
           ("segment", "evaluate"): (ic.SegmentDataConfig,),
           ("translate", "train"): (ic.TranslateDataConfig, ic.TranslateTrainDataConfig,
                                    ic.TranslateModelConfig),
           ("translate", "evaluate"): (ic.TranslateDataConfig, ic.TranslateEvalConfig)}


@pytest.mark.parametrize("names", list(CONFIGS))
def test_every_image_config_field_is_a_flag(names):
    parser = _sub(build_parser(), *names)
    actions = {a.dest: a for a in parser._actions}
    for cls in CONFIGS[names]:
        for f in dataclasses.fields(cls):
            a = actions[f.name]
            assert a.option_strings[0] == "--" + f.name.replace("_", "-")
            assert a.help.startswith(f.metadata["help"])
            if "choices" in f.metadata:
                assert tuple(a.choices) == tuple(f.metadata["choices"])
            if names != ("translate", "evaluate") or f.name != "modalities":
                assert a.default == f.default


def test_image_flags_check_their_values(capsys):
    parser = build_parser()
    ok = parser.parse_args(["segment", "train", "--out", "o", "--layers", "3,4,6,3",
                            "--depth", "50", "--light"])
    assert ok.layers == (3, 4, 6, 3) and ok.depth == 50 and ok.light
    for bad in (["--layers", "1,2"], ["--depth", "17"], ["--dropout", "1.5"]):
        with pytest.raises(SystemExit) as exc:
            parser.parse_args(["segment", "train", "--out", "o", *bad])
        assert exc.value.code == 2
        assert bad[0] in capsys.readouterr().err
