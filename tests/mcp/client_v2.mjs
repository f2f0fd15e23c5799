// An MCP client on @modelcontextprotocol/client 2.x, over Streamable HTTP or stdio.
// run.era: "legacy" (default of 2.x: initialize, 2025-11-25), "auto" (server/discover
// probe with fallback to initialize) or a modern version to pin ("2026-07-28").
// See steps.mjs for the other arguments.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
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

function negotiation() {
  const era = run.era ?? 'legacy';
  if (era === 'legacy' || era === 'auto') return { mode: era };
  return { mode: { pin: era } };
}

const code = await runAll(run, async () => {
  const client = new Client({ name: 'airlock-test-v2', version: '2.0.0' },
                            { capabilities: {}, versionNegotiation: negotiation() });
  await client.connect(transport());
  return {
    client,
    info: () => ({ sdk: '2.x', protocolVersion: client.getNegotiatedProtocolVersion() ?? null,
                   era: client.getProtocolEra() ?? null, serverInfo: client.getServerVersion() ?? null }),
  };
});
process.exit(code);
