"""The publishing workflow: no credentials left behind after checkout, and no
repository value pasted into a shell script (where a crafted branch or repository
name would run as code)."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "publish.yml"


def steps():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def test_checkout_does_not_persist_credentials():
    checkouts = [s for s in steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


def test_no_expression_is_interpolated_into_a_run_script():
    for step in steps():
        assert "${{" not in step.get("run", ""), f"pass values through env: instead:\n{step['run']}"
