"""A fake WeChat gateway (wechaty puppet service over gRPC) for end-to-end tests."""

from tests.fake_puppet.service import (
    AT,
    IMAGE,
    TEXT,
    FakePuppet,
    PuppetFaults,
    PuppetServer,
    SentMessage,
)

__all__ = ["AT", "IMAGE", "TEXT", "FakePuppet", "PuppetFaults", "PuppetServer", "SentMessage"]
