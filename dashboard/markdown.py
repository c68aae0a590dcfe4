"""Text that came from a file, shown as text: Streamlit renders Markdown in messages and
widget labels, so a header or a label such as `![x](http://…)` would fetch an image for
every viewer. Every such string goes through `plain` before it is shown."""

from __future__ import annotations

import re

# What makes Markdown (and Streamlit's :color[…] and :material/…: directives) out of text:
# emphasis, code, links and images (brackets), HTML and autolinks, tables, maths, headings.
_SPECIAL = re.compile(r"([\\`*_\[\]<>~|$:#])")


def plain(text: object) -> str:
    """`text` with every Markdown character escaped (it reads the same, renders nothing)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
