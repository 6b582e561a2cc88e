"""Channel adapters: the only place that knows a platform.

`build_channels` turns `config.channels` into adapters. Platform SDKs are optional extras, so
each factory imports its adapter only when that channel is configured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.channels.base import Channel
from bot.config import TELEGRAM_TOKEN_ENV, Config

Write = Callable[[str], None]
Factory = Callable[[Config, Mapping[str, str], Write], Channel]


class ChannelUnavailable(Exception):
    """A configured channel cannot run here; `reason` picks the message shown to the user."""

    def __init__(self, channel: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{channel}: {reason} {detail}".strip())
        self.channel = channel
        # "unsupported" | "extra_missing" | Telegram: "no_token" | "no_webhook_url" |
        # "rejected" | "unreachable" (the last two found only when connecting, at start)
        self.reason = reason
        self.detail = detail


def _console(config: Config, env: Mapping[str, str], write: Write) -> Channel:
    from bot.channels.console import ConsoleChannel

    return ConsoleChannel(config.bot_name, write)


def _wechat_channel(config: Config, env: Mapping[str, str], write: Write) -> Channel:
    from bot.channels.wechaty import _wechat
    from bot.channels.wechaty_compat import WechatyUnavailable

    try:
        return _wechat(config, env)
    except WechatyUnavailable as exc:
        raise ChannelUnavailable("wechat", "extra_missing", str(exc)) from None


def _telegram_channel(config: Config, env: Mapping[str, str], write: Write) -> Channel:
    token = env.get(TELEGRAM_TOKEN_ENV, "").strip()
    if not token:
        raise ChannelUnavailable("telegram", "no_token", TELEGRAM_TOKEN_ENV)
    if config.telegram.mode == "webhook" and not config.telegram.webhook_url:
        raise ChannelUnavailable("telegram", "no_webhook_url")
    try:
        from bot.channels.telegram import TelegramChannel
    except ImportError as exc:
        raise ChannelUnavailable("telegram", "extra_missing", str(exc)) from None
    from bot.menu import command_menu
    from bot.render import Renderer
    from handlers import command_table

    menu = command_menu(command_table(), Renderer(config.language, bot_name=config.bot_name,
                                                  school_name=config.school_name))
    return TelegramChannel(token, config.telegram, menu=menu)


FACTORIES: dict[str, Factory] = {
    "console": _console,
    "wechat": _wechat_channel,
    "telegram": _telegram_channel,
}


def build_channels(config: Config, env: Mapping[str, str], write: Write = print
                   ) -> list[Channel]:
    """Every configured channel, or ChannelUnavailable / ConfigError saying what is missing."""
    channels: list[Channel] = []
    for name in config.channels:
        factory = FACTORIES.get(name)
        if factory is None:
            raise ChannelUnavailable(name, "unsupported")
        channels.append(factory(config, env, write))
    return channels
