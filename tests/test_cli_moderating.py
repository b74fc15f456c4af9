"""What docs/moderating.md tells moderators to do passes `palabre check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from palabre.cli import main
from tests.factories import content_tree, write_contribution, write_discussion

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "moderating.md"


def _withdrawal_example() -> str:
    section = GUIDE.read_text(encoding="utf-8").split("## 8. Withdrawing")[1]
    block = re.search(r"```markdown\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return "\n".join(line.removeprefix("   ") for line in block.group(1).splitlines()) + "\n"


def test_a_withdrawn_contribution_keeps_its_replies_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = content_tree(tmp_path)
    write_discussion(content, "demo", weeks=1)
    withdrawn = write_contribution(content, cid="2013-07-10-aminata-traore")
    write_contribution(
        content, cid="2013-07-11-jean-dupont", in_reply_to="2013-07-10-aminata-traore"
    )
    withdrawn.write_text(_withdrawal_example(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0, capsys.readouterr().out
    # Deleting it instead breaks the reply, as the guide says.
    withdrawn.unlink()
    assert main(["check"]) == 1
    assert "in_reply_to: expected the id of a contribution" in capsys.readouterr().out


def test_the_readme_links_the_guide() -> None:
    readme = (GUIDE.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "](docs/moderating.md)" in readme
