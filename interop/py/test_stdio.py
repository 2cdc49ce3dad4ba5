"""The official Python SDK client drives `hello` over stdio, in both protocol eras."""

import os

import pytest
from mcp import Client, StdioServerParameters

HELLO = os.environ.get("MCP_HELLO_BIN", "")


def text_of(result) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
async def test_hello_over_stdio(mode):
    assert HELLO, "set MCP_HELLO_BIN to the hello example binary"
    async with Client(StdioServerParameters(command=HELLO), mode=mode, read_timeout_seconds=20) as client:
        tools = await client.list_tools()
        assert [t.name for t in tools.tools] == ["echo", "add"]

        echo = await client.call_tool("echo", {"text": "hi there"})
        assert not echo.is_error
        assert text_of(echo) == "hi there"

        total = await client.call_tool("add", {"a": 2, "b": 3})
        assert not total.is_error
        assert total.structured_content == {"sum": 5.0}

        bad = await client.call_tool("add", {"a": "two", "b": 3})
        assert bad.is_error
        message = text_of(bad)
        assert "`a`" in message and "number" in message
