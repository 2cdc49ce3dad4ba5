"""The seed article's agent code, verbatim in spirit: plain httpx POSTs to the
`saas_proxy` example, and its 429 loop (ratelimit-reset as the floor, plus jitter)."""

import os
import random
import time

import httpx

URL = os.environ.get("MCP_SAAS_PROXY_URL", "")


def call_mcp_tool(mcp_url: str, tool_name: str, arguments: dict, max_retries: int = 5) -> dict:
    payload = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": tool_name, "arguments": arguments},
    }
    for _attempt in range(max_retries):
        resp = httpx.post(mcp_url, json=payload, timeout=30)
        if resp.status_code == 429:
            reset_seconds = int(resp.headers.get("ratelimit-reset", 60))
            assert reset_seconds <= 5, "the test server asks for short waits"
            jitter = random.uniform(0, min(reset_seconds * 0.1, 5))
            time.sleep(reset_seconds + jitter)
            continue
        return resp.json()
    raise TimeoutError(f"Exhausted {max_retries} retries for {tool_name}")


def test_plain_post_lists_tools():
    assert URL, "set MCP_SAAS_PROXY_URL to the saas_proxy endpoint"
    response = httpx.post(URL, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
    tools = response.json()["result"]["tools"]
    assert "fetch_records" in [t["name"] for t in tools]


def test_rate_limit_headers_reach_the_agent():
    resp = httpx.post(
        URL,
        json={"jsonrpc": "2.0", "id": 2, "method": "tools/call",
              "params": {"name": "fetch_records", "arguments": {"scenario": "rate_limited"}}},
    )
    assert resp.status_code == 429
    assert resp.headers["ratelimit-limit"] == "100"
    assert resp.headers["ratelimit-remaining"] == "0"
    assert resp.headers["ratelimit-reset"] == "42"


def test_agent_loop_retries_after_the_reset():
    result = call_mcp_tool(URL, "fetch_records", {"scenario": "rate_limited_once"})
    assert result["result"]["isError"] is False


def test_upstream_errors_come_back_as_tool_errors():
    result = call_mcp_tool(URL, "fetch_records", {"scenario": "slack_error"})
    assert result["result"]["isError"] is True
    assert "channel_not_found" in result["result"]["content"][0]["text"]
