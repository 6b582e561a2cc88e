"""The Telegram channel on python-telegram-bot 22: network code only (mapping: telegram_map).

The outbox sender already paces and retries every send, so PTB's own rate limiter is not used and
every Bot API error is translated into the three outcomes the core knows: sent, try again
(429 with its retry_after, 5xx, network) or unreachable (403: blocked, kicked, never started).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram import Update as TgUpdate
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from bot.channels import telegram_map as tgmap
from core.channel import (
    Capabilities,
    ChannelUnavailable,
    EventSink,
    MenuItem,
    Rate,
    SendError,
    SendLimits,
    TransientSendError,
    UncertainSendError,
    UnreachableError,
)
from core.config import TELEGRAM_TOKEN_ENV, TelegramSettings
from core.events import FileUnavailable, Outgoing, SentRef

log = logging.getLogger(__name__)

# https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
# Overall: 30/s, written as 10 per 1/3 s so our burst is 10, not 30. A burst of concurrent
# requests reaches Telegram bunched up (the first ones wait on connections, later ones do
# not); with a full-size burst the server counts 31 in a second and answers 429 (measured
# in bench/broadcast.py). A smaller burst costs 0.7 s on a 630-message broadcast.
TELEGRAM_LIMITS = SendLimits(per_chat=Rate(1, 1.0), per_group=Rate(20, 60.0),
                             overall=Rate(10, 1 / 3))
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# A sendMessage without an answer after this long may still have been accepted: the Bot API has
# no way to ask, so it is sent once more after UNCERTAIN_RETRY_SECONDS and never a third time.
SEND_TIMEOUT = 20.0
UNCERTAIN_RETRY_SECONDS = 5.0
# Turns of the event loop the next getUpdates lets pass before it is written (see _Polling):
# the reply to a lone update takes 6 on this stack (pipeline, hand-over, the sender, httpx's
# checkpoints) — measured in bench/README.md "rt14"; 8 leaves room. Fewer than needed only
# brings back the interleaving; more costs ~20 µs each when the loop is idle.
POLL_YIELDS = 8
# Updates of one getUpdates page (at most 100) handled at once: the pipeline writes the ones
# that wait together in one transaction (group commit, issue 14). PTB's default handles one
# update at a time, so a flood's page was written one message per transaction. The order
# stays the page's: each update reaches the pipeline through the same awaits, in turn.
CONCURRENT_UPDATES = 100


def shared_limits(share: float) -> SendLimits:
    """Telegram's limits for a process that has `share` of the bot's overall 30/s (several
    processes on one bot token split it in config: telegram.rate_share)."""
    if share >= 1:
        return TELEGRAM_LIMITS
    return replace(TELEGRAM_LIMITS, overall=Rate(10, 1 / (3 * share)))  # 30 × share a second


class TelegramChannel:
    name = tgmap.CHANNEL

    def __init__(self, token: str, settings: TelegramSettings, *,
                 menu: list[MenuItem] | None = None,
                 limits: SendLimits | None = None,
                 send_timeout: float = SEND_TIMEOUT,
                 uncertain_retry_seconds: float = UNCERTAIN_RETRY_SECONDS) -> None:
        self.settings = settings
        self.limits = limits or shared_limits(settings.rate_share)
        self.send_timeout = send_timeout
        self.uncertain_retry_seconds = uncertain_retry_seconds
        # Telegram allows 4096 characters; the outbox sender splits at max_length before the
        # @-mentions are put in front (telegram_map.to_platform), so leave room for them.
        self.capabilities = Capabilities(buttons=True, max_length=3900,
                                         private_needs_contact=True, edits=True, files=True)
        self.menu = menu or []
        self.me: tgmap.BotIdentity | None = None
        # Long button commands (> 64 bytes) by key; see telegram_map.encode_action.
        self._actions: dict[str, str] = {}
        self._sink: EventSink | None = None
        self._connected = False
        self.app: Application = (
            ApplicationBuilder().token(token)
            .base_url(settings.base_url)
            .base_file_url(settings.base_url.replace("/bot", "/file/bot"))
            .connect_timeout(10).read_timeout(20).write_timeout(20).pool_timeout(30)
            .get_updates_request(_Polling(connection_pool_size=1,
                                          read_timeout=settings.poll_timeout_seconds + 10))
            .concurrent_updates(CONCURRENT_UPDATES)
            .build())
        self.app.add_handler(TypeHandler(TgUpdate, self._on_update))

    # --- lifecycle -------------------------------------------------------------------------

    async def connect(self) -> tgmap.BotIdentity:
        """getMe: proves the token before anything else starts."""
        if self.me is not None:
            return self.me
        try:
            await self.app.initialize()
        except InvalidToken as exc:
            raise ChannelUnavailable(self.name, "rejected", TELEGRAM_TOKEN_ENV) from exc
        except NetworkError as exc:
            raise ChannelUnavailable(self.name, "unreachable", str(exc)) from exc
        self._connected = True
        user = self.app.bot.bot
        self.me = tgmap.BotIdentity(user.id, user.username or "")
        if self.me.username:
            self.capabilities = replace(
                self.capabilities,
                private_link=f"https://t.me/{self.me.username}?start={{code}}")
        return self.me

    async def start(self, on_event: EventSink) -> None:
        await self.connect()
        self._sink = on_event
        await self._publish_menu()
        updater = self.app.updater
        assert updater is not None
        if self.settings.mode == "webhook":
            assert self.settings.webhook_url is not None
            # A fresh secret per start: Telegram sends it back in a header and PTB drops any
            # POST without it, so nobody else can inject updates into the listener.
            await updater.start_webhook(
                listen=self.settings.webhook_listen, port=self.settings.webhook_port,
                url_path=urlparse(self.settings.webhook_url).path.lstrip("/"),
                webhook_url=self.settings.webhook_url, allowed_updates=ALLOWED_UPDATES,
                secret_token=secrets.token_urlsafe(32))
        else:
            await updater.start_polling(poll_interval=0,
                                        timeout=timedelta(
                                            seconds=self.settings.poll_timeout_seconds),
                                        allowed_updates=ALLOWED_UPDATES,
                                        drop_pending_updates=False)
        await self.app.start()

    async def stop(self) -> None:
        """Stopping the updater confirms the offset: a restart never sees an update twice."""
        if not self._connected:
            return
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        self._connected = False
        self._sink = None

    async def _publish_menu(self) -> None:
        scopes = ((BotCommandScopeAllGroupChats(), lambda e: e.in_groups),
                  (BotCommandScopeAllPrivateChats(), lambda e: e.in_private))
        for scope, wanted in scopes:
            commands = [BotCommand(e.command, e.description) for e in self.menu if wanted(e)]
            if not commands:
                continue
            try:
                await self.app.bot.set_my_commands(commands, scope=scope)
            except TelegramError as exc:  # a menu is a nicety: never stop the bot for it
                log.warning("setMyCommands failed: %s", exc)

    # --- incoming --------------------------------------------------------------------------

    async def _on_update(self, update: TgUpdate, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self.me is not None
        event = tgmap.to_event(update, self.me, self._actions, fetch=self._download)
        query = update.callback_query
        if event is None:
            log.debug("update %s ignored", update.update_id)
            if query is not None:  # an expired or foreign button: still stop the spinner
                await self._answer(query.id, None)
            return
        if self._sink is None:
            raise RuntimeError("telegram channel got an update before start()")
        shown = await self._sink(event)
        if query is not None:
            await self._answer(query.id, shown)

    async def _download(self, file_id: str) -> bytes:
        """A document's content: getFile, then the Bot API's file URL (bots may download files
        of up to 20 MB; the handler refuses larger ones from the announced size first)."""
        try:
            found = await self.app.bot.get_file(file_id)
            return bytes(await found.download_as_bytearray())
        except TelegramError as exc:
            log.warning("telegram: file download failed: %s", exc)
            raise FileUnavailable(str(exc)) from exc

    async def _answer(self, query_id: str, text: str | None) -> None:
        try:
            await self.app.bot.answer_callback_query(query_id, text=tgmap.toast(text))
        except TelegramError as exc:  # too late (>15 s) or already answered: nothing to redo
            log.info("answerCallbackQuery failed: %s", exc)

    # --- outgoing --------------------------------------------------------------------------

    async def send(self, out: Outgoing) -> SentRef:
        if out.file:
            return await self._send_file(out)
        kwargs = tgmap.to_platform(out, self._actions)
        try:
            message = await self.app.bot.send_message(**kwargs, read_timeout=self.send_timeout)
        except TimedOut as exc:
            if _unanswered(exc):
                raise UncertainSendError(str(exc) or "timed out",
                                         retry_after=self.uncertain_retry_seconds) from exc
            raise _translate(exc) from exc
        except TelegramError as exc:
            if str(exc) == UNREADABLE:  # a 2xx whose body is not the Bot API's JSON
                log.warning("telegram: sendMessage accepted, answer unreadable; id unknown")
                return SentRef("")
            raise _translate(exc) from exc
        return SentRef(str(message.message_id))

    async def _send_file(self, out: Outgoing) -> SentRef:
        """A chart as a photo, anything else as a document; the text is the caption (Telegram
        allows 1024 characters there, the rest follows as a message)."""
        path = Path(out.file or "")
        data = await asyncio.to_thread(path.read_bytes)
        caption, rest = out.text[:1000], out.text[1000:]
        try:
            if path.suffix.lower() == ".png":
                message = await self.app.bot.send_photo(chat_id=out.chat.chat_id, photo=data,
                                                        caption=caption)
            else:
                message = await self.app.bot.send_document(
                    chat_id=out.chat.chat_id, document=data, filename=path.name, caption=caption)
            if rest:
                await self.app.bot.send_message(chat_id=out.chat.chat_id, text=rest)
        except TelegramError as exc:
            raise _translate(exc) from exc
        return SentRef(str(message.message_id))

    async def edit(self, out: Outgoing, message_id: str) -> None:
        kwargs = tgmap.to_platform(out, self._actions)
        kwargs.pop("entities", None)
        try:
            await self.app.bot.edit_message_text(message_id=int(message_id), **kwargs)
        except BadRequest as exc:
            text = str(exc).lower()
            if "not modified" in text or "not found" in text:
                return  # already showing this text, or the card was deleted: nothing to do
            raise _translate(exc) from exc
        except TelegramError as exc:
            raise _translate(exc) from exc


class _Polling(HTTPXRequest):
    """getUpdates' own connection (PTB keeps it apart from the one that sends), as PTB would
    build it (one connection), except that each poll first lets the loop run what is ready.

    Why (issue 14): PTB asks for the next page as soon as it has queued the last one, before
    the update is handled; writing a getUpdates costs as much CPU as a sendMessage (~1.5–2.5 ms
    here, PTB and httpx), and on the one event loop that CPU went in between the update and its
    reply — every lone message's reply left that much later. Yielding first lets the handling
    and the reply's send go ahead; the poll follows at once (in webhook mode nothing polls).
    A bounded number of turns, not "wait until handled": that covers a transaction that never
    waits (SQLite's inline driver); on PostgreSQL each statement waits on the server and the
    poll may still go first — waiting for the handling would stop the next page being fetched
    while a flood's page is written."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for _ in range(POLL_YIELDS):
            await asyncio.sleep(0)
        return await super().do_request(*args, **kwargs)


# What PTB raises for a 2xx answer that is not JSON (it checks the status first): the request
# was accepted, only its answer is lost.
UNREADABLE = "Invalid server response"


def _unanswered(exc: TimedOut) -> bool:
    """A read timeout: the request reached Telegram, the answer did not come back. (Connect and
    pool timeouts mean it never left: an ordinary retry is safe.)"""
    return isinstance(exc.__cause__, httpx.ReadTimeout)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _translate(exc: TelegramError) -> SendError:
    """Bot API errors → the outbox sender's vocabulary (order matters: BadRequest is a
    NetworkError subclass in PTB)."""
    if isinstance(exc, RetryAfter):
        return TransientSendError(str(exc), retry_after=_seconds(exc.retry_after))
    if isinstance(exc, Forbidden):
        return UnreachableError(str(exc))
    if isinstance(exc, ChatMigrated):  # the migrate update moves the binding and the queue
        return TransientSendError(str(exc), retry_after=1)
    if isinstance(exc, BadRequest):
        if "chat not found" in str(exc).lower():
            return UnreachableError(str(exc))
        return SendError(str(exc))
    if isinstance(exc, NetworkError):  # 5xx, timeouts, connection errors
        return TransientSendError(str(exc))
    return SendError(str(exc))
