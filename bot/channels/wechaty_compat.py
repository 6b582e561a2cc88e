"""The one place for python-wechaty breakage: everything classbot does to the SDK beyond its
public objects (messages, contacts, rooms, `say`) happens here, so a new SDK release that breaks
classbot is mended in this file. bot/channels/wechaty.py uses only what this module hands it.

Importing (`load`): wechaty 0.10.7 (its last release, 2022) breaks on Python 3.11+ in three ways:

1. `WechatyOptions` declares `puppet_options: PuppetOptions = PuppetOptions()`. Since 3.11,
   dataclasses reject unhashable defaults, so `import wechaty` raises ValueError. Giving
   `PuppetOptions` an identity hash makes the class definition legal again; the shared default
   instance is never used, because `new_bot` always passes a fresh `PuppetOptions`.
2. pyee 12 removed the top-level `AsyncIOEventEmitter` the SDK imports: the `wechat` extra pins
   `pyee<12`.
3. urllib3 2 removed `urllib3.get_host` (used by wechaty.user.url_link): the extra pins
   `urllib3<2`.
4. Python 3.13 removed `telnetlib`, which the SDK imports (`wechaty/plugin.py`: `from telnetlib
   import Telnet`). The `wechat` extra installs the `telnetlib-313-and-up` backport on 3.13
   and later only; `load` imports it first so a missing backport is named.

The SDK logs every message body at INFO level through its own handlers; classbot's logs carry
ids, not bodies, so WECHATY_LOG defaults to "warn" unless the operator set it.

It also logs the token whenever an endpoint is set too ("there are endpoint<…> and token<…>");
a filter blanks tokens in the SDK's log records.

Importing wechaty also creates a `.wechaty` cache directory wherever the process happens to run
(its scheduler's default job store path is computed at import time); CACHE_DIR, unless the
operator set it, points into the temp directory instead.

tests/test_wechat_setup.py fails when a release stops needing step 1, so the shim is removed
rather than left to hide a different breakage.

Sessions (`new_bot`, `connect`, `listen`, `disconnect`): the channel runs the SDK's start-up
steps itself instead of `Wechaty.start()`, which on a network error logs, sleeps 60 s and
restarts on its own, and swallows every other error. Between sessions the SDK's process-wide
caches are cleared and its plugin manager is switched off (see each function for why).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import sys
import tempfile
from types import ModuleType
from typing import Any

_TOKEN = re.compile(r"token(s?)([<\[])[^>\]]*([>\]])")


class _HideTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token" in message:
            record.msg, record.args = _TOKEN.sub(r"token\1\2***\3", message), None
        return True


class WechatyUnavailable(ImportError):
    """The `wechat` extra is not installed (or the SDK broke in a new way)."""


def apply_shim() -> None:
    import wechaty_puppet.schemas.puppet as schemas

    if getattr(schemas.PuppetOptions, "__hash__", None) is None:
        schemas.PuppetOptions.__hash__ = object.__hash__  # type: ignore[assignment,method-assign]


def load() -> ModuleType:
    """Import wechaty with the shim applied; WechatyUnavailable says what to install."""
    os.environ.setdefault("WECHATY_LOG", "warn")
    os.environ.setdefault("CACHE_DIR", os.path.join(tempfile.gettempdir(), "classbot-wechaty"))
    try:
        if sys.version_info >= (3, 13):
            import telnetlib  # noqa: F401  (the backport; the SDK imports it by this name)
        apply_shim()
        import wechaty
    except ImportError as exc:
        raise WechatyUnavailable(str(exc)) from exc
    service_log = logging.getLogger("PuppetService")
    if not any(isinstance(f, _HideTokens) for f in service_log.filters):
        service_log.addFilter(_HideTokens())
    return wechaty


def available() -> bool:
    try:
        load()
    except WechatyUnavailable:
        return False
    return True


# --- sessions --------------------------------------------------------------------------------

def new_bot(sdk: ModuleType, bot_class: type, endpoint: str, token: str) -> Any:
    """A fresh `bot_class` (a subclass of `sdk.Wechaty`) for one session with the gateway.

    Process-wide caches are cleared first: contact and room payloads from the last session may
    be stale, and message ids seen before a drop must be let through again (classbot's inbound
    table de-duplicates). classbot uses no wechaty plugins; their manager would, at every login,
    start a scheduler (which fails the second time, after a reconnect) and check a local web
    port, so its start is a no-op.
    """
    from wechaty.utils.async_helper import SingleIdContainer
    from wechaty_puppet import PuppetOptions

    sdk.Contact._pool.clear()
    sdk.Room._pool.clear()
    SingleIdContainer._instance = None
    bot = bot_class(sdk.WechatyOptions(
        puppet_options=PuppetOptions(end_point=endpoint, token=token)))
    bot._plugin_manager.start = _no_plugins
    return bot


async def _no_plugins() -> None:
    return None


async def connect(bot: Any, token: str) -> None:
    """Open the puppet connection and route its events to the bot's `on_*` methods.

    The SDK replaces an empty token by one from its own environment variables, or None, which
    grpclib cannot send: the token given (possibly "", for a local gateway without one) is put
    back, so exactly it is sent as :authority."""
    await bot.init_puppet()
    bot.puppet.options.token = token
    await bot.init_puppet_event_bridge(bot.puppet)


async def ding(endpoint: str, token: str) -> None:
    """One Ding RPC with `token` as :authority (how the SDK sends it): raises what the gateway
    answered (GRPCError with its status and message) or what the connection did."""
    from grpclib.client import Channel
    from wechaty_grpc.wechaty import PuppetStub

    host, _, port = endpoint.rpartition(":")
    channel = Channel(host.strip("[]"), int(port))
    channel._authority = token  # the SDK does the same (wechaty_puppet_service.puppet)
    try:
        await PuppetStub(channel).ding(data="classbot check")
    finally:
        channel.close()


async def listen(bot: Any) -> None:
    """Until the gateway's event stream ends (returns) or breaks (raises)."""
    await bot.puppet.start()


async def disconnect(bot: Any) -> None:
    """Close the puppet connection."""
    await bot.puppet.stop()


async def file_content(msg: Any) -> bytes:
    """The bytes of a file message (MessageFile RPC). python-wechaty's FileBox cannot give them
    itself (its `to_base64` returns "", and only the Base64 and Url box types arrive over the
    wire), so they are taken from the box's fields: base64 data (a `data:…;base64,` prefix
    allowed), else the URL the gateway gave, fetched off the loop with the SDK's own
    `requests`. Raises LookupError for a box without either."""
    box = await msg.to_file_box()
    encoded = getattr(box, "base64", None)
    if encoded:
        text = encoded.decode() if isinstance(encoded, bytes) else str(encoded)
        return base64.b64decode(text.split("base64,", 1)[-1])
    url = getattr(box, "remoteUrl", None)
    if url:
        return await asyncio.to_thread(_download, url, dict(getattr(box, "headers", None) or {}))
    raise LookupError(f"file box of type {getattr(box, 'boxType', '?')} carries no content")


def _download(url: str, headers: dict[str, str]) -> bytes:
    import requests  # the SDK's dependency (wechaty_puppet.file_box)

    response = requests.get(url, headers=headers, timeout=30)
    response.raise_for_status()
    return response.content
