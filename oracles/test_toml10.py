"""Deal files are TOML 1.0 (shared/contracts/deal-file.md, "Additions"): every file in deals/ and
every TOML example in the documentation must parse with a TOML 1.0 reader, here Python's standard
`tomllib` (3.11+). A newline inside an inline table, which some readers accept and TOML 1.0 does
not, is the usual way to break this; write a sub-table (`[reserves.ara]`) instead.

Examples are the fenced code blocks marked `toml` (```toml) in docs/**/*.md, README.md and the
folders' README.md files. The check also asks for at least one example, so that it cannot pass by
finding nothing.

Usage: python3 oracles/test_toml10.py   (exit 0 when everything parses, 1 otherwise)
"""
from __future__ import annotations

import glob
import os
import re
import sys
import tomllib
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^(\s*)```toml\s*$")


def deal_files() -> list[str]:
    return sorted(glob.glob(os.path.join(ROOT, "deals", "*.toml")))


def doc_files() -> list[str]:
    found = glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True)
    found += glob.glob(os.path.join(ROOT, "*.md")) + glob.glob(os.path.join(ROOT, "*", "README.md"))
    return sorted(set(found))


def examples(path: str) -> list[tuple[int, str]]:
    """(line of the opening fence, text) of each ```toml block, its indentation removed."""
    out = []
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, start, body = m.group(1), i + 1, []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        out.append((start, "\n".join(body) + "\n"))
        i += 1
    return out


class Toml10(unittest.TestCase):
    def test_every_deal_file_is_toml_1_0(self):
        files = deal_files()
        self.assertGreaterEqual(len(files), 5, "the deal library")
        for path in files:
            with self.subTest(deal=os.path.relpath(path, ROOT)):
                with open(path, "rb") as fh:
                    try:
                        doc = tomllib.load(fh)
                    except tomllib.TOMLDecodeError as e:
                        self.fail(f"{os.path.relpath(path, ROOT)}: not TOML 1.0: {e}")
                self.assertEqual(doc.get("schema"), 1)

    def test_every_toml_example_in_the_docs_is_toml_1_0(self):
        count = 0
        for path in doc_files():
            for line, text in examples(path):
                count += 1
                with self.subTest(example=f"{os.path.relpath(path, ROOT)}:{line}"):
                    try:
                        tomllib.loads(text)
                    except tomllib.TOMLDecodeError as e:
                        self.fail(f"{os.path.relpath(path, ROOT)}:{line}: not TOML 1.0: {e}")
        self.assertGreater(count, 0, "no ```toml example found: the check would pass on nothing")

    def test_a_newline_inside_an_inline_table_is_refused(self):
        # What TOML 1.0 forbids and the check must catch (the deal files once had it).
        with self.assertRaises(tomllib.TOMLDecodeError):
            tomllib.loads("ara = { exports_usd_bn = 719.0,\n  regime = \"floating\" }\n")


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False).result.wasSuccessful() else 1)
