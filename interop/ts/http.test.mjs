// The official TypeScript SDK client (legacy era) drives `hello_http` over
// Streamable HTTP. MCP_HELLO_HTTP_URL is the running server's endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.env.MCP_HELLO_HTTP_URL;

test("TypeScript SDK client lists and calls hello's tools over HTTP", { timeout: 30_000 }, async () => {
  assert.ok(url, "set MCP_HELLO_HTTP_URL to the hello_http endpoint");
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: "interop-ts-http", version: "1.0.0" });
  await client.connect(transport);
  try {
    assert.equal(client.getServerVersion()?.name, "hello");
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["echo", "add"]);

    const echo = await client.callTool({ name: "echo", arguments: { text: "over http" } });
    assert.equal(echo.isError, false);
    assert.deepEqual(echo.content, [{ type: "text", text: "over http" }]);

    const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    assert.deepEqual(sum.structuredContent, { sum: 5 });

    const bad = await client.callTool({ name: "add", arguments: { a: "two", b: 3 } });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /`a`/);
    assert.match(bad.content[0].text, /number/);
  } finally {
    await client.close();
  }
});
