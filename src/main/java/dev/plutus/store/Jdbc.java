package dev.plutus.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Small JDBC helpers: every statement is parameterised, never spliced together from values. */
public final class Jdbc {
    private final DataSource dataSource;
    private final Dialect dialect;
    /** What readers that must see every call wait for first: calls acknowledged but not yet in the tables (the call journal). */
    private volatile Runnable pendingWrites = () -> {};

    public Jdbc(DataSource dataSource) {
        this(dataSource, Dialect.SQLITE);
    }

    public Jdbc(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Sets what {@link #awaitPendingWrites()} waits for (the engine's call journal reaching the tables). */
    public void pendingWrites(Runnable await) {
        this.pendingWrites = java.util.Objects.requireNonNull(await);
    }

    /**
     * Waits until every call acknowledged so far is in the tables: readers that must see every call
     * (reports, counts, backfill, re-pricing) call it first. Without a call journal it returns at once.
     */
    public void awaitPendingWrites() {
        pendingWrites.run();
    }

    /** Takes the writers' turn inside {@code c}'s transaction where the store needs it (see {@link Dialect#writerLock()}). */
    public void writerTurn(Connection c) throws SQLException {
        turn(c, dialect.writerLock());
    }

    private static void turn(Connection c, String lock) throws SQLException {
        if (lock != null) {
            try (var s = c.createStatement()) {
                s.execute(lock);
            }
        }
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    public interface TransactionBody<T> {
        T run(Connection c) throws SQLException;
    }

    public int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return update(c, sql, params);
        } catch (SQLException e) {
            throw new StoreException("update failed (" + firstWords(sql) + ")", e);
        }
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql, mapper, params);
        } catch (SQLException e) {
            throw new StoreException("query failed (" + firstWords(sql) + ")", e);
        }
    }

    public long queryLong(String sql, Object... params) {
        List<Long> rows = query(sql, rs -> rs.getLong(1), params);
        return rows.isEmpty() ? 0 : rows.get(0);
    }

    /**
     * Runs {@code body} in one write transaction, committing on success. Write transactions take
     * turns on every store (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so a
     * check-then-write inside one is atomic across processes and hosts alike.
     */
    public <T> T inTransaction(TransactionBody<T> body) {
        return inTransaction(body, dialect.writerLock());
    }

    /**
     * As {@link #inTransaction}, for writes that are republished anyway (reservation holds): the
     * commit need not wait for the disk (see {@link Dialect#ephemeralWriterLock()}). Never for calls.
     */
    public <T> T inEphemeralTransaction(TransactionBody<T> body) {
        return inTransaction(body, dialect.ephemeralWriterLock());
    }

    private <T> T inTransaction(TransactionBody<T> body, String lock) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                turn(c, lock);
                T result = body.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("transaction failed", e);
        }
    }

    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    public static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (p instanceof Boolean b) {
                ps.setInt(i + 1, b ? 1 : 0);
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    private static String firstWords(String sql) {
        String s = sql.strip().replaceAll("\\s+", " ");
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
