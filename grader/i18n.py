"""What students read, in their language: GNU gettext catalogs, compiled by Babel.

    from .i18n import _, N_
    _("Not implemented: {message}.").format(message=...)   # translated now, in the chosen language
    STATUS = N_("passed")                                    # marked for extraction, translated when shown

Catalogs: grader/locale/<locale>/LC_MESSAGES/<domain>.po (.mo compiled beside it); domain `grader`
for the messages, `notebooks` for the templates' markdown. A staged package (the student bundle, a
sandbox's) gets a grader.mo of only its own files' messages (stage.py). English is the source language: a
message without a translation is shown as written. Messages use `{name}` placeholders, never `%`
(Babel would take `%` for a printf format), and values, code names and numbers stay outside them,
so both languages show the same ones.

The language, first found wins: `set_language()` (grading: `--lang`) or `using()` (a notebook's
`grader.check(..., lang=)`), then GRADER_LANG, then the locale (LC_ALL, LC_MESSAGES, LANG) when it
starts with `zh`, then the language of the student bundle (`grader release --lang zh` writes it in
locale/default); else English. Shipped to students (the self-checks speak it).
"""
from __future__ import annotations

import contextlib
import gettext
import os
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "zh")
LOCALES = {"zh": "zh_CN"}          # the catalogs' folder of each language (English has none)
HTML_LANG = {"en": "en", "zh": "zh-CN"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENV = "GRADER_LANG"
BUNDLE_DEFAULT = LOCALE_DIR / "default"  # written by `grader release --lang`: the bundle's language

_chosen: str | None = None


def normalize(value: str | None) -> str | None:
    """'zh', 'zh_CN.UTF-8', 'zh-Hans', 'ZH' -> 'zh'; 'en', 'en_US' -> 'en'; anything else -> None."""
    text = (value or "").strip().lower().replace("-", "_")
    for lang in LANGUAGES:
        if text == lang or text.startswith(lang + "_") or text.startswith(lang + "."):
            return lang
    return None


def from_environment() -> str:
    """GRADER_LANG, else Chinese when the locale POSIX would use for messages (LC_ALL over LC_MESSAGES
    over LANG) is, else the bundle's language, else English."""
    chosen = normalize(os.environ.get(ENV))
    if chosen:
        return chosen
    locale = next((os.environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(k)), "")
    if normalize(locale) == "zh":
        return "zh"
    try:
        return normalize(BUNDLE_DEFAULT.read_text(encoding="utf-8")) or "en"
    except OSError:
        return "en"


def language() -> str:
    return _chosen or from_environment()


def check_language(lang: str) -> str:
    found = normalize(lang)
    if found is None:
        raise ValueError(f"unknown language {lang!r} (one of {', '.join(LANGUAGES)})")
    return found


def set_language(lang: str | None) -> None:
    """Choose the language of this process (None: back to the environment's). Processes it starts
    (the judge, builders, kernels) inherit it through GRADER_LANG."""
    global _chosen
    _chosen = None if lang is None else check_language(lang)
    if _chosen is not None:
        os.environ[ENV] = _chosen


@contextlib.contextmanager
def using(lang: str | None):
    """The language for a while (None: leave it as it is)."""
    global _chosen
    saved = _chosen
    if lang is not None:
        _chosen = check_language(lang)
    try:
        yield language()
    finally:
        _chosen = saved


@lru_cache(maxsize=None)
def translations(lang: str, domain: str = "grader") -> gettext.NullTranslations:
    if lang not in LOCALES:
        return gettext.NullTranslations()
    return gettext.translation(domain, str(LOCALE_DIR), [LOCALES[lang]], fallback=True)


def _(message: str) -> str:
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction; `_()` translates it where it is shown."""
    return message


def translate(message: str, lang: str, domain: str = "grader") -> str:
    """`message` in `lang` (a notebook's markdown: domain `notebooks`)."""
    return translations(check_language(lang), domain).gettext(message)
