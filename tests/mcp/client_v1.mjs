// An MCP client on @modelcontextprotocol/sdk 1.x (the legacy initialize handshake,
// protocol 2025-11-25), over Streamable HTTP or stdio. See steps.mjs for the arguments.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readRun, runAll, stdioEnv } from './steps.mjs';

const run = readRun();

function transport() {
  if (run.transport === 'stdio') {
    return new StdioClientTransport({ command: run.command, args: run.args ?? [],
                                      env: stdioEnv(run, getDefaultEnvironment()), stderr: 'inherit' });
  }
  const headers = run.bearer ? { Authorization: `Bearer ${run.bearer}` } : {};
  return new StreamableHTTPClientTransport(new URL(run.url), { requestInit: { headers } });
}

const code = await runAll(run, async () => {
  const client = new Client({ name: 'airlock-test-v1', version: '1.0.0' }, { capabilities: {} });
  const t = transport();
  // The stdio transport keeps no protocol version; the SDK tells it one if it can hold it.
  if (run.transport === 'stdio') t.setProtocolVersion = (v) => { t.protocolVersion = v; };
  await client.connect(t);
  return {
    client,
    info: () => ({ sdk: '1.x', protocolVersion: t.protocolVersion ?? null,
                   serverInfo: client.getServerVersion() ?? null, sessionId: t.sessionId ?? null }),
  };
});
process.exit(code);
