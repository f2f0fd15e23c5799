// The node-postgres agent of the soak test (tests/soak/soak.py starts it).
// Reads (masked, with parameters: the extended protocol), tagged inserts and a denied
// statement, in a loop, reconnecting after any connection error. Each write's outcome is one
// JSON line on stdout: {"tag", "status": "ok" | "refused" | "unknown", "sqlstate"}.
// Pauses while the file SOAK_PAUSE exists (writing SOAK_PAUSED), stops when SOAK_STOP exists.
// Environment: PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE, SOAK_PAUSE, SOAK_PAUSED, SOAK_STOP.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { Client } = require('pg');

const pauseFile = process.env.SOAK_PAUSE;
const pausedFile = process.env.SOAK_PAUSED;
const stopFile = process.env.SOAK_STOP;
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function say(o) { process.stdout.write(JSON.stringify(o) + '\n'); }

function classify(e) {
  const code = e && e.code;
  if (!code || code.startsWith('08') || code.startsWith('57P')) return 'unknown';
  return 'refused';
}

async function main() {
  let client = null;
  let stats = { reads: 0, writes_ok: 0, refused: 0, denied: 0, errors: 0, reconnects: 0, mask_leaks: 0 };
  for (let i = 0; ; i++) {
    if (fs.existsSync(stopFile)) break;
    if (fs.existsSync(pauseFile)) {
      if (client) { await client.end().catch(() => {}); client = null; }
      fs.writeFileSync(pausedFile, '1');
      while (fs.existsSync(pauseFile) && !fs.existsSync(stopFile)) await delay(50);
      try { fs.unlinkSync(pausedFile); } catch (e) { /* gone */ }
      continue;
    }
    if (!client) {
      const c = new Client({ connectionTimeoutMillis: 10000 });
      c.on('error', () => {});
      try {
        await c.connect();
        client = c;
        stats.reconnects++;
      } catch (e) {
        stats.errors++;
        await delay(500);
        continue;
      }
    }
    const tag = 'n-' + crypto.randomBytes(8).toString('hex');
    try {
      const k = 1 + (i * 7) % 900;
      const r = await client.query('SELECT id, email FROM public.customers WHERE id BETWEEN $1 AND $2',
                                   [k, k + 10]);
      stats.reads++;
      for (const row of r.rows) if (row.email && row.email.includes('@')) stats.mask_leaks++;
      if (i % 3 === 0) {
        try {
          await client.query(`INSERT INTO public.orders(customer_id, tag, qty) VALUES (${k}, '${tag}', 1)`);
          say({ tag, status: 'ok' });
          stats.writes_ok++;
        } catch (e) {
          say({ tag, status: classify(e), sqlstate: e.code || null });
          if (classify(e) === 'unknown') throw e;
          stats.refused++;
        }
      }
      if (i % 25 === 0) {
        const d = 'DENYTOKEN-' + crypto.randomBytes(8).toString('hex');
        try {
          await client.query(`UPDATE public.customers SET email = '${d}' WHERE id = ${k}`);
          say({ tag: d, status: 'ok', denied_expected: true });
        } catch (e) {
          if (e.code === '42501') stats.denied++;
          else if (classify(e) === 'unknown') throw e;
        }
      }
    } catch (e) {
      stats.errors++;
      if (classify(e) === 'unknown') {
        await client.end().catch(() => {});
        client = null;
        await delay(200);
      }
    }
    await delay(40);
  }
  if (client) await client.end().catch(() => {});
  say({ stats });
}

main().catch((e) => { console.error(e); process.exit(1); });
