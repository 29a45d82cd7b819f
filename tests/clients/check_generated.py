"""Every operation of the spec is in the generated Python client.

Usage: check_generated.py SPEC PACKAGE_DIR

Reads the (method, path) of each generated endpoint module from its
`_get_kwargs` (`"method": ...`, `"url": ...`), so the comparison does not
depend on how the generator names modules. Exit status 1 when an
operation is missing, naming each by operationId.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def main() -> int:
    spec_path, package = Path(sys.argv[1]), Path(sys.argv[2])
    spec = YAML(typ="safe").load(spec_path.read_text())
    wanted = {
        (method.lower(), path): op.get("operationId", f"{method.upper()} {path}")
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method.lower() in METHODS
    }
    generated = set()
    for module in sorted((package / "api").glob("*/*.py")):
        text = module.read_text()
        method = re.search(r'"method":\s*"(\w+)"', text)
        url = re.search(r'"url":\s*f?"([^"]+)"', text)
        if method and url:
            generated.add((method.group(1).lower(), url.group(1)))
    missing = sorted(set(wanted) - generated, key=lambda k: (k[1], k[0]))
    extra = sorted(generated - set(wanted))
    print(f"spec: {len(wanted)} operations; generated client: {len(generated)}")
    for method, path in missing:
        print(f"  missing: {wanted[(method, path)]} ({method.upper()} {path})")
    for method, path in extra:
        print(f"  not in the spec: {method.upper()} {path}")
    return 1 if missing or extra else 0


if __name__ == "__main__":
    sys.exit(main())
