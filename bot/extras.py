"""The optional extras (pip install 'classbot[NAME]'): is one installed, and does it import?

"Not installed" and "installed but broken" need different advice: telling an operator to
install what is installed (the WeChat SDK on a Python it does not support yet) sends them in
circles. An extra counts as installed when its distribution's metadata is present; importing
it may still fail, and then the message names the import error instead.
"""

from __future__ import annotations

import importlib
from importlib import metadata

# extra → (the distribution that marks it installed, the module classbot imports for it)
EXTRAS: dict[str, tuple[str, str]] = {
    "telegram": ("python-telegram-bot", "bot.channels.telegram"),
    "wechat": ("wechaty", "bot.channels.wechaty_compat"),
    "postgres": ("asyncpg", "asyncpg"),
}


def installed(extra: str) -> bool:
    try:
        metadata.distribution(EXTRAS[extra][0])
    except metadata.PackageNotFoundError:
        return False
    return True


def import_problem(extra: str) -> str | None:
    """None when the extra imports (the WeChat SDK through its shim), else the error."""
    module = EXTRAS[extra][1]
    try:
        imported = importlib.import_module(module)
        if extra == "wechat":
            imported.load()  # the SDK itself, through the shim
    except Exception as exc:  # any import-time breakage counts, not only ImportError
        return f"{type(exc).__name__}: {exc}"
    return None


def unavailable_reason(extra: str) -> str:
    """The ChannelUnavailable reason for an extra that failed to import."""
    return "extra_broken" if installed(extra) else "extra_missing"
