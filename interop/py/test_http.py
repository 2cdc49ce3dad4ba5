"""The official Python SDK client drives `hello_http` over Streamable HTTP, in both eras."""

import os

import pytest
from mcp import Client

URL = os.environ.get("MCP_HELLO_HTTP_URL", "")


def text_of(result) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
async def test_hello_over_http(mode):
    assert URL, "set MCP_HELLO_HTTP_URL to the hello_http endpoint"
    async with Client(URL, mode=mode, read_timeout_seconds=20) as client:
        tools = await client.list_tools()
        assert [t.name for t in tools.tools] == ["echo", "add"]

        echo = await client.call_tool("echo", {"text": "over http"})
        assert not echo.is_error
        assert text_of(echo) == "over http"

        total = await client.call_tool("add", {"a": 2, "b": 3})
        assert total.structured_content == {"sum": 5.0}

        bad = await client.call_tool("add", {"a": "two", "b": 3})
        assert bad.is_error
        assert "`a`" in text_of(bad) and "number" in text_of(bad)
