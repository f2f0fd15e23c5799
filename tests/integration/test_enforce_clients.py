"""node-postgres and pgjdbc against an enforcing gateway: connect, allowed queries (simple
and extended), a refusal as the driver reports it (node: err.code === '42501', err.hint;
JDBC: SQLState 42501, server message and hint), and the connection usable afterwards.
The scripts are written to a temporary directory; node resolves `pg` from tests/js."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from enforce_setup import data_snapshot, gateway  # noqa: F401
from harness import REPO_ROOT

pytestmark = pytest.mark.gateway_only

JS_DIR = REPO_ROOT / "tests" / "js"
JAR = Path(os.environ.get("PGJDBC_JAR", "/usr/share/java/postgresql.jar"))

NODE_SCRIPT = r"""
const { Client } = require('pg');
(async () => {
  const out = {};
  const c = new Client();  // PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
  await c.connect();
  out.status = (await c.query('SELECT status FROM tickets WHERE id = $1', [3])).rows[0].status;
  out.count = (await c.query('SELECT count(*)::int AS n FROM tickets')).rows[0].n;
  for (const [key, sql, params] of [['simple', 'DELETE FROM tickets WHERE id = 1', undefined],
                                    ['extended', 'DELETE FROM tickets WHERE id = $1', [1]]]) {
    try {
      await c.query(sql, params);
      out[key] = { error: null };
    } catch (e) {
      out[key] = { code: e.code, message: e.message, hint: e.hint, severity: e.severity };
    }
  }
  out.after = (await c.query('SELECT $1::text AS v', ['still usable'])).rows[0].v;
  await c.end();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error('FAILED', e); process.exit(1); });
"""

JAVA_SOURCE = r"""
import java.sql.*;
import java.util.Properties;
import org.postgresql.util.PSQLException;

public class EnforceJdbc {
  static String env(String k) { return System.getenv(k); }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + env("PGHOST") + ":" + env("PGPORT") + "/" + env("PGDATABASE");
    Properties p = new Properties();
    p.setProperty("user", env("PGUSER"));
    p.setProperty("password", env("PGPASSWORD"));
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "60");
    p.setProperty("prepareThreshold", "2");
    try (Connection c = DriverManager.getConnection(url, p)) {
      System.out.println("valid=" + c.isValid(5));
      try (PreparedStatement ps = c.prepareStatement("SELECT status FROM tickets WHERE id = ?")) {
        for (int i = 0; i < 4; i++) {  // crosses prepareThreshold: a named server-side statement
          ps.setInt(1, 3);
          try (ResultSet rs = ps.executeQuery()) { rs.next(); System.out.println("status=" + rs.getString(1)); }
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM tickets")) {
        rs.next();
        System.out.println("count=" + rs.getInt(1));
      }
      try (ResultSet rs = c.getMetaData().getColumns(null, "public", "tickets", null)) {
        int n = 0;
        while (rs.next()) n++;
        System.out.println("metadata_columns=" + n);
      } catch (SQLException e) {
        System.out.println("metadata_error=" + e.getSQLState() + " " + e.getMessage().replace('\n', ' '));
      }
      for (String mode : new String[] {"statement", "prepared"}) {
        try {
          if (mode.equals("statement")) {
            try (Statement s = c.createStatement()) { s.executeUpdate("DELETE FROM tickets WHERE id = 1"); }
          } else {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tickets WHERE id = ?")) {
              ps.setInt(1, 1);
              ps.executeUpdate();
            }
          }
          System.out.println(mode + "_denied=no");
        } catch (PSQLException e) {
          System.out.println(mode + "_sqlstate=" + e.getSQLState());
          System.out.println(mode + "_message=" + e.getServerErrorMessage().getMessage());
          System.out.println(mode + "_hint=" + e.getServerErrorMessage().getHint());
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'usable'")) {
        rs.next();
        System.out.println("after=" + rs.getString(1));
      }
    }
  }
}
"""


def test_node_pg_connect_query_and_denial(pg, gateway, tmp_path):  # noqa: F811
    if shutil.which("node") is None or not (JS_DIR / "node_modules" / "pg").is_dir():
        pytest.fail("node or tests/js/node_modules/pg missing (scripts/install-deps.sh)")
    before = data_snapshot(pg)
    script = tmp_path / "enforce_node.cjs"
    script.write_text(NODE_SCRIPT)
    env = gateway.env("support")
    env["NODE_PATH"] = str(JS_DIR / "node_modules")  # CommonJS require() honours NODE_PATH
    r = subprocess.run(["node", str(script)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["status"] == "pending" and out["count"] == 3, out
    for key in ("simple", "extended"):
        e = out[key]
        assert e.get("code") == "42501", (key, e)
        assert e["message"].startswith("airlock: ") and "tickets" in e["message"], (key, e)
        assert e.get("hint"), (key, e)
        assert e.get("severity") == "ERROR", (key, e)
    assert out["after"] == "still usable"
    assert data_snapshot(pg) == before


def test_jdbc_connect_query_and_denial(pg, gateway, tmp_path):  # noqa: F811
    if shutil.which("java") is None or not JAR.exists():
        pytest.fail(f"java or {JAR} missing (scripts/install-deps.sh installs them)")
    before = data_snapshot(pg)
    src = tmp_path / "EnforceJdbc.java"
    src.write_text(JAVA_SOURCE)
    # single-file source launch (JDK 11+): compiled in memory
    r = subprocess.run(["java", "-cp", str(JAR), str(src)], env=gateway.env("support"), cwd=tmp_path,
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    kv = {}
    for line in r.stdout.splitlines():
        k, _, v = line.partition("=")
        kv.setdefault(k, []).append(v)
    assert kv["valid"] == ["true"], r.stdout
    assert kv["status"] == ["pending"] * 4, r.stdout
    assert kv["count"] == ["3"], r.stdout
    for mode in ("statement", "prepared"):
        assert kv.get(f"{mode}_sqlstate") == ["42501"], r.stdout
        assert kv[f"{mode}_message"][0].startswith("airlock: "), r.stdout
        assert kv[f"{mode}_hint"][0] not in ("", "null"), r.stdout
    assert kv["after"] == ["usable"], r.stdout
    assert "metadata_error" not in kv, f"DatabaseMetaData.getColumns refused: {kv.get('metadata_error')}"
    assert kv["metadata_columns"] == ["4"], r.stdout
    assert data_snapshot(pg) == before
