"""Every broken config in tests/bad_configs/ is refused with a message that names the file,
the key and the fix; the CLI exits with code 2 and prints no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from teachsim.cli import app
from teachsim.config.errors import ConfigError
from teachsim.model.scenario import load_scenario
from tests.conftest import expectations

BAD = Path(__file__).parent / "bad_configs"
CASES = sorted(p for p in BAD.iterdir() if p.is_file())


def test_there_are_at_least_ten_kinds() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_refused_with_clear_message(path: Path) -> None:
    wanted = expectations(path)
    assert wanted, f"{path.name} has no '# expect:' lines"
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    message = info.value.render()
    for fragment in wanted:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert "\n  fix: " in message
    assert info.value.fix.strip()


@pytest.mark.parametrize("path", CASES[:4] + CASES[-4:], ids=lambda p: p.stem)
def test_cli_exit_code_two_no_traceback(path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    text = result.output
    assert "Traceback" not in text
    assert "error:" in text
    assert expectations(path)[0] in text
