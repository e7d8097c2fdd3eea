"""Header aliases and field types, kept as data (CSV) so that a new export
dialect is a new row, not a new code branch."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_HERE = Path(__file__).parent
CURRENCY_PLACEHOLDER = "{currency}"


def normalize_header(text: str) -> str:
    """Compare headers without case, accents, BOM or repeated white space."""
    text = text.replace("\ufeff", "").replace("\u00a0", " ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class AdColumn:
    source: str
    column: str
    type: str  # date | id | string | currency | decimal | integer | double
    required: bool  # the header must be present, or the file fails
    not_null: bool  # an empty value rejects the row


@dataclass(frozen=True)
class HeaderAlias:
    source: str
    column: str
    alias: str
    transform: str  # '' or 'micros'
    language: str = ""  # en, es, pt...; api for API field names

    @property
    def pattern(self) -> re.Pattern[str]:
        """The normalized alias as a regex; `{currency}` captures a 3-letter code."""
        return _alias_pattern(self.alias)


@cache
def _alias_pattern(alias: str) -> re.Pattern[str]:
    escaped = re.escape(normalize_header(alias)).replace(
        re.escape(CURRENCY_PLACEHOLDER), r"(?P<currency>[a-z]{3})"
    )
    return re.compile(f"^{escaped}$")


def _read(name: str) -> list[dict[str, str]]:
    with open(_HERE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def ad_columns(source: str) -> tuple[AdColumn, ...]:
    return tuple(
        AdColumn(
            r["source"], r["column"], r["type"], r["required"] == "true", r["not_null"] == "true"
        )
        for r in _read("ad_columns.csv")
        if r["source"] == source
    )


@cache
def header_aliases(source: str) -> tuple[HeaderAlias, ...]:
    return tuple(
        HeaderAlias(r["source"], r["column"], r["alias"], r["transform"] or "", r["language"] or "")
        for r in _read("ad_headers.csv")
        if r["source"] == source
    )


@cache
def header_languages(source: str) -> dict[str, frozenset[str]]:
    """Normalized alias -> the UI languages that write it (`Alcance`: es and pt)."""
    found: dict[str, set[str]] = {}
    for alias in header_aliases(source):
        if alias.language and alias.language != "api":
            found.setdefault(normalize_header(alias.alias), set()).add(alias.language)
    return {k: frozenset(v) for k, v in found.items()}


@cache
def salesforce_objects() -> dict[str, str]:
    """Object name as a file may spell it (lower-cased, without `_`) -> the API name."""
    return {
        r["object"].lower().replace("_", ""): r["object"] for r in _read("salesforce_fields.csv")
    }


@cache
def salesforce_fields(object_name: str) -> tuple[tuple[str, str], ...]:
    """(field lower-cased, type) of one object (API name), in mapping order."""
    return tuple(
        (r["field"].lower(), r["type"])
        for r in _read("salesforce_fields.csv")
        if r["object"].lower() == object_name.lower()
    )


@cache
def salesforce_field_types() -> dict[tuple[str, str], str]:
    """(object lower-cased, field lower-cased) -> type; API names are case-insensitive."""
    return {
        (r["object"].lower(), r["field"].lower()): r["type"] for r in _read("salesforce_fields.csv")
    }


@dataclass(frozen=True)
class HubspotProperty:
    """A row of hubspot_properties.csv. ``type`` is a raw column type (id, string, owner,
    datetime, date, boolean, decimal), or ``association`` (``property`` names the associated
    object: the cells go to raw.hubspot__associations) or ``stage_entry`` (labels are patterns
    with ``{stage}`` and ``{pipeline}``: the cells go to raw.hubspot__deal_stage_entries)."""

    object: str
    property: str
    type: str
    labels: tuple[str, ...]  # UI labels and aliases, `|`-separated in the CSV

    @property
    def is_column(self) -> bool:
        return self.type not in ("association", "stage_entry")


@cache
def hubspot_objects() -> tuple[str, ...]:
    """The objects of hubspot_properties.csv, in mapping order."""
    return tuple(dict.fromkeys(r["object"] for r in _read("hubspot_properties.csv")))


@cache
def hubspot_properties(object_name: str) -> tuple[HubspotProperty, ...]:
    """The properties of one object (`contacts`), in mapping order."""
    return tuple(
        HubspotProperty(
            r["object"],
            r["property"],
            r["type"],
            tuple(label for label in r["labels"].split("|") if label),
        )
        for r in _read("hubspot_properties.csv")
        if r["object"] == object_name
    )
