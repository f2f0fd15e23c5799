// A scripted MCP agent on the official client, @modelcontextprotocol/sdk 1.x (the one the MCP
// tests pin in tests/mcp, `npm ci` in scripts/install-deps.sh), over Streamable HTTP with its
// own bearer secret. It connects (initialize), lists the tools, then makes each tool call in
// turn, as an LLM host would after reading a prompt-injected ticket. Airlock decides every
// call; this script only reports what came back. Driven by scripts/demo/replay.py:
//   stdin:  {"url": "http://127.0.0.1:PORT/mcp", "bearer": "...",
//            "calls": [{"tool": "query", "arguments": {"sql": "..."}}, ...]}
//   stdout: one JSON object {"server", "protocolVersion", "tools": [names],
//            "results": [[run], ...]} with one run per call, in the shapes of agent_node.mjs:
//            {"ok": true, "command": "SELECT", "rowCount": 1, "columns": [...], "rows": [[...]],
//             "untrusted": true}             (query: the text came wrapped as untrusted data)
//            {"ok": true, "command": "UPDATE", "rowCount": 1}                        (execute)
//            {"ok": false, "code": "42501", "message": "airlock: ... [rule]", "hint": "..."}
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/mcp/package.json', import.meta.url));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

function summarize(tool, result) {
  const text = textOf(result);
  if (result.isError) {
    // Airlock's refusal: the wire protocol's message, hint and SQLSTATE (docs/mcp.md, "Errors").
    const e = result._meta?.['airlock/error'] ?? {};
    return { ok: false, code: e.sqlstate ?? '', message: e.message ?? text, hint: e.hint ?? '',
             rule: e.rule ?? '', approval_id: e.approval_id ?? '' };
  }
  const s = result.structuredContent ?? {};
  if (tool === 'execute') {
    return { ok: true, command: (s.command ?? '').split(' ')[0], rowCount: s.rows_changed ?? null };
  }
  if (Array.isArray(s.rows)) {
    return {
      ok: true, command: 'SELECT', rowCount: s.row_count ?? s.rows.length,
      columns: (s.columns ?? []).map((c) => c.name), rows: s.rows.slice(0, 3),
      truncated: s.truncated === true, untrusted: /<untrusted-data-[0-9a-f]+_*>/.test(text),
    };
  }
  return { ok: true, command: tool, structured: s };
}

const job = await readStdin();
const client = new Client({ name: 'airlock-demo-agent', version: '1.0.0' }, { capabilities: {} });
const transport = new StreamableHTTPClientTransport(new URL(job.url), {
  requestInit: { headers: { Authorization: `Bearer ${job.bearer}` } },
});
await client.connect(transport);
const listed = await client.listTools();  // also lets the SDK check results against outputSchema
const results = [];
for (const call of job.calls) {
  const result = await client.callTool({ name: call.tool, arguments: call.arguments });
  results.push([summarize(call.tool, result)]);
}
await client.close();
process.stdout.write(JSON.stringify({
  server: client.getServerVersion() ?? null,
  protocolVersion: transport.protocolVersion ?? null,
  tools: listed.tools.map((t) => t.name),
  results,
}) + '\n');
