from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from set_repository_url import set_repository_url  # noqa: E402


def test_sets_the_url_and_the_launch_buttons_together(tmp_path):
    config = tmp_path / "_config.yml"
    shutil.copy(ROOT / "_config.yml", config)
    set_repository_url(config, "https://github.com/some-org/rnn-course")
    set_repository_url(config, "https://github.com/other-org/rnn-course", "trunk")  # replaces, never duplicates
    data = yaml.safe_load(config.read_text())
    assert data["repository"] == {"url": "https://github.com/other-org/rnn-course", "branch": "trunk"}
    assert data["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert data["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert data["title"] == yaml.safe_load((ROOT / "_config.yml").read_text())["title"]  # the rest is kept


def test_rejects_what_is_not_a_github_repository(tmp_path):
    config = tmp_path / "_config.yml"
    shutil.copy(ROOT / "_config.yml", config)
    with pytest.raises(ValueError, match=r"^url must look like https://github.com/ORG/REPO; got 'github.com/x'$"):
        set_repository_url(config, "github.com/x")


def test_launch_buttons_are_never_configured_without_a_repository():
    """sphinx-book-theme crashes the build on launch buttons with no repository URL."""
    data = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert ("launch_buttons" in data) == bool(data.get("repository", {}).get("url"))
