// node-postgres through the Airlock gateway. Connection settings come from the standard
// PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE environment variables (set by the pytest driver,
// tests/integration/test_node_pg.py). Run: node --test tests/js/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import Cursor from 'pg-cursor';

const { Client, Pool } = pg;

function client() {
  return new Client({ connectionTimeoutMillis: 10000 });
}

let c;
before(async () => {
  c = client();
  await c.connect();
});
after(async () => {
  await c?.end();
});

test('simple query', async () => {
  const r = await c.query('SELECT count(*)::int AS n, sum(qty)::int AS s FROM items');
  assert.deepEqual(r.rows, [{ n: 1000, s: 49500 }]);
});

test('multi-statement simple query', async () => {
  const r = await c.query('SELECT 1 AS a; SELECT 2 AS b;');
  assert.equal(r.length, 2);
  assert.deepEqual(r[0].rows, [{ a: 1 }]);
  assert.deepEqual(r[1].rows, [{ b: 2 }]);
});

test('parameterized query', async () => {
  const r = await c.query('SELECT id, name FROM items WHERE id = $1 OR name = $2 ORDER BY id', [7, 'item-900']);
  assert.deepEqual(r.rows, [{ id: 7, name: 'item-7' }, { id: 900, name: 'item-900' }]);
  const t = await c.query('SELECT $1::text AS t, $2::int AS i, $3::jsonb AS j, $4::bytea AS b',
    ['héllo ✓', 41, { k: [1, 2] }, Buffer.from([0, 1, 255])]);
  assert.equal(t.rows[0].t, 'héllo ✓');
  assert.equal(t.rows[0].i, 41);
  assert.deepEqual(t.rows[0].j, { k: [1, 2] });
  assert.deepEqual([...t.rows[0].b], [0, 1, 255]);
});

test('named prepared statement reused', async () => {
  for (let i = 1; i <= 8; i++) {
    const r = await c.query({ name: 'by_id', text: 'SELECT name FROM items WHERE id = $1', values: [i] });
    assert.equal(r.rows[0].name, `item-${i}`);
  }
});

test('transaction commit and rollback', async () => {
  await c.query('CREATE TEMP TABLE js_tx(a int)');
  await c.query('BEGIN');
  await c.query('INSERT INTO js_tx VALUES (1), (2)');
  await c.query('ROLLBACK');
  assert.equal((await c.query('SELECT count(*)::int AS n FROM js_tx')).rows[0].n, 0);
  await c.query('BEGIN');
  await c.query('INSERT INTO js_tx VALUES ($1)', [3]);
  await c.query('COMMIT');
  assert.equal((await c.query('SELECT sum(a)::int AS s FROM js_tx')).rows[0].s, 3);
});

test('query error then session still usable', async () => {
  await assert.rejects(c.query('SELECT * FROM no_such_table_js'), (err) => {
    assert.equal(err.code, '42P01');
    return true;
  });
  await assert.rejects(c.query('SELECT 1/$1::int', [0]), (err) => err.code === '22012');
  const r = await c.query('SELECT 5 AS five');
  assert.equal(r.rows[0].five, 5);
});

test('error inside transaction, then rollback', async () => {
  await c.query('BEGIN');
  await assert.rejects(c.query('SELECT nope'));
  await assert.rejects(c.query('SELECT 1'), (err) => err.code === '25P02');
  await c.query('ROLLBACK');
  assert.equal((await c.query('SELECT 1 AS x')).rows[0].x, 1);
});

test('cursor (pg-cursor) reads in batches', async () => {
  const cur = c.query(new Cursor('SELECT id FROM items ORDER BY id'));
  let total = 0;
  let last = 0;
  for (;;) {
    const rows = await cur.read(128);
    if (rows.length === 0) break;
    total += rows.length;
    last = rows[rows.length - 1].id;
  }
  await cur.close();
  assert.equal(total, 1000);
  assert.equal(last, 1000);
});

test('pool with concurrent clients', async () => {
  const pool = new Pool({ max: 8, connectionTimeoutMillis: 10000 });
  try {
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) => pool.query('SELECT $1::int * 2 AS v, pg_sleep(0.01)', [i])));
    assert.deepEqual(results.map((r) => r.rows[0].v), Array.from({ length: 32 }, (_, i) => i * 2));
  } finally {
    await pool.end();
  }
});

test('LISTEN/NOTIFY between two clients', async () => {
  const listener = client();
  await listener.connect();
  try {
    const got = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no notification within 5 s')), 5000);
      listener.on('notification', (msg) => { clearTimeout(t); resolve(msg); });
    });
    await listener.query('LISTEN js_chan');
    await c.query("SELECT pg_notify('js_chan', 'from node')");
    const msg = await got;
    assert.equal(msg.channel, 'js_chan');
    assert.equal(msg.payload, 'from node');
  } finally {
    await listener.end();
  }
});

test('wrong password is refused with 28P01', async () => {
  const bad = new Client({ password: 'definitely-wrong', connectionTimeoutMillis: 10000 });
  await assert.rejects(bad.connect(), (err) => {
    assert.equal(err.code, '28P01');
    return true;
  });
});
