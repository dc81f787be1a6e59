"""The rows of a CSV text an instructor gave (a roster, overrides): its dialect sniffed (comma,
semicolon or tab, as spreadsheets save), quoted cells across lines kept, blank rows dropped."""
from __future__ import annotations

import csv
import io


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row; csv.Error when the text is not CSV."""
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)  # quoted cells may span lines
    return [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
