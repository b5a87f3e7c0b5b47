"""Every public class and function of ``pyg_fusion.nn`` and
``pyg_fusion.functional`` documents each argument as PyG does:
``name (type, optional): ... (default: ...)``."""
import inspect
import re

import pytest

import pyg_fusion.functional as F
import pyg_fusion.nn as N


def _public(mod):
    for name in sorted(dir(mod)):
        obj = getattr(mod, name)
        if (not name.startswith("_") and callable(obj) and not inspect.ismodule(obj)
                and getattr(obj, "__module__", "").startswith("pyg_fusion")):
            yield f"{mod.__name__}.{name}", obj


def _args_entries(doc: str) -> dict[str, str]:
    """name -> (its parenthesis, its text) of the Args section."""
    lines = doc.split("\n")
    start = lines.index("Args:")
    entries, cur = {}, None
    for line in lines[start + 1:]:
        if line and not line.startswith("    "):
            break
        m = re.match(r"^    (\**\w+) \(([^)]*)\):(.*)$", line)
        if m:
            cur = m.group(1).lstrip("*")
            entries[cur] = [m.group(2), m.group(3)]
        elif cur is not None and line.startswith("        "):
            entries[cur][1] += " " + line.strip()
    return entries


@pytest.mark.parametrize("name,obj", [*_public(N), *_public(F)], ids=lambda v: str(v)[:40])
def test_args_are_documented_with_type_and_default(name, obj):
    fn = obj.__init__ if inspect.isclass(obj) else obj
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if not params:
        return
    doc = inspect.getdoc(obj) or ""
    assert "Args:" in doc.split("\n"), f"{name} has no Args section"
    entries = _args_entries(doc)
    for p in params:
        assert p.name in entries, f"{name}: no Args entry '{p.name} (type): ...'"
        kind, text = entries[p.name]
        if p.default is not p.empty:
            assert "optional" in kind and "(default:" in text, (
                f"{name}: {p.name} has a default, so '(type, optional)' and '(default: ...)'")
