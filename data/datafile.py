"""The command line shared by every data/*/build_*.py: write the rebuilt files, or with --check
compare them byte for byte with the committed ones. Standard library only.

    import datafile  # the build script puts data/ on sys.path first
    sys.exit(datafile.main(sys.argv, HERE, build))   # build() -> {file name: text}
"""

import os
import sys


def main(argv, folder, build):
    """Writes each file `build()` returns into `folder`, or with --check exits 1 if one differs."""
    script = os.path.basename(argv[0])
    if len(argv) > 2 or (len(argv) == 2 and argv[1] != "--check"):
        print("usage: %s [--check]" % script, file=sys.stderr)
        return 2
    check = len(argv) == 2
    status = 0
    for name, text in build().items():
        path = os.path.join(folder, name)
        shown = os.path.relpath(path)
        if not check:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            print("wrote %s (%d rows)" % (shown, text.count("\n") - 1))
            continue
        try:
            with open(path, "r", encoding="utf-8", newline="") as f:
                committed = f.read()
        except OSError as e:
            print("cannot read %s: %s" % (shown, e), file=sys.stderr)
            status = 1
            continue
        if committed == text:
            print("ok: %s matches its sources" % shown)
            continue
        old, new = committed.splitlines(), text.splitlines()
        line = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
        print("%s differs from the rebuilt data (%s rebuilds it):" % (shown, script), file=sys.stderr)
        print("  line %d committed: %s" % (line + 1, old[line] if line < len(old) else "(end of file)"), file=sys.stderr)
        print("  line %d rebuilt:   %s" % (line + 1, new[line] if line < len(new) else "(end of file)"), file=sys.stderr)
        status = 1
    return status
