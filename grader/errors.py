"""Error text a student can read: TensorFlow appends pages of graph traceback to its
messages; keep the first line and the line that says why."""
from __future__ import annotations

_WHY = ("not found", "shape", "Key ", "Incompatible", "No gradients", "No variables")


def summarize(kind: str, message: str, limit: int = 400) -> str:
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    detail = next((line for line in lines[1:] if any(k in line for k in _WHY)), "")
    if detail:
        text = f"{text} {detail}"
    return f"{kind}: {text}"[:limit] if text else kind
