"""Method options, seeds and specs given in Python as numpy's scalars: taken
as the plain values they stand for (checked as those), and recorded plain,
so that the run's checkpoint loads with ``weights_only=True`` and
``pyg-fusion evaluate`` reads it back."""
import contextlib
import io
import json

import numpy as np
import pytest
import torch

from pyg_fusion._files import _finite
from pyg_fusion.cli import main
from pyg_fusion.experiments.data import DataConfig, load_data
from pyg_fusion.experiments.run import run_grid, run_method
from pyg_fusion.methods import Dims, build_spec
from pyg_fusion.specs import HeadConfig, MethodSpec, check_options

from test_checkpoint_fingerprint import _tables


def _data(tmp):
    _tables(tmp / "t")
    return DataConfig("tables", str(tmp / "data"), views=[str(tmp / "t" / "a.csv"),
                                                          str(tmp / "t" / "b.npy")],
                      labels=str(tmp / "t" / "y.csv"), label_rate=1, val_rate=0.25,
                      test_rate=0.25)


def _plain(value):
    """Whether ``value`` holds only Python's own types."""
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(map(_plain, value))
    return value is None or type(value) in (bool, int, float, str)


def test_numpy_options_train_and_the_checkpoint_evaluates(tmp_path):
    # before: Lightning's 'assert isinstance(self.max_epochs, int)' (epochs), and
    # with numpy's k, lr or seed the checkpoint was unreadable with weights_only=True
    td = load_data(_data(tmp_path))
    options = {"epochs": np.int64(1), "k": np.int64(3), "lr": np.float64(0.01),
               "operator": np.str_("pairwise")}
    r, _ = run_method(td, "lego", np.int64(0), tmp_path / "run", progress=False,
                      options=options)
    ckpt = tmp_path / "run" / "checkpoints" / "best.ckpt"
    config = torch.load(ckpt, weights_only=True)["hyper_parameters"]["config"]
    assert config["options"] == {"epochs": 1, "k": 3, "lr": 0.01, "operator": "pairwise"}
    assert _plain(config["options"]) and _plain(config["spec"]) and type(config["seed"]) is int
    assert config["spec"]["trainer"]["epochs"] == 1 and config["spec"]["graph"]["k"] == 3
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["evaluate", "--checkpoint", str(ckpt), "--threads", "1", "--no-progress",
                     "--out", str(tmp_path / "eval")])
    assert code == 0, err.getvalue()
    records = json.loads((tmp_path / "eval" / "results.json").read_text())
    assert next(x["values"][0] for x in records if x["metric"] == "accuracy") == r["accuracy"]


def test_a_grid_of_numpy_seeds_and_options_records_plain_json(tmp_path):
    # before: the run trained, then results.partial.json failed 'Object of type
    # int64 is not JSON serializable' and the grid lost its records; devices of
    # numpy failed in Lightning ('The truth value of an empty array is ambiguous')
    records = run_grid(_data(tmp_path), "lego", [np.int64(0)], out=tmp_path / "g",
                       options={"epochs": np.int64(1), "k": np.int64(3)}, progress=False,
                       devices=np.int64(1))
    saved = json.loads((tmp_path / "g" / "results.partial.json").read_text())
    # (one seed's std is NaN, written as null)
    assert saved == _finite(records) and records[0]["seeds"] == [0]
    assert records[0]["devices"] == 1
    assert records[0]["config"]["trainer"]["epochs"] == 1 and _plain(records[0]["config"])


@pytest.mark.parametrize("name, value, plain", [
    ("epochs", np.int32(2), 2), ("lr", np.float32(0.5), 0.5), ("center", np.bool_(True), True),
    ("operator_warmup", np.str_("auto"), "auto"), ("num_powers", {np.str_("a"): np.int64(2)},
                                                   {"a": 2})])
def test_numpy_scalars_are_taken_as_python_values(name, value, plain):
    given = check_options("vad", {name: value})
    assert given == {name: plain} and _plain(given)
    spec = MethodSpec.create(np.str_("lego"), "vad", {name: value})
    assert spec.options()[name] == plain and _plain(spec.to_dict())


@pytest.mark.parametrize("value, got", [
    (1.5, "1.5"), (np.float64(2.0), "2.0"), (np.bool_(True), "True"),
    (torch.tensor(2), r"tensor\(2\)"), (np.array([2]), r"array\(\[2\]\)")])
def test_values_that_are_no_int_are_still_refused_naming_the_option(value, got):
    with pytest.raises(ValueError, match=rf"^epochs must be an int >= 1, got {got}$"):
        check_options("node", {"epochs": value})


def test_a_spec_built_in_python_holds_plain_values(tmp_path):
    # before: build_spec failed in PyG's GraphConv, 'IndexError: invalid index
    # to scalar variable.', naming nothing
    head = HeadConfig(hidden_channels=np.int64(8))
    spec = MethodSpec(np.str_("lego"), "node", head=head)
    assert type(spec.head.hidden_channels) is int and type(spec.method) is str
    assert type(head.hidden_channels) is np.int64  # the caller's config left as given
    build_spec(spec, Dims({"a": 3, "b": 2}, 3, num_nodes=12))
    with pytest.raises(TypeError, match=r"^MethodSpec's graph must be a GraphConfig, got dict"):
        MethodSpec("lego", "node", graph={"k": 3})


def test_dims_of_numpy_ints_build_the_model():
    # before: lego's VAD model failed in PyG's GraphConv, 'IndexError: invalid
    # index to scalar variable.' (a width of numpy's int taken for a pair)
    dims = Dims({"a": np.int64(3), np.str_("b"): np.int64(2)}, None, np.int64(8))
    for method in ("lego", "lego-cp", "lego-row", "graph-mean"):
        build_spec(MethodSpec.create(method, "vad"), dims)
    with pytest.raises(TypeError, match=r"^in_channels must be a dict \{source: width\}"):
        build_spec(MethodSpec.create("lego", "vad"), Dims([3, 2], None, 8))


@pytest.mark.parametrize("value", [np.array(["union"]), np.array("union"),
                                   np.array(["union", "shared"])])
def test_an_array_is_no_choice(value):
    # before: the first two were taken (`in` compares entry-wise: truthy) and
    # recorded as arrays, which a checkpoint read with weights_only=True cannot
    # hold; the third failed 'The truth value of an array ... is ambiguous'
    with pytest.raises(ValueError, match=r"^support must be one of \['union', 'intersection', "
                                         r"'shared'\], got array\("):
        check_options("node", {"support": value})


def test_plain_gives_pythons_own_containers():
    # before: a named tuple failed in plain ('P.__new__() missing 1 required
    # positional argument'), and a list or dict subclass was kept: a class
    # that a checkpoint read with weights_only=True cannot hold
    from collections import OrderedDict, namedtuple

    from pyg_fusion.specs.options import plain

    class Views(list):
        pass
    out = plain({"p": namedtuple("P", "a b")(np.int64(1), 2), "v": Views([np.str_("a")]),
                 "d": OrderedDict(k=np.float64(0.5))})
    assert out == {"p": (1, 2), "v": ["a"], "d": {"k": 0.5}}
    assert [type(v) for v in out.values()] == [tuple, list, dict] and _plain(out)


@pytest.mark.parametrize("value", [np.array(["auto"]), np.array([1, 2])])
def test_an_array_is_no_auto_warmup(value):
    # before: np.array(['auto']) was taken ('v == "auto"' entry-wise: truthy) and
    # recorded as an array; np.array([1, 2]) failed 'The truth value of an array
    # with more than one element is ambiguous', naming no option
    with pytest.raises(ValueError, match=r"^operator_warmup must be an int >= 0 or 'auto', "
                                         r"got array\("):
        check_options("vad", {"operator_warmup": value})


def test_options_not_given_as_a_dict_are_named(tmp_path):
    # before: run_method and run_grid said 'dictionary update sequence element #0
    # has length 1; 2 is required', check_options "'str' object has no attribute 'items'"
    message = r"^options must be a dict \{option name: value\} \(e\.g\. \{'epochs': 1\}\), got str"
    with pytest.raises(TypeError, match=message):
        check_options("node", "epochs=1")
    with pytest.raises(TypeError, match=message):
        run_grid(DataConfig("digits", str(tmp_path / "data")), "lego", [0], out=tmp_path / "g",
                 options="epochs=1")
    with pytest.raises(TypeError, match=message):
        MethodSpec.create("lego", "node", "epochs=1")


def test_seeds_given_as_text_say_so(tmp_path):
    # before: '0,1' was taken letter by letter: 'seed must be an int in [0, 2**32)
    # (numpy's seeds), got '0'', naming no string
    with pytest.raises(TypeError, match=r"^seeds must be a list of ints \(e\.g\. \[0, 1, 2\]\), "
                                        r"got the str '0,1'$"):
        run_grid(DataConfig("digits", str(tmp_path / "data")), "lego", "0,1",
                 out=tmp_path / "g")
