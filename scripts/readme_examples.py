"""Run the Python examples of README.md's "Python and XML-RPC API" section, in
order, against a running demo (./dev.sh demo). Stops at the first error.

    python scripts/readme_examples.py [README.md]
"""

import re
import sys
import textwrap
from pathlib import Path


def examples(readme):
    text = Path(readme).read_text(encoding="utf-8")
    section = text.split("## Python and XML-RPC API", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(block) for block in re.findall(r"```python\n(.*?)```", section, re.S)]


def main():
    readme = sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "README.md"
    namespace = {}
    blocks = examples(readme)
    for number, block in enumerate(blocks, 1):
        print("--- example %s/%s" % (number, len(blocks)))
        exec(compile(block, "README example %s" % number, "exec"), namespace)  # noqa: S102
    for name in ("summary", "what_if", "exposure", "reasons"):
        if name in namespace:
            print("%s = %r" % (name, namespace[name]))
    print("README examples: %s ran" % len(blocks))


if __name__ == "__main__":
    main()
