"""What importing a module costs: which heavy libraries a fresh interpreter loads with it."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable


def heavy_loaded_by(module: str, heavy: Iterable[str]) -> list[str]:
    """The libraries of `heavy` that `import module` loads, in a fresh Python process."""
    code = f"import sys, {module}; print(sorted({set(heavy)!r} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())  # a printed list of names
