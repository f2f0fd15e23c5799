// Shared by client_v1.mjs and client_v2.mjs: reads the run description, connects a client
// through the transport the caller builds, runs the steps and prints one JSON line per step
// on stdout (driven by tests/integration/test_mcp_clients.py).
//
// The run description is a JSON object, from argv[2] or the environment variable MCP_RUN:
//   transport  "http" (default) or "stdio"
//   url        http: the MCP endpoint, e.g. http://127.0.0.1:PORT/mcp
//   bearer     http: the agent's secret, sent as "Authorization: Bearer ..." (default: env AIRLOCK_TOKEN)
//   command    stdio: the program to start (the airlock binary), args: its arguments
//              (e.g. ["mcp", "stdio", "--server", URL]); the child gets AIRLOCK_TOKEN
//              (from `bearer` or the environment) on top of the SDK's default environment
//   era        client_v2 only: "legacy" (initialize handshake, the 2.x default), "auto"
//              (server/discover probe, initialize fallback) or a pinned modern version
//              such as "2026-07-28"
//   steps      [{op: "listTools"}, {op: "callTool", name, arguments}, {op: "ping"}]
//
// Output: first {"op":"connect", ok, protocolVersion, serverInfo, tools} (connect always
// lists the tools once, so that both SDKs validate structuredContent against outputSchema
// in later calls: they only do so for tools they have seen in a tools/list), then per step
// {"step": i, "op", ok, ...}: listTools -> tools (name, annotations, has_output_schema);
// callTool -> isError, text (all text content joined), structuredContent; an exception ->
// ok:false, error, code. Exit code 0 when every line was printed (a step may fail), 2 when
// the connection itself failed, 3 on a bad run description.

export function readRun() {
  const raw = process.argv[2] ?? process.env.MCP_RUN;
  if (!raw) {
    console.error('usage: client_vN.mjs \'{"transport":"http","url":"...","steps":[...]}\' (or env MCP_RUN)');
    process.exit(3);
  }
  const run = JSON.parse(raw);
  run.transport ??= 'http';
  run.bearer ??= process.env.AIRLOCK_TOKEN;
  run.steps ??= [];
  return run;
}

export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function errorLine(e) {
  const status = e?.data?.status ?? (typeof e?.code === 'number' && e.code >= 100 && e.code < 600 ? e.code : null);
  return { ok: false, error: String(e?.message ?? e), code: e?.code ?? null, name: e?.name ?? null, http_status: status };
}

function toolSummary(t) {
  return {
    name: t.name,
    description: t.description ?? null,
    annotations: t.annotations ?? null,
    inputSchema: t.inputSchema ?? null,
    has_output_schema: t.outputSchema !== undefined,
  };
}

function callSummary(r) {
  const text = (r.content ?? []).filter(c => c.type === 'text').map(c => c.text).join('\n');
  return {
    ok: true,
    isError: r.isError === true,
    text,
    structuredContent: r.structuredContent ?? null,
    content_types: (r.content ?? []).map(c => c.type),
  };
}

// connect: async () => {client, info: {protocolVersion, serverInfo}}; the caller builds
// the transport and client for its SDK.
export async function runAll(run, connect) {
  let client;
  try {
    const c = await connect();
    client = c.client;
    const listed = await client.listTools();
    emit({ op: 'connect', ok: true, ...c.info(), tools: listed.tools.map(t => t.name) });
  } catch (e) {
    emit({ op: 'connect', ...errorLine(e) });
    try { await client?.close(); } catch { /* closing after a failed connect */ }
    return 2;
  }
  for (const [i, step] of run.steps.entries()) {
    const head = { step: i, op: step.op, name: step.name ?? null };
    try {
      if (step.op === 'listTools') {
        const r = await client.listTools();
        emit({ ...head, ok: true, tools: r.tools.map(toolSummary) });
      } else if (step.op === 'callTool') {
        const r = await client.callTool({ name: step.name, arguments: step.arguments ?? {} });
        emit({ ...head, ...callSummary(r) });
      } else if (step.op === 'ping') {
        const r = await client.ping();
        emit({ ...head, ok: true, result: r ?? null });
      } else {
        emit({ ...head, ok: false, error: `unknown op ${step.op}` });
      }
    } catch (e) {
      emit({ ...head, ...errorLine(e) });
    }
  }
  try { await client.close(); } catch { /* the process exits anyway */ }
  return 0;
}

export function stdioEnv(run, defaults) {
  const env = { ...defaults };
  if (run.bearer) env.AIRLOCK_TOKEN = run.bearer;
  return { ...env, ...(run.env ?? {}) };
}
