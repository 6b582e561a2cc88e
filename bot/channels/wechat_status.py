"""What went wrong with the WeChat gateway, in its own words: pure functions and one probe.

A session's failure used to surface as `gateway error (GRPCError)` while the gateway had said
exactly what was wrong (`UNAUTHENTICATED Invalid Wechaty TOKEN`). `diagnose` keeps the
gateway's status and message; a connection that dies before any gRPC answer is checked once
with `speaks_tls`, because a gateway behind TLS answers a plain HTTP/2 preface with a TLS
alert and the SDK only sees the connection drop.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress

from core.channel import ChannelState, ChannelStatus

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_TLS_RECORD_TYPES = (0x15, 0x16)  # alert, handshake
PROBE_TIMEOUT = 3.0


def split_endpoint(endpoint: str) -> tuple[str, int]:
    host, _, port = endpoint.rpartition(":")
    return host.strip("[]"), int(port)


def is_local(endpoint: str) -> bool:
    """A loopback address (or `localhost`): the only place a gateway without a token may be.
    Anywhere else the token is what keeps others off the school's WeChat account."""
    host = split_endpoint(endpoint)[0].lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _grpc_words(exc: BaseException) -> str | None:
    """`STATUS message` from a gRPC error (grpclib's GRPCError), else None."""
    status = getattr(exc, "status", None)
    if status is None or not hasattr(status, "name") or not hasattr(exc, "message"):
        return None
    message = getattr(exc, "message", None) or ""
    return f"{status.name} {message}".strip()


def diagnose(exc: BaseException, endpoint: str, *, tls: bool = False) -> ChannelStatus:
    """The status a failed session leaves (`tls`: the endpoint answered like a TLS server)."""
    words = _grpc_words(exc)
    if words is not None:
        rejected = words.split()[0] in ("UNAUTHENTICATED", "PERMISSION_DENIED")
        return ChannelStatus(ChannelState.REJECTED if rejected else ChannelState.ERROR,
                             words, endpoint)
    if tls:
        return ChannelStatus(ChannelState.TLS_EXPECTED,
                             f"the gateway speaks TLS ({type(exc).__name__})", endpoint)
    if isinstance(exc, (OSError, TimeoutError)) and not _dropped(exc):
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return ChannelStatus(ChannelState.UNREACHABLE, detail, endpoint)
    return ChannelStatus(ChannelState.ERROR, f"{type(exc).__name__}: {exc}".strip(": "),
                         endpoint)


def _dropped(exc: BaseException) -> bool:
    """The connection was made and then lost (reset, closed), rather than never made."""
    return isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError))


def may_be_tls(exc: BaseException) -> bool:
    """Worth a TLS probe: no gRPC answer, and not "nothing listens there"."""
    return _grpc_words(exc) is None and not isinstance(exc, (ConnectionRefusedError,
                                                             TimeoutError))


async def speaks_tls(endpoint: str, wait: float = PROBE_TIMEOUT) -> bool:
    """Send the HTTP/2 preface; a TLS server answers with a TLS record (alert or handshake)."""
    host, port = split_endpoint(endpoint)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), wait)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(PREFACE)
        await writer.drain()
        first = await asyncio.wait_for(reader.read(5), wait)
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return len(first) >= 3 and first[0] in _TLS_RECORD_TYPES and first[1] == 0x03
