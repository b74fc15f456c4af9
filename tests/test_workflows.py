"""The GitHub set-up: actionlint passes, and the security properties hold in every workflow."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from palabre.issueform import FIELDS

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
# Any expression that reads the event (titles, bodies, branch names...) or the head ref.
UNTRUSTED = re.compile(r"\$\{\{[^}]*\b(github\.event|github\.head_ref|inputs\.)", re.IGNORECASE)


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: expected a mapping"
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return dict.fromkeys(triggers)
    return dict(triggers or {})


def _steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, step)
        for name, job in workflow.get("jobs", {}).items()
        for step in job.get("steps", [])
    ]


def _actionlint() -> str | None:
    local = Path(sys.executable).parent / "actionlint"
    return str(local) if local.exists() else shutil.which("actionlint")


def test_there_are_the_three_workflows() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"pull-request.yml", "pages.yml", "approved-issue.yml"} <= names


def test_actionlint_passes_on_every_workflow() -> None:
    binary = _actionlint()
    assert binary, "actionlint is missing: it is in the 'test' extra of pyproject.toml"
    result = subprocess.run(
        [binary, "-color=false", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_workflow_runs_on_pull_request_target(path: Path) -> None:
    triggers = _triggers(_load(path))
    assert "pull_request_target" not in triggers
    assert "workflow_run" not in triggers  # the other way to run with secrets after a fork PR


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    for job, step in _steps(_load(path)):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        assert PINNED.fullmatch(uses), f"{path.name}, job {job}: {uses} is not pinned to a SHA"
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.search(r"\buses:\s*\S+@[0-9a-f]{40}", line):
            assert re.search(r"# v\d", line), f"{path.name}: say which version: {line.strip()}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_set_and_read_only_at_the_top(path: Path) -> None:
    workflow = _load(path)
    assert workflow.get("permissions") == {"contents": "read"}, path.name
    for name, job in workflow["jobs"].items():
        for scope, level in (job.get("permissions") or {}).items():
            assert level in ("read", "write", "none"), f"{path.name}, job {name}: {scope}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_untrusted_expression_inside_a_script(path: Path) -> None:
    for job, step in _steps(_load(path)):
        for key, script in (
            ("run", step.get("run")),
            ("script", step.get("with", {}).get("script")),
        ):
            if script is not None:
                assert not UNTRUSTED.search(script), f"{path.name}, job {job}: {key} reads {script}"
                assert "${{" not in script, f"{path.name}, job {job}: pass values through env"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_secrets_are_used(path: Path) -> None:
    assert not re.search(r"\bsecrets\.\w", path.read_text(encoding="utf-8"))


def test_the_pull_request_workflow_checks_builds_and_uploads_with_read_only_rights() -> None:
    workflow = _load(GITHUB / "workflows" / "pull-request.yml")
    assert set(_triggers(workflow)) == {"pull_request"}
    for job in workflow["jobs"].values():
        assert "permissions" not in job  # the top-level contents: read applies
    runs = " ".join(step.get("run", "") for _, step in _steps(workflow))
    assert "palabre check --format github" in runs
    assert "make test" in runs and "make html" in runs
    uses = [step.get("uses", "") for _, step in _steps(workflow)]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)


def test_pages_deploys_with_the_least_permissions() -> None:
    workflow = _load(GITHUB / "workflows" / "pages.yml")
    assert _triggers(workflow)["push"] == {"branches": ["main"]}
    jobs = workflow["jobs"]
    assert "permissions" not in jobs["build"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build_steps = jobs["build"]["steps"]
    publish = next(s for s in build_steps if s.get("run") == "make publish")
    assert publish["env"] == {"PALABRE_SITEURL": "${{ steps.pages.outputs.base_url }}"}
    uses = [s.get("uses", "").split("@")[0] for _, s in _steps(workflow)]
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses)
    assert "actions/configure-pages" in uses


def test_the_approval_workflow_only_acts_on_the_approved_label() -> None:
    workflow = _load(GITHUB / "workflows" / "approved-issue.yml")
    assert _triggers(workflow) == {"issues": {"types": ["labeled"]}}
    job = workflow["jobs"]["import"]
    assert "github.event.label.name == 'approved'" in job["if"]
    assert job["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
    }
    body_step = next(s for s in job["steps"] if "ISSUE_BODY" in (s.get("env") or {}))
    assert body_step["env"]["ISSUE_BODY"] == "${{ github.event.issue.body }}"
    assert '"$ISSUE_BODY"' in body_step["run"]
    runs = " ".join(step.get("run", "") for step in job["steps"])
    assert "palabre import-issue" in runs


def test_the_issue_form_labels_are_those_the_importer_reads() -> None:
    form = _load(GITHUB / "ISSUE_TEMPLATE" / "contribution.yml")
    fields = [item for item in form["body"] if item["type"] != "markdown"]
    assert [(f["id"], f["attributes"]["label"]) for f in fields] == [
        (f.id, f.label) for f in FIELDS
    ]
    for item, spec in zip(fields, FIELDS, strict=True):
        required = item.get("validations", {}).get("required", False)
        if item["type"] == "checkboxes":
            required = all(o.get("required") for o in item["attributes"]["options"])
        assert required == spec.required, spec.id
    assert fields[-1]["type"] == "textarea"  # the text comes last: headings in it are text


def test_codeowners_cover_workflows_plugins_and_theme() -> None:
    owned = {
        line.split()[0]
        for line in (GITHUB / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"/.github/", "/plugins/", "/theme/"} <= owned


def test_the_pull_request_template_has_the_moderators_checklist() -> None:
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    assert text.count("- [ ]") >= 6
    assert "palabre check" in text
