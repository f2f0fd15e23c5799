// A scripted agent on node-postgres: one connection through Airlock with its own identity,
// then each statement in turn over the simple query protocol (client.query(text), no values).
// Driven by scripts/demo/replay.py:
//   stdin:  {"user", "password", "host", "port", "database",
//            "statements": [{"sql": "...", "repeat": 1}, ...]}
//   stdout: one JSON array, per statement a list of per-run results:
//            {"ok": true, "command": "SELECT", "rowCount": 1, "columns": [...], "rows": [[...]]}
//            {"ok": false, "code": "42501", "message": "airlock: ...", "hint": "..."}
// The pg package is the one the JavaScript tests pin (tests/js, `npm ci` in scripts/install-deps.sh).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/js/package.json', import.meta.url));
const pg = require('pg');

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function summarize(res) {
  const last = Array.isArray(res) ? res[res.length - 1] : res;
  return {
    ok: true, command: last.command, rowCount: last.rowCount,
    columns: (last.fields || []).map((f) => f.name),
    rows: (last.rows || []).slice(0, 3).map((r) => Object.values(r)),
  };
}

const job = await readStdin();
const client = new pg.Client({
  host: job.host, port: job.port, user: job.user, password: job.password, database: job.database,
  application_name: `${job.user} (node-postgres)`, connectionTimeoutMillis: 10000,
});
await client.connect();
const out = [];
for (const st of job.statements) {
  const runs = [];
  for (let i = 0; i < (st.repeat || 1); i++) {
    try {
      runs.push(summarize(await client.query(st.sql)));
    } catch (e) {
      if (!e.code) throw e;  // not a server error: the connection is gone
      runs.push({ ok: false, code: e.code, message: e.message, hint: e.hint || '' });
    }
  }
  out.push(runs);
}
await client.end();
process.stdout.write(JSON.stringify(out) + '\n');
