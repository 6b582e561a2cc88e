"""Channel adapters: the only place that knows a platform.

`build_channels` turns `config.channels` into running adapters; each platform is one entry of
BUILDERS (the console is built by the CLI, which owns the terminal). Problems a user can fix
(a missing token, the optional package not installed) are ChannelStartError with a key the
CLI renders from templates/<lang>/channels/start_problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.channels.base import Channel
from bot.config import TELEGRAM_TOKEN_ENV, Config


class ChannelStartError(Exception):
    """A channel cannot start; `problem` names the template branch that tells how to fix it."""

    def __init__(self, channel: str, problem: str, detail: str = "") -> None:
        super().__init__(f"{channel}: {problem} {detail}".strip())
        self.channel = channel
        self.problem = problem
        self.detail = detail


def _check_telegram(config: Config, env: Mapping[str, str]) -> None:
    if not env.get(TELEGRAM_TOKEN_ENV, "").strip():
        raise ChannelStartError("telegram", "no_token", TELEGRAM_TOKEN_ENV)
    if config.telegram.mode == "webhook" and not config.telegram.webhook_url:
        raise ChannelStartError("telegram", "no_webhook_url")
    try:
        import telegram  # noqa: F401
    except ImportError:
        raise ChannelStartError("telegram", "not_installed") from None


def _build_telegram(config: Config, env: Mapping[str, str]) -> Channel:
    from bot.channels.telegram import TelegramChannel
    from bot.menu import command_menu
    from bot.render import Renderer
    from handlers import command_table

    menu = command_menu(command_table(), Renderer(config.language, bot_name=config.bot_name,
                                                  school_name=config.school_name))
    return TelegramChannel(env[TELEGRAM_TOKEN_ENV].strip(), config.telegram, menu=menu)


# channel name → (check without network, build)
BUILDERS: dict[str, tuple[Callable[[Config, Mapping[str, str]], None],
                          Callable[[Config, Mapping[str, str]], Channel]]] = {
    "telegram": (_check_telegram, _build_telegram),
}


def check_channels(config: Config, env: Mapping[str, str]) -> None:
    """Raise ChannelStartError for the first channel in config that cannot start."""
    for name in config.channels:
        if name == "console":
            continue
        if name not in BUILDERS:
            raise ChannelStartError(name, "not_built")
        BUILDERS[name][0](config, env)


def build_channels(config: Config, env: Mapping[str, str]) -> list[Channel]:
    """The configured platform channels (not the console), checked first."""
    check_channels(config, env)
    return [BUILDERS[name][1](config, env) for name in config.channels if name != "console"]
