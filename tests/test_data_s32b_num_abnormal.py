"""DataConfig(vad_num_abnormal=...) given in Python a value of another form
(the flag's text '15,8') is refused naming the field the user set and the
forms it takes, not VADLayout's num_abnormal."""
import pytest

from pyg_fusion.experiments.data import DataConfig, load_data


def _cfg(tmp_path, value):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    for name in ("train.list", "test.list", "gt.npy"):
        (raw / name).touch()
    return DataConfig(dataset="vad", root=str(tmp_path), vad_source=["i3d=f/{name}.npy"],
                      vad_train_list="train.list", vad_test_list="test.list", vad_gt="gt.npy",
                      vad_num_abnormal=value)


@pytest.mark.parametrize("value, hint", [("15,8", "{'train': 15, 'test': 8}"), ("15", ": 15)"),
                                         (-1, None), ({"train": 1, "tst": 2}, None),
                                         (True, None)])
def test_a_bad_vad_num_abnormal_names_the_field_and_its_forms(tmp_path, value, hint):
    with pytest.raises(ValueError, match=r"^vad_num_abnormal must be an int >= 0 .*"
                                         r"\{'train': int, 'test': int\}") as exc:
        load_data(_cfg(tmp_path, value))
    assert repr(value) in str(exc.value)
    if hint:
        assert hint in str(exc.value)


@pytest.mark.parametrize("value", [None, 3, {"train": 15, "test": 8}, {"test": 2}])
def test_the_accepted_forms_pass_the_check(tmp_path, value):
    with pytest.raises(Exception) as exc:  # the empty lists fail further on
        load_data(_cfg(tmp_path, value))
    assert "num_abnormal" not in str(exc.value)
