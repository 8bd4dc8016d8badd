"""Check that every relative link and image in the given Markdown files resolves to an existing file (and anchor)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def anchors(md: Path) -> set[str]:
    """GitHub-style anchors of a Markdown file's headings."""
    out = set()
    for line in md.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


def check(md: Path) -> list[str]:
    bad = []
    for target in LINK.findall(md.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked here
        path, _, anchor = target.partition("#")
        dest = (md.parent / path).resolve() if path else md.resolve()
        if not dest.exists():
            bad.append(f"{md}: {target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            bad.append(f"{md}: {target}: no such heading")
    return bad


if __name__ == "__main__":
    files = [Path(a) for a in sys.argv[1:]] or [Path("README.md"), Path("benchmarks/README.md"),
                                                Path("trained/README.md")]
    problems = [p for f in files for p in check(f)]
    print("\n".join(problems) or f"all relative links resolve in {len(files)} files")
    sys.exit(1 if problems else 0)
