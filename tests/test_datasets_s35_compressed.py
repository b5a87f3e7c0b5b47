"""Compressed tables other than .gz (pandas' to_csv compresses by the name's
ending: .zip, .bz2, .xz, .zst) were 'not UTF-8 text: byte ... at offset
...', which did not say what the file is; gzip data in a file not named
.gz was refused alike."""
import bz2
import gzip
import lzma
import zipfile

import pytest

from pyg_fusion.datasets._io import read_table
from pyg_fusion.datasets._vad_lists import list_rows

TEXT = b"a,b\n1,2\n3,4\n"


def _zip(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.csv", TEXT)


@pytest.mark.parametrize("name,write,kind,how", [
    ("x.csv.bz2", lambda p: p.write_bytes(bz2.compress(TEXT)), "bzip2-compressed", "bunzip2"),
    ("x.csv.xz", lambda p: p.write_bytes(lzma.compress(TEXT)), "xz-compressed", "unxz"),
    ("x.csv.zip", _zip, "a zip archive", "unzip"),
])
def test_other_compressions_are_named(tmp_path, name, write, kind, how):
    path = tmp_path / name
    write(path)
    with pytest.raises(ValueError, match=rf"table: .*{name} is {kind}, which is not read: "
                                         rf"{how} it, or save it as text compressed with gzip"):
        read_table(str(path))


def test_gzip_data_without_its_ending_is_read(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(gzip.compress(TEXT))
    assert read_table(str(path)).values.tolist() == [[1, 2], [3, 4]]
    lst = tmp_path / "train.list"
    lst.write_bytes(gzip.compress(b"i3d/a.npy,1\ni3d/b.npy,0\n"))
    assert list_rows(str(lst)) == [["i3d/a.npy", "1"], ["i3d/b.npy", "0"]]


def test_a_header_that_begins_like_a_mark_is_text(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("BZh,PK\n1,2\n")
    assert read_table(str(path)).header == ["BZh", "PK"]
