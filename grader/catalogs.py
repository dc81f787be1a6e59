"""The translation catalogs: what Babel extracts, and whether a language's catalogs are complete.

Two domains, each a catalog per language in grader/locale/<locale>/LC_MESSAGES/:
`grader` (every message the grader and the self-checks show: `_()` and `N_()` in grader/) and
`notebooks` (each markdown cell of the reference notebooks, whole). `pybabel extract -F babel.cfg`
uses `extract_markdown` for the notebooks; `missing()` compares a fresh extraction with a catalog.
"""
from __future__ import annotations

import json
from pathlib import Path

from .i18n import LOCALE_DIR, LOCALES

_PACKAGE = Path(__file__).resolve().parent
DOMAINS = ("grader", "notebooks")


def markdown_cells(nb) -> list[str]:
    """The text a notebook's translation covers: each markdown cell's source."""
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown" and cell.source.strip()]


def extract_markdown(fileobj, keywords, comment_tags, options):
    """Babel extraction method for notebooks: one message per markdown cell (lineno: the cell's number)."""
    data = json.loads(fileobj.read().decode("utf-8"))
    for number, cell in enumerate(data.get("cells", []), start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown" and source.strip():
            yield number, None, source, []


def extract(domain: str):
    """A fresh Babel catalog of `domain`, extracted from the sources as `pybabel extract` would."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from .notebooks import reference_dir
    catalog = Catalog(domain=domain)
    if domain == "grader":
        found = extract_from_dir(str(_PACKAGE), method_map=[("**.py", "python")])
    else:
        found = extract_from_dir(str(reference_dir()), method_map=[("**.ipynb", "grader.catalogs:extract_markdown")])
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{domain}.po"


def read_po(lang: str, domain: str):
    from babel.messages.pofile import read_po as read
    with open(po_path(lang, domain), "rb") as f:
        return read(f, locale=LOCALES[lang], domain=domain)


def missing(lang: str, domain: str) -> list[str]:
    """The messages of `domain` that `lang`'s catalog lacks, leaves untranslated or marks fuzzy."""
    catalog = read_po(lang, domain)
    problems = []
    for message in extract(domain):
        if not message.id:
            continue
        have = catalog.get(message.id, context=message.context)
        strings = have.string if have is not None and isinstance(have.string, tuple) else (
            (have.string,) if have is not None else ())
        if have is None or not all(strings) or have.fuzzy:
            problems.append(message.id if isinstance(message.id, str) else message.id[0])
    return problems
