"""Set the book's public repository in _config.yml, which turns on the launch buttons.

    python tools/set_repository_url.py https://github.com/ORG/REPO [BRANCH]

The repository URL lives in one place, the ``repository`` section of _config.yml.
Jupyter Book's launch buttons (Binder, Colab) need it, and fail the build if they
are configured without it, so this writes both sections together. The publishing
workflow runs it with the repository it runs in; a maintainer can run it once and
commit the result instead.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "_config.yml"
MARKER = "# -- repository and launch buttons (tools/set_repository_url.py) --"


def section(url: str, branch: str) -> str:
    return f"""{MARKER}
repository:
  url: {url}
  branch: {branch}
launch_buttons:
  notebook_interface: jupyterlab
  binderhub_url: https://mybinder.org
  colab_url: https://colab.research.google.com
"""


def set_repository_url(config: Path, url: str, branch: str = "main") -> None:
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"url must look like https://github.com/ORG/REPO; got {url!r}")
    text = config.read_text(encoding="utf-8")
    if MARKER in text:  # replace an earlier setting
        text = text[: text.index(MARKER)].rstrip("\n") + "\n"
    config.write_text(text.rstrip("\n") + "\n\n" + section(url, branch), encoding="utf-8")


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    set_repository_url(CONFIG, argv[0], *argv[1:])
    print(f"_config.yml: repository {argv[0]}, launch buttons on")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
