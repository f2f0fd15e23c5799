// JDBC (pgjdbc) smoke test through the Airlock gateway. Plain Java, no build tool:
//   javac -cp /usr/share/java/postgresql.jar -d OUT JdbcSmoke.java
//   java -cp OUT:/usr/share/java/postgresql.jar JdbcSmoke
// Connection settings come from PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE. Exit 0 = all passed.
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

public class JdbcSmoke {
  static int checks = 0;

  static void check(boolean ok, String what) {
    checks++;
    if (!ok) {
      throw new AssertionError("FAILED: " + what);
    }
    System.out.println("ok " + checks + " - " + what);
  }

  static String env(String k, String dflt) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? dflt : v;
  }

  static long scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + env("PGHOST", "127.0.0.1") + ":" + env("PGPORT", "5432") + "/"
        + env("PGDATABASE", "app");
    Properties p = new Properties();
    p.setProperty("user", env("PGUSER", "alice"));
    p.setProperty("password", env("PGPASSWORD", ""));
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "60");
    p.setProperty("prepareThreshold", "5");
    p.setProperty("ApplicationName", "airlock-jdbc-smoke");

    try (Connection c = DriverManager.getConnection(url, p)) {
      check(c.isValid(5), "connected");
      check(scalar(c, "SELECT count(*) FROM items") == 1000, "simple query sees 1000 items");

      // Prepared statement with parameters, executed often enough to cross prepareThreshold
      // (the driver then switches to a named server-side statement).
      try (PreparedStatement ps = c.prepareStatement("SELECT name, qty FROM items WHERE id = ? AND qty >= ?")) {
        for (int i = 1; i <= 12; i++) {
          ps.setInt(1, i);
          ps.setInt(2, 0);
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next() && rs.getString(1).equals("item-" + i) && rs.getInt(2) == i % 100,
                "prepared execution " + i);
          }
        }
        long named = scalar(c, "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql "
            + "AND statement LIKE 'SELECT name, qty FROM items WHERE id = $1%'");
        check(named == 1, "named server-side statement exists after threshold (" + named + ")");
      }

      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE jdbc_t(id int PRIMARY KEY, v text)");
      }

      // Batch insert
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_t VALUES (?, ?)")) {
        for (int i = 0; i < 500; i++) {
          ps.setInt(1, i);
          ps.setString(2, "v" + i);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        int sum = 0;
        for (int n : counts) {
          sum += (n == Statement.SUCCESS_NO_INFO ? 1 : n);
        }
        check(counts.length == 500 && sum == 500, "batch insert of 500 rows");
      }
      check(scalar(c, "SELECT count(*) FROM jdbc_t") == 500, "batch rows visible");

      // Transaction: rollback then commit
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO jdbc_t VALUES (1000, 'rolled back')");
      }
      c.rollback();
      check(scalar(c, "SELECT count(*) FROM jdbc_t WHERE id = 1000") == 0, "rollback discarded the row");
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO jdbc_t VALUES (1001, 'committed')");
      }
      c.commit();
      c.setAutoCommit(true);
      check(scalar(c, "SELECT count(*) FROM jdbc_t WHERE id = 1001") == 1, "commit kept the row");

      // A failing statement, then recovery (autocommit)
      String state = null;
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT * FROM no_such_table_jdbc");
      } catch (SQLException e) {
        state = e.getSQLState();
      }
      check("42P01".equals(state), "undefined table gives 42P01 (" + state + ")");
      check(scalar(c, "SELECT 7") == 7, "session usable after error");

      // A failing batch (duplicate key) inside a transaction, then rollback and recovery
      c.setAutoCommit(false);
      state = null;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_t VALUES (?, 'dup')")) {
        ps.setInt(1, 2000);
        ps.addBatch();
        ps.setInt(1, 2000);
        ps.addBatch();
        ps.executeBatch();
      } catch (BatchUpdateException e) {
        SQLException next = e.getNextException();
        state = next != null ? next.getSQLState() : e.getSQLState();
      }
      check("23505".equals(state), "duplicate key in batch gives 23505 (" + state + ")");
      c.rollback();
      c.setAutoCommit(true);
      check(scalar(c, "SELECT count(*) FROM jdbc_t WHERE id = 2000") == 0, "failed batch rolled back");

      // Prepared statement error after the threshold, then the same statement again
      try (PreparedStatement ps = c.prepareStatement("SELECT 100 / ?")) {
        for (int i = 1; i <= 6; i++) {
          ps.setInt(1, i);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
          }
        }
        state = null;
        ps.setInt(1, 0);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
        } catch (SQLException e) {
          state = e.getSQLState();
        }
        check("22012".equals(state), "division by zero gives 22012 (" + state + ")");
        ps.setInt(1, 4);
        try (ResultSet rs = ps.executeQuery()) {
          check(rs.next() && rs.getInt(1) == 25, "named statement usable after error");
        }
      }
    }
    System.out.println("JdbcSmoke: " + checks + " passed, 0 failed");
  }
}
