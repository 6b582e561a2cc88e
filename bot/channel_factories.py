"""Channel factories: `build_channels` turns `config.channels` into adapters.

Platform SDKs are optional extras, so each factory imports its adapter only when that channel
is configured. This is runtime wiring (it knows the handlers, for the menu); the adapters in
`bot/channels/` know only the kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.extras import unavailable_reason
from core.channel import Channel, ChannelUnavailable
from core.config import TELEGRAM_TOKEN_ENV, Config

Write = Callable[[str], None]
Factory = Callable[[Config, Mapping[str, str], Write], Channel]



def _console(config: Config, env: Mapping[str, str], write: Write) -> Channel:
    from bot.channels.console import ConsoleChannel

    return ConsoleChannel(config.bot_name, write)


def _wechat_channel(config: Config, env: Mapping[str, str], write: Write) -> Channel:
    from bot.channels.wechaty import _wechat
    from bot.channels.wechaty_compat import WechatyUnavailable

    try:
        return _wechat(config, env)
    except WechatyUnavailable as exc:
        raise ChannelUnavailable("wechat", unavailable_reason("wechat"), str(exc)) from None


def _telegram_channel(config: Config, env: Mapping[str, str], write: Write) -> Channel:
    token = env.get(TELEGRAM_TOKEN_ENV, "").strip()
    if not token:
        raise ChannelUnavailable("telegram", "no_token", TELEGRAM_TOKEN_ENV)
    if config.telegram.mode == "webhook" and not config.telegram.webhook_url:
        raise ChannelUnavailable("telegram", "no_webhook_url")
    try:
        from bot.channels.telegram import TelegramChannel
    except ImportError as exc:
        raise ChannelUnavailable("telegram", unavailable_reason("telegram"), str(exc)) from None
    from core.render import Renderer
    from handlers import command_table
    from kit.menu import command_menu

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
