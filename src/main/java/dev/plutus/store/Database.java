package dev.plutus.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Where Plutus keeps its data. By default the SQLite file under PLUTUS_HOME: WAL journal, busy
 * timeout, synchronous=NORMAL, foreign keys on, IMMEDIATE write transactions (so two processes never
 * deadlock upgrading a read lock). Or a PostgreSQL database (plutus.yaml {@code store.url}) that
 * several hosts share. Either way a HikariCP pool hands each connection to one thread at a time.
 */
public final class Database implements AutoCloseable {
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private final Path file;
    private final HikariDataSource pool;
    private final Jdbc jdbc;

    private Database(Path file, HikariDataSource pool, Dialect dialect) {
        this.file = file;
        this.pool = pool;
        this.jdbc = new Jdbc(pool, dialect);
    }

    public static Database open(Path file, int maxPoolSize) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create directory for " + file + ": " + e.getMessage(), e);
        }
        createOwnerOnly(file);
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        migrate(url);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("plutus-sqlite");
        hc.setJdbcUrl(url);
        connectionProperties().forEach((k, v) -> hc.addDataSourceProperty((String) k, v));
        hc.setMaximumPoolSize(maxPoolSize);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(30_000);
        hc.setAutoCommit(true);
        return new Database(file, new HikariDataSource(hc), Dialect.SQLITE);
    }

    /**
     * Creates the database file mode 0600 before SQLite does (SQLite would make it 0644 under the
     * usual umask): it holds every prompt's cost and session id. SQLite gives the -wal and -shm
     * files it makes later the database file's own mode.
     */
    private static void createOwnerOnly(Path file) {
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException | UnsupportedOperationException existingOrNotPosix) {
            // An existing database keeps the mode its owner gave it.
        } catch (IOException e) {
            throw new StoreException("cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    /** A PostgreSQL store: {@code url} as {@code jdbc:postgresql://host:port/db}; migrated on first use, by one host at a time. */
    public static Database openPostgres(String url, String user, String password, int maxPoolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("plutus-postgres");
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(maxPoolSize);
        hc.setMinimumIdle(1);
        // A store that is gone must fail a request in seconds, so the bridge spools and applies fail_mode.
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(5_000);
        hc.setAutoCommit(true);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to " + redact(url), e);
        }
        Database db = new Database(null, ds, Dialect.POSTGRES);
        try {
            db.migratePostgres();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return db;
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }

    private void migratePostgres() {
        jdbc.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(7400)");
                s.execute("CREATE TABLE IF NOT EXISTS plutus_schema (version BIGINT NOT NULL)");
                int version;
                try (var rs = s.executeQuery("SELECT MAX(version) FROM plutus_schema")) {
                    rs.next();
                    version = rs.getInt(1);
                }
                if (version > Schema.MIGRATIONS.size()) {
                    throw new IllegalStateException("database schema version " + version
                            + " is newer than this Plutus understands (" + Schema.MIGRATIONS.size() + "); upgrade Plutus");
                }
                for (int v = version; v < Schema.MIGRATIONS.size(); v++) {
                    for (String stmt : Dialect.POSTGRES.ddl(Schema.MIGRATIONS.get(v)).split(";\\s*\\n")) {
                        if (!stmt.isBlank()) {
                            s.execute(stmt);
                        }
                    }
                    s.execute("INSERT INTO plutus_schema(version) VALUES (" + (v + 1) + ")");
                }
            }
            return null;
        });
    }

    public Dialect dialect() {
        return jdbc.dialect();
    }

    public Jdbc jdbc() {
        return jdbc;
    }

    public Path file() {
        return file;
    }

    /**
     * Copies committed WAL pages into the database file without blocking writers (PASSIVE). A
     * long-lived process runs it every second so SQLite's own checkpoint (after 1000 WAL pages,
     * inside some writer's commit) seldom has anything left to do.
     */
    public void checkpoint() {
        if (jdbc.dialect() == Dialect.SQLITE) {
            jdbc.query("PRAGMA wal_checkpoint(PASSIVE)", rs -> rs.getInt(1));
        }
    }

    /**
     * A connection of its own, outside the pool, for a single long-lived user that keeps prepared
     * statements across transactions (the call journal's reader and drainer). SQLite only.
     */
    public Connection dedicatedConnection() {
        if (file == null) {
            throw new IllegalStateException("a dedicated connection is for the SQLite store only");
        }
        try {
            return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), connectionProperties());
        } catch (SQLException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    public int schemaVersion() {
        return (int) (jdbc.dialect() == Dialect.SQLITE ? jdbc.queryLong("PRAGMA user_version")
                : jdbc.queryLong("SELECT MAX(version) FROM plutus_schema"));
    }

    @Override
    public void close() {
        pool.close();
    }

    static Properties connectionProperties() {
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("synchronous", "NORMAL");
        p.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MS));
        p.setProperty("foreign_keys", "true");
        p.setProperty("transaction_mode", "IMMEDIATE");
        // 16 MiB of page cache per connection (default 2 MiB): index pages of recent inserts stay in memory.
        p.setProperty("cache_size", "-16384");
        // Nothing here reads generated keys (ids come back through RETURNING); left on, the driver runs a statement of
        // its own ("SELECT last_insert_rowid()", prepared anew) after every INSERT executed as an update.
        p.setProperty("jdbc.get_generated_keys", "false");
        return p;
    }

    /** Applies pending migrations in one IMMEDIATE transaction, so concurrent openers serialise. */
    private static void migrate(String url) {
        try (Connection c = DriverManager.getConnection(url, connectionProperties())) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                int version;
                try (var rs = s.executeQuery("PRAGMA user_version")) {
                    version = rs.next() ? rs.getInt(1) : 0;
                }
                if (version > Schema.MIGRATIONS.size()) {
                    throw new IllegalStateException("database schema version " + version
                            + " is newer than this Plutus understands (" + Schema.MIGRATIONS.size() + "); upgrade Plutus");
                }
                for (int v = version; v < Schema.MIGRATIONS.size(); v++) {
                    for (String stmt : Schema.MIGRATIONS.get(v).split(";\\s*\\n")) {
                        if (!stmt.isBlank()) {
                            s.execute(stmt);
                        }
                    }
                    s.execute("PRAGMA user_version = " + (v + 1));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open or migrate " + url, e);
        }
    }
}
