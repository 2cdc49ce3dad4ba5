// The MCP Inspector's command-line mode against `hello_http`. The Inspector needs
// Node.js >= 22: NODE22 is its path (the tests themselves run on any Node).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);
const url = process.env.MCP_HELLO_HTTP_URL;
const node22 = process.env.NODE22;
const cli = fileURLToPath(new URL("../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js", import.meta.url));

// The CLI prints the result as JSON; it exits 5 when a tool result has isError.
async function inspector(...args) {
  assert.ok(url && node22, "set MCP_HELLO_HTTP_URL and NODE22");
  try {
    const { stdout } = await run(node22, [cli, "--cli", url, ...args], { timeout: 60_000 });
    return JSON.parse(stdout);
  } catch (e) {
    if (e.code !== 5) throw e;
    const end = e.stdout.lastIndexOf("}\n{");
    return JSON.parse(end >= 0 ? e.stdout.slice(0, end + 1) : e.stdout);
  }
}

test("Inspector CLI lists hello's tools", { timeout: 90_000 }, async () => {
  const result = await inspector("--method", "tools/list");
  assert.deepEqual(result.tools.map((t) => t.name), ["echo", "add"]);
});

test("Inspector CLI calls add and sees validation errors", { timeout: 90_000 }, async () => {
  const sum = await inspector("--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=2", "--tool-arg", "b=3");
  assert.deepEqual(sum.structuredContent, { sum: 5 });
  const bad = await inspector("--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=two", "--tool-arg", "b=3");
  assert.equal(bad.isError, true);
});
