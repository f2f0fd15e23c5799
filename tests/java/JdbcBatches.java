// Runs batches with Statement.executeBatch (pgjdbc: one Parse/Bind/Describe/Execute per
// statement, one Sync per batch) and prints what the driver reports, for
// tests/integration/test_marker_never_leaks.py. Plain Java, no build tool:
//   javac -cp /usr/share/java/postgresql.jar -d OUT JdbcBatches.java
//   java -cp OUT:/usr/share/java/postgresql.jar JdbcBatches 'SQL1\nSQL2' 'SQL3' ...
// Each argument is one batch, its statements separated by newlines; an argument
// "EXECUTE<tab>SQL" runs SQL alone with Statement.execute. Connection settings come
// from PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE. Output, one line each, tabs separating:
//   OK <batch> <update counts>
//   ERR <batch> <depth in the getNextException chain> <SQLSTATE> <message>
//   VALID <true|false>   (the session after the last batch)
// A message is the server's primary message when there is one, else the driver's text;
// newlines are escaped as \n. Exit 0 unless the connection itself fails.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

public class JdbcBatches {
  // An argument with this prefix is one statement run by Statement.execute, not a batch.
  static final String EXECUTE = "EXECUTE\t";

  static String env(String k, String dflt) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? dflt : v;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + env("PGHOST", "127.0.0.1") + ":" + env("PGPORT", "5432") + "/"
        + env("PGDATABASE", "app");
    Properties p = new Properties();
    p.setProperty("user", env("PGUSER", "alice"));
    p.setProperty("password", env("PGPASSWORD", ""));
    p.setProperty("sslmode", "disable");
    p.setProperty("gssEncMode", "disable");
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "30");
    p.setProperty("ApplicationName", "airlock-jdbc-batches");
    // Settings go in the startup packet: no set-up statements of the driver's own, which a
    // rate-limited or paused agent would see refused before its first batch.
    p.setProperty("assumeMinServerVersion", "15");
    try (Connection c = DriverManager.getConnection(url, p)) {
      c.setAutoCommit(true);
      for (int i = 0; i < args.length; i++) {
        try (Statement s = c.createStatement()) {
          if (args[i].startsWith(EXECUTE)) {
            s.execute(args[i].substring(EXECUTE.length()));
            System.out.println("OK\t" + i + "\t" + s.getUpdateCount());
            continue;
          }
          for (String sql : args[i].split("\n")) {
            s.addBatch(sql);
          }
          System.out.println("OK\t" + i + "\t" + Arrays.toString(s.executeBatch()));
        } catch (SQLException e) {
          int depth = 0;
          for (SQLException x = e; x != null; x = x.getNextException(), depth++) {
            String text = x.getMessage();
            if (x instanceof PSQLException) {
              ServerErrorMessage m = ((PSQLException) x).getServerErrorMessage();
              if (m != null) {
                text = m.getMessage();
              }
            }
            System.out.println("ERR\t" + i + "\t" + depth + "\t" + x.getSQLState() + "\t" + oneLine(text));
          }
        }
      }
      System.out.println("VALID\t" + c.isValid(5));
    }
  }
}
