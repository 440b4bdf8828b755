"""XML-3 (SECURITY-PLAN; ASVS v5.0.0-2.2.1): validate a CTF against the project's schema for the CTF subset.

The schema is ``cme-ctf-subset.xsd`` beside this file: the PROJECT'S OWN schema for what this system reads and
writes, not the DfE CTF XSD (which was not available offline). No XSD engine is installed (neither lxml nor
xmlschema is in the locked dependencies), so this module reads that XSD file and enforces the small set of XSD
1.1 constructs it uses:

* global ``xs:element`` with a named type; named ``xs:complexType`` holding one ``xs:sequence`` (elements in
  order) or one ``xs:all`` (any order) of ``xs:element name/type/minOccurs/maxOccurs`` and at most one
  ``xs:any processContents="skip"`` (unknown elements allowed and not looked into);
* named ``xs:simpleType``: ``xs:restriction`` of xs:string, xs:token, xs:date, xs:dateTime, xs:boolean or
  xs:nonNegativeInteger with ``xs:pattern``, ``xs:enumeration``, ``xs:minLength``, ``xs:maxLength``; or
  ``xs:union`` of built-in types; ``xs:annotation/xs:documentation`` gives the wording of the problem.
Anything else in the schema file raises ``SchemaError`` when it is loaded, so the file cannot promise a check that
is not made. Elements may carry no attributes except ``xsi:*``. Pure Python; the XSD is parsed with defusedxml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # noqa: TID251 - type only; parsing is defusedxml

__all__ = ["SCHEMA_PATH", "SchemaError", "validate_ctf"]

SCHEMA_PATH = Path(__file__).with_name("cme-ctf-subset.xsd")
XS = "{http://www.w3.org/2001/XMLSchema}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
MAX_PROBLEMS = 20

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_WS = re.compile(r"[ \t\n\r]+")


class SchemaError(ValueError):
    """The schema file uses an XSD construct this module does not enforce."""


def _is_date(text: str) -> bool:
    match = _DATE.fullmatch(text)
    if not match:
        return False
    try:
        dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def _is_datetime(text: str) -> bool:
    match = _DATETIME.fullmatch(text)
    if not match:
        return False
    try:
        dt.datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]), int(match[5]), int(match[6]))
    except ValueError:
        return False
    return True


def _any_text(text: str) -> bool:
    return True


def _is_boolean(text: str) -> bool:
    return text in ("true", "false", "1", "0")


def _is_count(text: str) -> bool:
    return re.fullmatch(r"\+?[0-9]+", text) is not None


#: Built-in types: (whitespace collapsed?, lexical check).
_BUILTINS: dict[str, tuple[bool, Callable[[str], bool]]] = {
    "string": (False, _any_text),
    "token": (True, _any_text),
    "date": (True, _is_date),
    "dateTime": (True, _is_datetime),
    "boolean": (True, _is_boolean),
    "nonNegativeInteger": (True, _is_count),
}


@dataclass(frozen=True)
class SimpleType:
    description: str
    bases: tuple[str, ...]  # one built-in, or the members of a union (any may match)
    patterns: tuple[re.Pattern[str], ...] = ()
    enumeration: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None

    def accepts(self, raw: str) -> bool:
        for base in self.bases:
            collapse, lexical = _BUILTINS[base]
            text = _WS.sub(" ", raw).strip() if collapse else raw
            if not lexical(text):
                continue
            if self.patterns and not any(p.fullmatch(text) for p in self.patterns):
                continue
            if self.enumeration and text not in self.enumeration:
                continue
            if self.min_length is not None and len(text) < self.min_length:
                continue
            if self.max_length is not None and len(text) > self.max_length:
                continue
            return True
        return False


@dataclass(frozen=True)
class Particle:
    name: str
    type_name: str
    min_occurs: int
    max_occurs: int | None  # None: unbounded


@dataclass(frozen=True)
class ComplexType:
    group: str  # "sequence" or "all"
    particles: tuple[Particle, ...]
    open: bool  # an xs:any processContents="skip" is present


@dataclass(frozen=True)
class Schema:
    roots: dict[str, str]
    complex_types: dict[str, ComplexType]
    simple_types: dict[str, SimpleType]


def _builtin(name: str) -> str:
    if not name.startswith("xs:") or name[3:] not in _BUILTINS:
        raise SchemaError(f"unsupported type {name!r}")
    return name[3:]


def _only(element: Element, allowed: set[str], where: str) -> None:
    for attribute in element.attrib:
        if attribute not in allowed:
            raise SchemaError(f"unsupported attribute {attribute!r} on {where}")


def _documentation(element: Element) -> str:
    text = element.findtext(f"{XS}annotation/{XS}documentation")
    return " ".join((text or "").split())


def _simple(element: Element) -> SimpleType:
    name = element.get("name", "?")
    description = _documentation(element) or name
    body = [c for c in element if c.tag != f"{XS}annotation"]
    if len(body) != 1:
        raise SchemaError(f"simpleType {name}: one restriction or union expected")
    (rule,) = body
    if rule.tag == f"{XS}union":
        _only(rule, {"memberTypes"}, f"union in {name}")
        if len(rule):
            raise SchemaError(f"simpleType {name}: a union lists built-in memberTypes only")
        return SimpleType(description, tuple(_builtin(m) for m in rule.get("memberTypes", "").split()))
    if rule.tag != f"{XS}restriction":
        raise SchemaError(f"simpleType {name}: unsupported {rule.tag}")
    _only(rule, {"base"}, f"restriction in {name}")
    patterns: list[re.Pattern[str]] = []
    enumeration: list[str] = []
    lengths: dict[str, int] = {}
    for facet in rule:
        kind = facet.tag.removeprefix(XS)
        _only(facet, {"value"}, f"{kind} in {name}")
        value = facet.get("value", "")
        if kind == "pattern":
            patterns.append(re.compile(value))
        elif kind == "enumeration":
            enumeration.append(value)
        elif kind in ("minLength", "maxLength"):
            lengths[kind] = int(value)
        else:
            raise SchemaError(f"simpleType {name}: unsupported facet {kind}")
    return SimpleType(description, (_builtin(rule.get("base", "")),), tuple(patterns), tuple(enumeration),
                      lengths.get("minLength"), lengths.get("maxLength"))


def _occurs(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    return None if value == "unbounded" else int(value)


def _complex(element: Element) -> ComplexType:
    name = element.get("name", "?")
    _only(element, {"name"}, f"complexType {name}")
    body = [c for c in element if c.tag != f"{XS}annotation"]
    if len(body) != 1 or body[0].tag not in (f"{XS}sequence", f"{XS}all"):
        raise SchemaError(f"complexType {name}: one xs:sequence or xs:all expected")
    group = body[0]
    _only(group, set(), f"group in {name}")
    particles: list[Particle] = []
    is_open = False
    for item in group:
        if item.tag == f"{XS}element":
            _only(item, {"name", "type", "minOccurs", "maxOccurs"}, f"element in {name}")
            if len(item) or not item.get("type"):
                raise SchemaError(f"complexType {name}: elements need a named type (no inline types)")
            particles.append(Particle(item.get("name", ""), item.get("type", ""),
                                      _occurs(item.get("minOccurs"), 1) or 0, _occurs(item.get("maxOccurs"), 1)))
        elif item.tag == f"{XS}any" and group.tag == f"{XS}all":
            _only(item, {"processContents", "minOccurs", "maxOccurs"}, f"any in {name}")
            if item.get("processContents") != "skip" or is_open:
                raise SchemaError(f"complexType {name}: only one xs:any processContents='skip'")
            is_open = True
        else:
            raise SchemaError(f"complexType {name}: unsupported {item.tag}")
    return ComplexType(group.tag.removeprefix(XS), tuple(particles), is_open)


@cache
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    root = SafeET.fromstring(path.read_bytes(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    if root.tag != f"{XS}schema":
        raise SchemaError("not an XML Schema")
    roots: dict[str, str] = {}
    complex_types: dict[str, ComplexType] = {}
    simple_types: dict[str, SimpleType] = {}
    for item in root:
        if not isinstance(item.tag, str):
            continue
        if item.tag == f"{XS}element":
            roots[item.get("name", "")] = item.get("type", "")
        elif item.tag == f"{XS}complexType":
            complex_types[item.get("name", "")] = _complex(item)
        elif item.tag == f"{XS}simpleType":
            simple_types[item.get("name", "")] = _simple(item)
        elif item.tag != f"{XS}annotation":
            raise SchemaError(f"unsupported top-level {item.tag}")
    schema = Schema(roots, complex_types, simple_types)
    named = set(complex_types) | set(simple_types)
    used = set(roots.values()) | {p.type_name for t in complex_types.values() for p in t.particles}
    unknown = {t for t in used if t not in named and not t.startswith("xs:")}
    if unknown:
        raise SchemaError(f"types used but not defined: {sorted(unknown)}")
    for type_name in used:
        if type_name.startswith("xs:"):
            _builtin(type_name)
    return schema


class _Validator:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{path}: {message}")

    def element(self, element: Element, type_name: str, path: str) -> None:
        bad = [a for a in element.attrib if not a.startswith(XSI)]
        if bad:
            self.problem(path, f"has an attribute ({bad[0]}) a CTF element never has")
        if type_name.startswith("xs:"):
            self.simple(element, SimpleType(type_name[3:], (type_name[3:],)), path)
        elif type_name in self.schema.simple_types:
            self.simple(element, self.schema.simple_types[type_name], path)
        else:
            self.complex(element, self.schema.complex_types[type_name], path)

    def simple(self, element: Element, kind: SimpleType, path: str) -> None:
        if len(element):
            self.problem(path, "must hold a value, not other elements")
            return
        if not kind.accepts(element.text or ""):
            self.problem(path, f"must be {kind.description}")

    def complex(self, element: Element, kind: ComplexType, path: str) -> None:
        texts = [element.text or ""] + [child.tail or "" for child in element]
        if any(text.strip() for text in texts):
            self.problem(path, "must hold other elements, not text")
        children = [child for child in element if isinstance(child.tag, str)]
        by_name = {p.name: p for p in kind.particles}
        counts = Counter(child.tag for child in children)
        if kind.group == "sequence":
            order = [p.name for p in kind.particles]
            positions = [order.index(c.tag) for c in children if c.tag in by_name]
            if positions != sorted(positions):
                self.problem(path, f"must hold {', then '.join(order)}, in that order")
        for child in children:
            if child.tag not in by_name and not kind.open:
                self.problem(f"{path}/{child.tag}", "is not expected here")
        for particle in kind.particles:
            found = counts[particle.name]
            if found < particle.min_occurs:
                self.problem(path, f"must contain {particle.name}")
            elif particle.max_occurs is not None and found > particle.max_occurs:
                self.problem(path, f"must contain {particle.name} at most {particle.max_occurs} time(s), not {found}")
        seen: Counter[str] = Counter()
        for child in children:
            known = by_name.get(child.tag)
            if known is None:
                continue  # unknown and allowed: skipped (processContents="skip")
            seen[child.tag] += 1
            label = f"{child.tag}[{seen[child.tag]}]" if counts[child.tag] > 1 else child.tag
            self.element(child, known.type_name, f"{path}/{label}")


def validate_ctf(root: Element, *, schema_path: Path = SCHEMA_PATH) -> list[str]:
    """Problems with `root` (namespaces already stripped) against the project schema; [] when it is valid.

    At most MAX_PROBLEMS are listed. Each is "path: what is wrong", e.g.
    "CTfile/CTFpupilData/Pupil[2]/DOB: must be a date, YYYY-MM-DD". Values are not repeated in the messages.
    """
    schema = load_schema(schema_path)
    validator = _Validator(schema)
    type_name = schema.roots.get(str(root.tag))
    if type_name is None:
        return [f"{root.tag}: is not a root element of the schema ({', '.join(schema.roots)})"]
    validator.element(root, type_name, str(root.tag))
    return validator.problems
