"""Gateway diagnostics (issue 16): the WeChat channel reports what the gateway said (a wrong
token, TLS expected, nothing listening), never claims to run before login, refuses a remote
gateway without a token, and never sends the endpoint as the token."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from bot.channels import wechat_status
from bot.channels.wechaty_compat import available
from core.channel import ChannelState, ChannelStatus, ChannelUnavailable, ConnectingChannel
from core.config import WechatSettings
from tests.fake_puppet.service import FakePuppet, PuppetServer

pytestmark = pytest.mark.skipif(
    not available(), reason="the wechat extra is not installed (pip install -e '.[wechat]')")

REPO = Path(__file__).resolve().parents[1]
TOKEN = "the-right-token"
Gateway = tuple[FakePuppet, PuppetServer]
FAST = {"reconnect_min_seconds": 0.05, "reconnect_max_seconds": 0.2}


def settings(endpoint: str) -> WechatSettings:
    return WechatSettings(endpoint=endpoint, **FAST)


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    puppet = FakePuppet(token=TOKEN)
    server = await PuppetServer(puppet).start()
    yield puppet, server
    await server.stop()


async def settle(endpoint: str, token: str | None) -> tuple[ChannelStatus, bool]:
    """Start a channel, wait for its first login or failure, stop it; (status, ready)."""
    from bot.channels.wechaty import WechatChannel

    channel = WechatChannel(settings(endpoint), token)

    async def ignore(_event: object) -> None:
        return None

    await channel.start(ignore)
    try:
        status = await asyncio.wait_for(channel.wait_settled(), 30)
        return status, channel.ready
    finally:
        await channel.stop()


def test_pure_diagnosis_keeps_the_gateways_own_words() -> None:
    rejected = wechat_status.diagnose(
        GRPCError(Status.UNAUTHENTICATED, "Invalid Wechaty TOKEN"), "gw:1")
    assert rejected.state is ChannelState.REJECTED
    assert rejected.detail == "UNAUTHENTICATED Invalid Wechaty TOKEN"
    refused = wechat_status.diagnose(ConnectionRefusedError(111, "Connection refused"), "gw:1")
    assert refused.state is ChannelState.UNREACHABLE and refused.detail == "Connection refused"
    tls = wechat_status.diagnose(ConnectionResetError(), "gw:1", tls=True)
    assert tls.state is ChannelState.TLS_EXPECTED
    assert wechat_status.is_local("127.0.0.1:8788") and wechat_status.is_local("localhost:1")
    assert wechat_status.is_local("[::1]:8788")
    assert not wechat_status.is_local("192.168.1.20:8788")
    assert not wechat_status.is_local("puppet.example.com:443")


def test_a_remote_gateway_without_a_token_is_refused_before_connecting() -> None:
    from bot.channels.wechaty import WechatChannel

    with pytest.raises(ChannelUnavailable) as refused:
        WechatChannel(settings("192.168.1.20:8788"), None)
    assert refused.value.reason == "no_token" and refused.value.detail == "CLASSBOT_WECHAT_TOKEN"
    local = WechatChannel(settings("127.0.0.1:8788"), None)
    assert isinstance(local, ConnectingChannel) and local.token == ""


async def test_a_wrong_token_is_reported_in_the_gateways_words(gateway: Gateway) -> None:
    _, server = gateway
    status, ready = await settle(server.endpoint, "wrong-token")
    assert status.state is ChannelState.REJECTED, status
    assert status.detail == "UNAUTHENTICATED Invalid Wechaty TOKEN"
    assert not ready
    status, ready = await settle(server.endpoint, TOKEN)
    assert status.state is ChannelState.RUNNING and ready


async def test_without_a_token_the_endpoint_is_never_sent_as_one(gateway: Gateway) -> None:
    puppet, server = gateway
    status, _ = await settle(server.endpoint, None)
    assert status.state is ChannelState.REJECTED
    assert puppet.authorities and server.endpoint not in puppet.authorities, puppet.authorities
    assert set(puppet.authorities) == {""}


async def tls_like_server() -> tuple[asyncio.Server, str]:
    """What a TLS gateway does with a plain HTTP/2 preface: a TLS alert, then close."""
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read(24)
            writer.write(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"127.0.0.1:{port}"


async def test_a_tls_gateway_and_a_dead_port_are_told_apart() -> None:
    from bot.channels.wechaty import check_gateway

    server, endpoint = await tls_like_server()
    try:
        status, ready = await settle(endpoint, TOKEN)
        assert status.state is ChannelState.TLS_EXPECTED, status
        assert not ready
        checked = await check_gateway(settings(endpoint), TOKEN)
        assert checked.state is ChannelState.TLS_EXPECTED, checked
    finally:
        server.close()
        await server.wait_closed()
    status, _ = await settle(endpoint, TOKEN)  # nothing listens there any more
    assert status.state is ChannelState.UNREACHABLE, status


async def test_check_gateway_does_not_open_the_event_stream(gateway: Gateway) -> None:
    from bot.channels.wechaty import check_gateway

    puppet, server = gateway
    wrong = await check_gateway(settings(server.endpoint), "nope")
    assert wrong.state is ChannelState.REJECTED
    assert wrong.detail == "UNAUTHENTICATED Invalid Wechaty TOKEN"
    right = await check_gateway(settings(server.endpoint), TOKEN)
    assert right.state is ChannelState.REACHABLE, right
    assert puppet.streams == 0
    remote = await check_gateway(settings("192.168.1.20:8788"), None)
    assert remote.state is ChannelState.REJECTED and "CLASSBOT_WECHAT_TOKEN" in remote.detail


async def test_classbot_run_says_why_and_never_claims_to_run(
        gateway: Gateway, tmp_path: Path) -> None:
    """A real `classbot run` against the gateway with a wrong token."""
    _, server = gateway
    (tmp_path / "config.yaml").write_text(
        f"channels: [wechat]\nwechat: {{endpoint: '{server.endpoint}', "
        f"reconnect_min_seconds: 0.05, reconnect_max_seconds: 0.2}}\n"
        f"database_url: 'sqlite:///{tmp_path}/c.db'\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "CLASSBOT_WECHAT_TOKEN": "wrong-token"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    said = ""
    try:
        assert process.stderr is not None
        while "Invalid Wechaty TOKEN" not in said:
            line = await asyncio.wait_for(process.stderr.readline(), 60)
            assert line, f"classbot exited: {said}"
            said += line.decode()
    finally:
        process.terminate()
        out, rest = await process.communicate()
    said += rest.decode()
    assert "UNAUTHENTICATED Invalid Wechaty TOKEN" in said
    assert "正在连接 wechat" in said
    assert "已在" not in said and "已在" not in out.decode(), said
