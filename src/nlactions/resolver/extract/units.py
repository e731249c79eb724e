"""Units of measure: the unit written after a number, the units a help text asks for, and conversion."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Unit", "convert", "help_units", "unit_after"]


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: what it measures and its size in the base unit (None when it has no exact size)."""

    name: str
    dimension: str
    factor: float | None


_TABLE: list[tuple[str, str, float | None, str, str]] = [
    # name, dimension, factor, words safe in prose, symbols written after a number
    ("m", "length", 1.0, "meter meters metre metres", "m"),
    ("km", "length", 1e3, "km kms kilometer kilometers kilometre kilometres", "km"),
    ("cm", "length", 1e-2, "cm centimeter centimeters centimetre centimetres", "cm"),
    ("mm", "length", 1e-3, "mm millimeter millimeters millimetre millimetres", "mm"),
    ("mi", "length", 1609.344, "mile miles", "mi"),
    ("ft", "length", 0.3048, "ft foot feet", "ft"),
    ("in", "length", 0.0254, "inch inches", "in"),
    ("yd", "length", 0.9144, "yard yards yd yds", "yd"),
    ("kg", "mass", 1.0, "kg kgs kilogram kilograms kilo kilos", "kg"),
    ("g", "mass", 1e-3, "gram grams", "g gm"),
    ("mg", "mass", 1e-6, "mg milligram milligrams", "mg"),
    ("lb", "mass", 0.45359237, "lb lbs", "lb lbs"),
    ("oz", "mass", 0.028349523125, "oz ounce ounces", "oz"),
    ("s", "time", 1.0, "second seconds sec secs", "s sec"),
    ("ms", "time", 1e-3, "ms millisecond milliseconds", "ms"),
    ("min", "time", 60.0, "minute minutes mins", "min mins"),
    ("h", "time", 3600.0, "hour hours hr hrs", "h hr hrs"),
    ("day", "time", 86400.0, "day days", ""),
    ("week", "time", 604800.0, "week weeks", ""),
    ("month", "time", None, "month months", ""),
    ("year", "time", None, "year years yr yrs", ""),
    ("degC", "temperature", None, "celsius", "°c"),
    ("degF", "temperature", None, "fahrenheit", "°f"),
    ("K", "temperature", None, "kelvin kelvins", "K"),
    ("C", "charge", 1.0, "coulomb coulombs", "C"),
    ("F", "capacitance", 1.0, "farad farads", "F"),
    ("H", "inductance", 1.0, "henry henries henrys", "H"),
    ("V", "voltage", 1.0, "volt volts", "V"),
    ("A", "current", 1.0, "amp amps ampere amperes", "A"),
    ("W", "power", 1.0, "watt watts", "W"),
    ("J", "energy", 1.0, "joule joules", "J"),
    ("N", "force", 1.0, "newton newtons", "N"),
    ("Hz", "frequency", 1.0, "hertz hz", "Hz"),
    ("Pa", "pressure", 1.0, "pascal pascals", "Pa"),
    ("atm", "pressure", 101325.0, "atm atmosphere atmospheres", "atm"),
    ("L", "volume", 1e-3, "liter liters litre litres", "L l"),
    ("mL", "volume", 1e-6, "ml milliliter milliliters millilitre millilitres", "ml mL"),
    ("mph", "speed", 0.44704, "mph", "mph"),
]
UNITS = {name: Unit(name, dim, factor) for name, dim, factor, _, _ in _TABLE}
_WORDS = {w: name for name, _, _, words, _ in _TABLE for w in words.split()}
_SYMBOLS = {s: name for name, _, _, _, symbols in _TABLE for s in symbols.split()}
# SI prefixes on a unit symbol written after a number ("50mH", "100µF", "3kV").
_PREFIXES = {"p": 1e-12, "n": 1e-9, "µ": 1e-6, "μ": 1e-6, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
_PREFIXABLE = frozenset({"F", "H", "V", "A", "W", "J", "N", "Hz", "Pa", "C", "g", "s", "L"})
TOKEN = re.compile(r"[A-Za-z°µμ][A-Za-z°µμ0-9/^·.*-]*")
_PER = re.compile(r"\s+per\s+([A-Za-z]+)")
_DEGREE = frozenset({"degree", "degrees", "deg"})


def _one(token: str, *, symbol: bool) -> Unit | None:
    """A single unit written as a word, or (after a number) as a symbol, possibly with an SI prefix."""
    token = token.strip(".")
    name = _WORDS.get(token.lower()) or (_SYMBOLS.get(token) or _SYMBOLS.get(token.lower()) if symbol else None)
    if name is None and symbol and len(token) >= 2 and token[0] in _PREFIXES and token[1:] in _PREFIXABLE:
        base = UNITS[_SYMBOLS[token[1:]]]
        if base.factor is None:
            return None
        return Unit(token, base.dimension, base.factor * _PREFIXES[token[0]])
    return UNITS[name] if name else None


def _compound(token: str, *, symbol: bool) -> Unit | None:
    """ "m/s", "meters/second^2", "km/h": a unit over a unit (with an optional square)."""
    parts = token.split("/")
    if len(parts) == 1:
        return _one(token, symbol=symbol)
    if len(parts) != 2:
        return None
    top = _one(parts[0], symbol=symbol)
    power = "^2" if parts[1].endswith(("^2", "²")) else ""
    bottom = _one(parts[1].removesuffix("^2").removesuffix("²"), symbol=symbol)
    if top is None or bottom is None:
        return None
    factor = None if top.factor is None or bottom.factor is None else top.factor / bottom.factor ** (2 if power else 1)
    name = f"{top.name}/{bottom.name}{power}"
    return Unit(name, f"{top.dimension}/{bottom.dimension}{power}", factor)


def unit_after(text: str, end: int, attached: str = "") -> Unit | None:
    """The unit written right after a number ending at ``end`` (``attached``: letters glued to it, "kg")."""
    if attached:
        return _compound(attached, symbol=True)
    rest = text[end : end + 40]
    m = TOKEN.match(rest.lstrip(" ")) if rest[:1] == " " else None
    if m is None:
        return None
    token = m.group().rstrip(".,")
    after = rest.lstrip(" ")[m.end() :]
    if token.lower() in _DEGREE:
        nxt = TOKEN.match(after.lstrip(" "))
        return _one(nxt.group().rstrip(".,"), symbol=False) if nxt else None
    per = _PER.match(after)
    if per:
        return _compound(f"{token}/{per.group(1)}", symbol=True)
    return _compound(token, symbol=True)


_HELP_LEAD = re.compile(r"(?:\b(?:in|of|as|into)\s+|\(\s*)$", re.I)
# Words that are units only in a compound ("meters/second") or after a number: "the second body".
_PROSE = frozenset({"second", "minute", "sec", "secs", "mins"})


@lru_cache(maxsize=4096)
def help_units(help_text: str) -> tuple[Unit, ...]:
    """Units a help text asks for: "in kilometers", "(kg)", "in meters/second^2", "number of days"."""
    out: list[Unit] = []
    skip_to = 0
    for m in TOKEN.finditer(help_text):
        if m.start() < skip_to or not _HELP_LEAD.search(help_text[max(0, m.start() - 12) : m.start()]):
            continue
        token = m.group().rstrip(".,")
        rest = help_text[m.end() :]
        if token.lower() in _DEGREE:
            nxt = TOKEN.match(rest.lstrip(" "))
            token = nxt.group().rstrip(".,") if nxt else ""
        per = _PER.match(rest)
        unit = _compound(f"{token}/{per.group(1)}", symbol=False) if per else None
        if unit is not None and per is not None:
            skip_to = m.end() + per.end()
        elif (len(token) >= 2 or "/" in token) and token.lower() not in _PROSE:
            unit = _compound(token, symbol=False)
        if unit is not None and unit not in out:
            out.append(unit)
    return tuple(out)


def convert(value: float, source: Unit, target: Unit) -> float | None:
    """``value`` in ``source`` units expressed in ``target`` units; None across dimensions or inexact units."""
    if source.name == target.name:
        return value
    if source.dimension != target.dimension or source.factor is None or target.factor is None:
        return None
    return float(f"{value * source.factor / target.factor:.12g}")
