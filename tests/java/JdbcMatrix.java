// pgjdbc cases of the driver matrix (tests/integration/test_driver_matrix.py) against the
// table dm_accounts(id, name, email, plan, hits) of a restricted agent. Plain Java:
//   javac -cp /usr/share/java/postgresql.jar -d OUT JdbcMatrix.java
//   java -cp OUT:/usr/share/java/postgresql.jar JdbcMatrix MODE
// Connection settings come from PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE; prepareThreshold
// is 5 (pgjdbc's default): the 5th execution of a PreparedStatement switches it to a named
// server-side statement. Modes:
//   prepared-select  SELECT by id, executed 8 times; then the count of named statements
//   prepared-update  UPDATE hits+1 WHERE id BETWEEN ? AND ?, one row each for ids 1..8 in
//                    autocommit, then the same statement over ids 1..40
//   autocommit-off   setAutoCommit(false), UPDATE plan of ids 1..3, commit
//   batch            executeBatch of 20 UPDATEs of hits, one row each, except entry 10 (index
//                    9), which updates ids 21..40
// Output, one line each, tabs separating:
//   ROW <id> <email> | COUNT <n> | NAMED <n> | COMMITTED
//   ERR <depth in the getNextException chain> <SQLSTATE> <message>
//   COUNTS <update counts of a BatchUpdateException>
//   VALID <true|false>   (the connection at the end: SELECT 1 after a rollback if needed)
// Newlines in messages are escaped as \n. Exit 0 unless the connection itself fails.
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

public class JdbcMatrix {
  static String env(String k, String dflt) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? dflt : v;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
  }

  static void report(SQLException e) {
    if (e instanceof BatchUpdateException) {
      int[] counts = ((BatchUpdateException) e).getUpdateCounts();
      System.out.println("COUNTS\t" + Arrays.toString(counts));
    }
    int depth = 0;
    for (SQLException x = e; x != null; x = x.getNextException(), depth++) {
      String text = x.getMessage();
      if (x instanceof PSQLException) {
        ServerErrorMessage m = ((PSQLException) x).getServerErrorMessage();
        if (m != null) {
          text = m.getMessage();
        }
      }
      System.out.println("ERR\t" + depth + "\t" + x.getSQLState() + "\t" + oneLine(text));
    }
  }

  // Named server-side statements of this session whose text starts with `prefix`.
  static void printNamed(Connection c, String prefix) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_prepared_statements "
             + "WHERE NOT from_sql AND starts_with(statement, ?)")) {
      ps.setString(1, prefix);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        System.out.println("NAMED\t" + rs.getLong(1));
      }
    }
  }

  static void preparedSelect(Connection c) throws SQLException {
    String sql = "SELECT id, email FROM dm_accounts WHERE id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 1; i <= 8; i++) {
        ps.setInt(1, i);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            System.out.println("ROW\t" + rs.getInt(1) + "\t" + rs.getString(2));
          }
        }
      }
      printNamed(c, "SELECT id, email FROM dm_accounts WHERE id = $1");
    }
  }

  static void preparedUpdate(Connection c) throws SQLException {
    String sql = "UPDATE dm_accounts SET hits = hits + 1 WHERE id BETWEEN ? AND ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 1; i <= 8; i++) {
        ps.setInt(1, i);
        ps.setInt(2, i);
        System.out.println("COUNT\t" + ps.executeUpdate());
      }
      printNamed(c, "UPDATE dm_accounts SET hits = hits + 1 WHERE id BETWEEN $1");
      ps.setInt(1, 1);
      ps.setInt(2, 40);
      System.out.println("COUNT\t" + ps.executeUpdate());
    }
  }

  static void autocommitOff(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      int n = s.executeUpdate("UPDATE dm_accounts SET plan = 'free' WHERE id <= 3");
      System.out.println("COUNT\t" + n);
    }
    c.commit();
    System.out.println("COMMITTED");
  }

  static void batch(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (int i = 1; i <= 20; i++) {
        s.addBatch(i == 10 ? "UPDATE dm_accounts SET hits = hits + 1 WHERE id > 20"
                           : "UPDATE dm_accounts SET hits = hits + 1 WHERE id = " + i);
      }
      System.out.println("COUNTS\t" + Arrays.toString(s.executeBatch()));
    }
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + env("PGHOST", "127.0.0.1") + ":" + env("PGPORT", "5432")
        + "/" + env("PGDATABASE", "app");
    Properties p = new Properties();
    p.setProperty("user", env("PGUSER", "alice"));
    p.setProperty("password", env("PGPASSWORD", ""));
    p.setProperty("sslmode", "disable");
    p.setProperty("gssEncMode", "disable");
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "30");
    p.setProperty("prepareThreshold", "5");
    p.setProperty("ApplicationName", "airlock-jdbc-matrix");
    try (Connection c = DriverManager.getConnection(url, p)) {
      try {
        switch (args[0]) {
          case "prepared-select": preparedSelect(c); break;
          case "prepared-update": preparedUpdate(c); break;
          case "autocommit-off": autocommitOff(c); break;
          case "batch": batch(c); break;
          default: throw new IllegalArgumentException("unknown mode " + args[0]);
        }
      } catch (SQLException e) {
        report(e);
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      }
      boolean valid;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
        valid = rs.next() && rs.getInt(1) == 1;
      } catch (SQLException e) {
        report(e);
        valid = false;
      }
      System.out.println("VALID\t" + valid);
    }
  }
}
