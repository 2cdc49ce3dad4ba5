// The official TypeScript SDK client (legacy era) drives `hello` over stdio.
// MCP_HELLO_BIN is the path of the built `hello` example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const bin = process.env.MCP_HELLO_BIN;

test("TypeScript SDK client lists and calls hello's tools over stdio", { timeout: 30_000 }, async () => {
  assert.ok(bin, "set MCP_HELLO_BIN to the hello example binary");
  const transport = new StdioClientTransport({ command: bin, stderr: "inherit" });
  const client = new Client({ name: "interop-ts", version: "1.0.0" });
  await client.connect(transport);
  try {
    assert.equal(client.getServerVersion()?.name, "hello");

    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["echo", "add"]);
    const add = tools.find((t) => t.name === "add");
    assert.equal(add.inputSchema.type, "object");
    assert.deepEqual(add.inputSchema.required, ["a", "b"]);

    const echo = await client.callTool({ name: "echo", arguments: { text: "hi there" } });
    assert.equal(echo.isError, false);
    assert.deepEqual(echo.content, [{ type: "text", text: "hi there" }]);

    const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    assert.equal(sum.isError, false);
    assert.deepEqual(sum.structuredContent, { sum: 5 });
    assert.match(sum.content[0].text, /5/);

    const bad = await client.callTool({ name: "add", arguments: { a: "two", b: 3 } });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /`a`/);
    assert.match(bad.content[0].text, /number/);
  } finally {
    await client.close();
  }
});
