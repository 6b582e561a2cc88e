"""An installed extra that cannot be imported fails the suite; it is never skipped.

On Python 3.13 the WeChat suite used to skip with "the wechat extra is not installed" although
it was installed (python-wechaty imported the removed `telnetlib`), and `make test` stayed
green. Here an installed extra must import, and the extras `make test` installs
(CLASSBOT_REQUIRE_EXTRAS, set by .ci/suite.sh) must be installed.
"""

from __future__ import annotations

import os

import pytest

from bot.extras import EXTRAS, import_problem, installed

REQUIRED = [name for name in os.environ.get("CLASSBOT_REQUIRE_EXTRAS", "").split(",") if name]


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_an_installed_extra_imports(extra: str) -> None:
    if not installed(extra):
        assert extra not in REQUIRED, f"make test installs [{extra}], yet it is not installed"
        return
    assert import_problem(extra) is None


def test_required_extras_are_known() -> None:
    assert set(REQUIRED) <= set(EXTRAS)


def test_a_broken_import_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself can fail: a module that raises on import is a problem, not a pass."""
    monkeypatch.setitem(EXTRAS, "postgres", ("asyncpg", "tests.no_such_module_anywhere"))
    problem = import_problem("postgres")
    assert problem is not None and "no_such_module_anywhere" in problem
