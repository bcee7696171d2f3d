"""Conversion of jammy_flows' ``options_overwrite`` dict into the library's JSON form."""

import json
import numbers


def _key(key):
    """Map one options_overwrite key to its JSON string: "g", "1" or "1,0"."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        raise ValueError(f"options_overwrite: key {key!r} must be a letter, an int or an (int, int) tuple")
    if isinstance(key, numbers.Integral):
        return str(int(key))
    if isinstance(key, tuple) and len(key) == 2 and all(
        isinstance(k, numbers.Integral) and not isinstance(k, bool) for k in key
    ):
        return f"{int(key[0])},{int(key[1])}"
    raise ValueError(f"options_overwrite: key {key!r} must be a letter, an int or an (int, int) tuple")


def _value(v, where):
    """Convert an option value to a JSON-compatible value (numpy scalars included)."""
    if isinstance(v, dict):
        out = {}
        for k, sub in v.items():
            if not isinstance(k, str):
                raise ValueError(f"options_overwrite{where}: key {k!r} must be a string")
            out[k] = _value(sub, f"{where}[{k!r}]")
        return out
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        return float(v)
    if hasattr(v, "item") and getattr(v, "shape", None) == ():
        return _value(v.item(), where)
    raise ValueError(f"options_overwrite{where}: value {v!r} must be a number, a bool or a string")


def options_to_json(options):
    """Serialize ``options_overwrite`` for the library.

    Letter keys stay as they are (``"g"``), int keys become ``"1"`` and tuple keys ``(i, j)``
    become ``"i,j"``; Python bools become JSON ``true``/``false``.
    """
    if options is None:
        return "{}"
    if not isinstance(options, dict):
        raise ValueError(f"options_overwrite must be a dict, got {type(options).__name__}")
    out = {}
    for k, v in options.items():
        key = _key(k)
        if key in out:
            raise ValueError(f"options_overwrite: key {k!r} given twice")
        if not isinstance(v, dict):
            raise ValueError(f"options_overwrite[{k!r}] must be a dict, got {type(v).__name__}")
        out[key] = _value(v, f"[{k!r}]")
    try:
        return json.dumps(out, allow_nan=False)
    except ValueError as e:
        raise ValueError(f"options_overwrite: {e} (NaN and infinity are not valid option values)") from None
