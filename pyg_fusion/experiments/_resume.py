"""Reusing the finished runs of an interrupted grid (``compare --resume``):
a run is reused only when its record says exactly what this grid would record
for it, so records of two configs never mix."""
from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

from .._files import nan_for_null


def check_records(records: Any, name: str, writer: str = "compare") -> None:
    """Raises a ValueError naming ``name`` unless ``records`` is a list of
    records of :func:`~pyg_fusion.experiments.records.make_records` (each a dict with a metric, and seeds and
    values of one length).

    Args:
        records (Any): what should be records (read from a file).
        name (str): what the error names (the file, the argument).
        writer (str, optional): the command whose records they should be, as
            the error names it. (default: :obj:`"compare"`)
    """
    if not isinstance(records, list) or not all(
            isinstance(r, dict) and isinstance(r.get("metric"), str)
            and isinstance(r.get("seeds"), list) and isinstance(r.get("values"), list)
            and len(r["seeds"]) == len(r["values"]) for r in records):
        raise ValueError(f"{name} must be a list of the records {writer} writes (each with "
                         "a metric, and seeds and values of one length)")


# the keys of a record that hold its numbers; every other key says what ran
_NUMBERS = ("metric", "mean", "std", "seeds", "values")


def _identity(record: dict) -> dict:
    """What ``record`` says ran, but its seeds: those of its numbers, and its
    config's (:func:`~pyg_fusion.experiments.records.make_records` records them
    there too), which are the seeds finished so far in an interrupted grid."""
    out = {k: v for k, v in record.items() if k not in _NUMBERS}
    if isinstance(out.get("config"), dict):
        out["config"] = {k: v for k, v in out["config"].items() if k != "seeds"}
    return out


# a setting a record or this grid lacks (_difference)
_UNSET = object()


@functools.cache
def _defaults() -> dict[str, dict]:
    """Per section of a recorded config (``config.trainer``, ``config.data``,
    ...), the defaults of its fields, as JSON: from the config classes that
    define them (:data:`~pyg_fusion.specs.components.COMPONENTS`,
    :class:`~pyg_fusion.experiments._data_config.DataConfig`)."""
    from ..specs.components import COMPONENTS
    from ._data_config import DataConfig
    return json.loads(json.dumps({
        f"config.{name}": {f.name: f.default for f in dataclasses.fields(cls)
                           if f.default is not dataclasses.MISSING}
        for name, cls in {**COMPONENTS, "data": DataConfig}.items()}))


def _upgraded(earlier: Any, now: Any, path: str = "", defaults: dict | None = None) -> Any:
    """``earlier`` (JSON of what a record says ran) with the settings added
    that it lacks where ``now`` holds them at their default: a record of a
    version before that option ran as its default does, so it is no other
    setting (a saved spec loads so too, ``MethodSpec.from_dict``).
    ``defaults``: per dotted section, its fields' defaults as JSON (default:
    the graph tasks' records', :func:`_defaults`)."""
    if not (isinstance(earlier, dict) and isinstance(now, dict)):
        return earlier
    every = _defaults() if defaults is None else defaults
    out = {k: _upgraded(v, now.get(k), f"{path}{k}.", every) for k, v in earlier.items()}
    defaults = every.get(path.rstrip("."), {})
    # compared as JSON, as the defaults are: a tuple default is its list there
    out.update({k: now[k] for k in sorted(set(now) - set(earlier), key=str)
                if k in defaults and defaults[k] == json.loads(json.dumps(now[k]))})
    return out


def _difference(earlier: Any, now: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first setting (a dotted path) where ``earlier`` and ``now`` (JSON
    of configs) differ, with both values (:data:`_UNSET` where one lacks it);
    :obj:`None` where they agree."""
    if isinstance(earlier, dict) and isinstance(now, dict):
        for k in sorted(set(earlier) | set(now), key=str):
            if k not in earlier or k not in now:
                return (f"{path}{k}", earlier.get(k, _UNSET), now.get(k, _UNSET))
            found = _difference(earlier[k], now[k], f"{path}{k}.")
            if found is not None:
                return found
        return None
    return None if earlier == now else (path.rstrip("."), earlier, now)


# the way out, also where resume: true came from a --config file
_NO_RESUME = "leave out --resume (or pass --no-resume)"


def check_same_settings(earlier: list[dict], identities: dict[str, dict],
                        seeds: list[int]) -> None:
    """Refuses to resume from records of a method of this grid that ran with
    other settings (its dataset, setting or config, the seeds aside): the
    resumed grid would train every run again and replace the finished ones,
    where the user most likely changed a flag by mistake. Another machine or
    library versions are no settings: those runs are trained again. Records
    of a method or seed that this grid does not run are refused too: the
    grid's records would drop those finished runs. A setting the records
    lack (written by a version before its option) ran as its default: it
    differs only where this grid's is another; a setting they hold that this
    version does not know is refused, named.

    Args:
        earlier (list[dict]): the records of an interrupted grid.
        identities (dict[str, dict]): per method, what this grid records for it.
        seeds (list[int]): the grid's seeds.
    """
    for r in earlier:
        if r.get("method") not in identities:
            raise ValueError(f"--resume: the earlier records hold finished runs of "
                             f"{r.get('method')!r}, which this grid does not train (--method "
                             f"{','.join(identities)}): resume with their --method, or "
                             f"{_NO_RESUME} to start a new grid")
        missing = sorted(set(r["seeds"]) - set(seeds), key=str)
        if missing:
            raise ValueError(f"--resume: the earlier records hold finished runs of "
                             f"{r['method']} with seeds {missing}, which this grid does not "
                             f"run (--seeds {','.join(map(str, seeds))}): resume with their "
                             f"--seeds, or {_NO_RESUME} to start a new grid")
    def settings(record: dict) -> dict:
        kept = _identity(record)
        return json.loads(json.dumps({k: kept.get(k) for k in ("dataset", "setting", "config")}))
    for r in earlier:
        method = r.get("method")
        if method not in identities:
            continue
        now = settings(identities[method])
        found = _difference(_upgraded(settings(r), now), now)
        if found is None:
            continue
        key, old, new = found
        section, _, name = key.rpartition(".")
        if new is _UNSET:
            raise ValueError(f"--resume: the finished runs of {method} were trained with "
                             f"{key} {old!r}, a setting this version of pyg_fusion does not "
                             f"know: resume with the version they were trained with, or "
                             f"{_NO_RESUME} to train every run again")
        default = _defaults().get(section, {}).get(name, _UNSET)
        # unset with a default: recorded before the option existed, it ran as its default
        old = (repr(old) if old is not _UNSET else "unset" if default is _UNSET
               else f"unset (recorded before the option: its default {default!r})")
        raise ValueError(f"--resume: the finished runs of {method} were trained with "
                         f"{key} {old}, this grid's is {new!r} (--{name.replace('_', '-')}): "
                         f"resume with the settings they were trained with, or {_NO_RESUME} "
                         f"to train every run again")


def reusable_runs(earlier: list[dict], identities: dict[str, dict],
                   seeds: list[int]) -> dict[str, dict[int, dict[str, float]]]:
    """``{method: {seed: {metric: value}}}`` of the runs of ``earlier`` (records
    of :func:`~pyg_fusion.experiments.run.run_grid`) whose record says exactly what ``identities[method]``
    says (compared as JSON, as the records were written), for the given seeds.
    A method whose matching records repeat a metric is not reused (they would
    be of two runs).

    Args:
        earlier (list[dict]): the records of an interrupted grid
            (``results.partial.json``).
        identities (dict[str, dict]): per method, the keys other than its
            numbers that this grid would record for it.
        seeds (list[int]): the grid's seeds.
    """
    def key(d: dict) -> str:
        return json.dumps(d, sort_keys=True)
    check_records(earlier, "resume")
    wanted = {m: json.loads(key(_identity(i))) for m, i in identities.items()}
    found: dict[str, dict[str, dict]] = {}
    repeated = set()
    for r in earlier:
        method = r.get("method")
        if method in wanted and (key(_upgraded(_identity(r), wanted[method]))
                                 == key(wanted[method])):
            if r["metric"] in found.setdefault(method, {}):
                repeated.add(method)
            found[method][r["metric"]] = r
    out: dict[str, dict[int, dict[str, float]]] = {}
    for method, by_metric in found.items():
        if method in repeated:
            continue
        for seed in seeds:
            if all(seed in r["seeds"] for r in by_metric.values()):
                # null: a NaN or Inf value (a diverged seed's), as write_json writes it
                out.setdefault(method, {})[seed] = {
                    m: nan_for_null(r["values"][r["seeds"].index(seed)])
                    for m, r in by_metric.items()}
    return out
