"""A VAD list's label column of -1 / 1 with a normal_pattern naming its
normal value: 8d9054d refused every -1 column ('write the column as 0 / 1'),
even where the user had said which value is normal."""
import pytest

# the list's videos (half of them Normal) read with these labels (a list)
from test_datasets_s35_vad_label_ids import _read


@pytest.mark.parametrize("normal,abnormal", [("1", "-1"), ("-1", "1")])
def test_a_minus_one_column_reads_with_its_normal_value_named(tmp_path, normal, abnormal):
    pattern = f"^{normal}$"
    assert _read(tmp_path, normal, abnormal, normal_pattern=pattern) == [1, 0, 1, 0]


def test_without_a_named_value_the_refusal_says_how_to_name_it(tmp_path):
    with pytest.raises(ValueError, match=r"holds -1 beside \['1'\]: .* write the column as 0 "
                       r"\(normal\) / 1 \(abnormal\), or name the normal value with "
                       r"normal_pattern='\^1\$' or '\^-1\$' \(pyg-fusion: "
                       r"--vad-normal-pattern\)"):
        _read(tmp_path, "1", "-1")
