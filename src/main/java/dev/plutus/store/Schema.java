package dev.plutus.store;

import java.util.List;

/**
 * Versioned migrations. Version N is the N-th entry; the database records the last one applied in
 * {@code PRAGMA user_version}. Entries are append-only: a released migration is never edited.
 */
final class Schema {
    private Schema() {}

    static final List<String> MIGRATIONS = List.of(
            // 1: sessions, calls, tools, enforcement ledgers, rollups
            """
            CREATE TABLE sessions (
                session_id        TEXT PRIMARY KEY,
                platform          TEXT,
                model             TEXT,
                provider          TEXT,
                cron_job_id       TEXT,
                sender_id         TEXT,
                parent_session_id TEXT,
                root_session_id   TEXT,
                started_at        INTEGER NOT NULL,
                ended_at          INTEGER,
                status            TEXT NOT NULL DEFAULT 'running',
                end_reason        TEXT,
                subagents         INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX sessions_started_at ON sessions(started_at);
            CREATE INDEX sessions_cron ON sessions(cron_job_id, started_at);

            CREATE TABLE llm_calls (
                id                    INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id              TEXT UNIQUE,
                ts                    INTEGER NOT NULL,
                session_id            TEXT REFERENCES sessions(session_id),
                root_session_id       TEXT,
                platform              TEXT,
                cron_job_id           TEXT,
                sender_id             TEXT,
                provider              TEXT NOT NULL,
                model                 TEXT NOT NULL,
                response_model        TEXT,
                input_tokens          INTEGER NOT NULL,
                output_tokens         INTEGER NOT NULL,
                cache_read_tokens     INTEGER NOT NULL,
                cache_write_tokens    INTEGER NOT NULL,
                cache_write_1h_tokens INTEGER NOT NULL,
                reasoning_tokens      INTEGER NOT NULL,
                cost_micros           INTEGER NOT NULL,
                priced                INTEGER NOT NULL,
                price_entry           TEXT,
                estimated             INTEGER NOT NULL,
                latency_ms            INTEGER NOT NULL
            );
            CREATE INDEX llm_calls_ts ON llm_calls(ts);
            CREATE INDEX llm_calls_session ON llm_calls(session_id);

            CREATE TABLE tool_calls (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id    TEXT UNIQUE,
                ts          INTEGER NOT NULL,
                session_id  TEXT REFERENCES sessions(session_id),
                tool_name   TEXT NOT NULL,
                status      TEXT NOT NULL,
                error_type  TEXT,
                duration_ms INTEGER NOT NULL
            );
            CREATE INDEX tool_calls_ts ON tool_calls(ts);

            CREATE TABLE usage_hourly (
                hour                  INTEGER NOT NULL,
                provider              TEXT NOT NULL,
                model                 TEXT NOT NULL,
                platform              TEXT NOT NULL,
                cron_job_id           TEXT NOT NULL,
                calls                 INTEGER NOT NULL,
                estimated_calls       INTEGER NOT NULL,
                unpriced_calls        INTEGER NOT NULL,
                input_tokens          INTEGER NOT NULL,
                output_tokens         INTEGER NOT NULL,
                cache_read_tokens     INTEGER NOT NULL,
                cache_write_tokens    INTEGER NOT NULL,
                reasoning_tokens      INTEGER NOT NULL,
                cost_micros           INTEGER NOT NULL,
                latency_ms            INTEGER NOT NULL,
                PRIMARY KEY (hour, provider, model, platform, cron_job_id)
            );

            CREATE TABLE tools_hourly (
                hour        INTEGER NOT NULL,
                tool_name   TEXT NOT NULL,
                calls       INTEGER NOT NULL,
                failures    INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL,
                PRIMARY KEY (hour, tool_name)
            );

            CREATE TABLE rollup_state (
                source  TEXT PRIMARY KEY,
                last_id INTEGER NOT NULL
            );
            INSERT INTO rollup_state(source, last_id) VALUES ('llm_calls', 0), ('tool_calls', 0);

            CREATE TABLE budget_alerts (
                scope        TEXT NOT NULL,
                scope_id     TEXT NOT NULL,
                window       TEXT NOT NULL,
                period_key   TEXT NOT NULL,
                level        TEXT NOT NULL,
                fired_at     INTEGER NOT NULL,
                spent_micros INTEGER NOT NULL,
                limit_micros INTEGER NOT NULL,
                UNIQUE (scope, scope_id, window, period_key, level)
            );

            CREATE TABLE cron_pauses (
                cron_job_id TEXT NOT NULL,
                window      TEXT NOT NULL,
                period_key  TEXT NOT NULL,
                paused_at   INTEGER NOT NULL,
                reason      TEXT NOT NULL,
                UNIQUE (cron_job_id, window, period_key)
            );

            CREATE TABLE unpriced_models (
                provider   TEXT NOT NULL,
                model      TEXT NOT NULL,
                first_seen INTEGER NOT NULL,
                PRIMARY KEY (provider, model)
            );

            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """,
            // 2: /v1/usage — API keys (only a SHA-256 of each secret), workspaces, where each ingested call
            // came from, and answers kept for Idempotency-Key retries
            """
            CREATE TABLE api_keys (
                key_id        TEXT PRIMARY KEY,
                name          TEXT NOT NULL,
                secret_sha256 BLOB NOT NULL UNIQUE,
                hint          TEXT NOT NULL,
                created_at    INTEGER NOT NULL,
                revoked_at    INTEGER,
                last_used_at  INTEGER
            );

            CREATE TABLE workspaces (
                name       TEXT PRIMARY KEY,
                created_at INTEGER NOT NULL
            );

            CREATE TABLE ingested_calls (
                call_id         INTEGER PRIMARY KEY REFERENCES llm_calls(id) ON DELETE CASCADE,
                key_id          TEXT NOT NULL,
                workspace       TEXT NOT NULL,
                task_type       TEXT NOT NULL,
                source          TEXT NOT NULL,
                tracked_tokens  INTEGER NOT NULL,
                over_free_limit INTEGER NOT NULL
            );

            CREATE TABLE idempotent_requests (
                key_id          TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                request_sha256  TEXT NOT NULL,
                status          INTEGER NOT NULL,
                response        TEXT NOT NULL,
                created_at      INTEGER NOT NULL,
                PRIMARY KEY (key_id, idempotency_key)
            );
            """,
            // 3: runway — console balances users calibrate against, burn-rate snapshots, low-runway alert
            // crossings, and every routing decision with the backup it made
            """
            CREATE TABLE runway_calibrations (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                provider       TEXT NOT NULL,
                calibrated_at  INTEGER NOT NULL,
                balance_micros INTEGER NOT NULL,
                spent_micros   INTEGER NOT NULL
            );
            CREATE INDEX runway_calibrations_provider ON runway_calibrations(provider, calibrated_at);

            CREATE TABLE runway_snapshots (
                taken_at         INTEGER NOT NULL,
                provider         TEXT NOT NULL,
                source           TEXT NOT NULL,
                remaining_micros INTEGER,
                burn_micros_day  INTEGER NOT NULL,
                days_left        TEXT,
                PRIMARY KEY (provider, taken_at)
            );

            CREATE TABLE runway_alerts (
                provider   TEXT NOT NULL,
                kind       TEXT NOT NULL,
                active     INTEGER NOT NULL,
                fired_at   INTEGER NOT NULL,
                cleared_at INTEGER,
                announced  INTEGER NOT NULL DEFAULT 0,
                message    TEXT NOT NULL,
                PRIMARY KEY (provider, kind)
            );

            CREATE TABLE route_decisions (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                decided_at INTEGER NOT NULL,
                config     TEXT NOT NULL,
                plan       TEXT NOT NULL,
                reasons    TEXT NOT NULL,
                outcome    TEXT NOT NULL,
                backup     TEXT
            );
            """,
            // 4: remote mode — model calls waiting to be sent to the central Plutus; a row leaves only
            // once the central instance has committed it (or stays, with the reason, if it refused it)
            """
            CREATE TABLE remote_outbox (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id    TEXT NOT NULL UNIQUE,
                body        TEXT NOT NULL,
                created_at  INTEGER NOT NULL,
                batch_key   TEXT,
                attempts    INTEGER NOT NULL DEFAULT 0,
                last_error  TEXT,
                rejected    TEXT
            );
            CREATE INDEX remote_outbox_batch ON remote_outbox(batch_key);
            """,
            // 5: reservations held in the database (budget.yaml reservations.shared): per process and scope,
            // the money that process holds now, so processes sharing the database see each other's calls in flight
            """
            CREATE TABLE reservation_holds (
                owner        TEXT NOT NULL,
                scope        TEXT NOT NULL,
                micros       INTEGER NOT NULL,
                refreshed_at INTEGER NOT NULL,
                PRIMARY KEY (scope, owner)
            );
            """,
            // 6: the sender's own time for a call it dated ahead of its arrival; the call counts (ts) at its arrival,
            // so no sender's clock moves a budget period, and what the sender said is kept
            """
            ALTER TABLE llm_calls ADD COLUMN reported_ts INTEGER;
            """,
            // 7: provisional prices — a call to a model with no known price is counted at a stand-in price
            // and flagged, so it can be re-priced (its rollup adjusted) once a real price appears; the
            // conversation is told once per session and model
            """
            ALTER TABLE llm_calls ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX llm_calls_provisional ON llm_calls(id) WHERE provisional = 1;
            ALTER TABLE usage_hourly ADD COLUMN provisional_calls INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE usage_hourly ADD COLUMN provisional_micros INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE provisional_notices (
                session_id TEXT NOT NULL,
                provider   TEXT NOT NULL,
                model      TEXT NOT NULL,
                noticed_at INTEGER NOT NULL,
                PRIMARY KEY (session_id, provider, model)
            );
            """,
            // 8: runway across processes — each provider's last answer (so `plutus runway` from a shell uses
            // the same cache as the daemon), and low-runway alerts a webhook has not yet taken, kept until
            // it does, with when to try again
            """
            CREATE TABLE runway_readings (
                cache_key  TEXT PRIMARY KEY,
                fetched_at INTEGER NOT NULL,
                answer     TEXT NOT NULL
            );

            CREATE TABLE runway_alert_outbox (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at   INTEGER NOT NULL,
                body         TEXT NOT NULL,
                attempts     INTEGER NOT NULL DEFAULT 0,
                next_at      INTEGER NOT NULL,
                last_error   TEXT,
                delivered_at INTEGER
            );
            CREATE INDEX runway_alert_outbox_due ON runway_alert_outbox(delivered_at, next_at);
            """,
            // 9: what the tool a call was imported from (hermes-telemetry) said it cost, kept beside Plutus's own
            // price so the two can be compared; null for calls Plutus saw itself
            """
            ALTER TABLE llm_calls ADD COLUMN peer_cost_micros INTEGER;
            """,
            // 10: latency told apart from "not measured" — llm_calls.latency_ms has been NOT NULL since 1 and holds 0 for a
            // call whose latency nobody measured (no model call answers in 0 ms); rollups count the calls that had one, so an
            // average leaves the others out. Hours rolled up before this count what their raw rows, where still kept, say.
            """
            ALTER TABLE usage_hourly ADD COLUMN latency_calls INTEGER NOT NULL DEFAULT 0;
            UPDATE usage_hourly SET latency_calls = CASE WHEN latency_ms = 0 THEN 0 ELSE COALESCE(NULLIF((SELECT COUNT(*) FROM llm_calls l
                WHERE l.ts >= usage_hourly.hour * 3600000 AND l.ts < (usage_hourly.hour + 1) * 3600000 AND l.provider = usage_hourly.provider
                AND l.model = usage_hourly.model AND COALESCE(l.platform, '') = usage_hourly.platform
                AND COALESCE(l.cron_job_id, '') = usage_hourly.cron_job_id AND l.latency_ms > 0), 0), usage_hourly.calls) END;
            """,
            // 11: the engine's call journal (calls acknowledged once appended to PLUTUS_HOME/journal, stored here
            // behind it): how far into the journal the calls table has caught up, committed with the rows drained
            """
            CREATE TABLE call_journal_position (
                id          INTEGER PRIMARY KEY CHECK (id = 1),
                file_seq    INTEGER NOT NULL,
                file_offset INTEGER NOT NULL
            );
            INSERT INTO call_journal_position(id, file_seq, file_offset) VALUES (1, 0, 0);
            """,
            // 12: tool durations told apart from "not measured", as 10 did for model-call latency: tool_calls.duration_ms holds 0
            // when the host reported no duration; rollups count the timed calls, so an average leaves the others out and a tool
            // never timed shows no average at all. Hours rolled up before this count what their raw rows, where still kept, say.
            """
            ALTER TABLE tools_hourly ADD COLUMN timed_calls INTEGER NOT NULL DEFAULT 0;
            UPDATE tools_hourly SET timed_calls = CASE WHEN duration_ms = 0 THEN 0 ELSE COALESCE(NULLIF((SELECT COUNT(*) FROM tool_calls t
                WHERE t.ts >= tools_hourly.hour * 3600000 AND t.ts < (tools_hourly.hour + 1) * 3600000
                AND t.tool_name = tools_hourly.tool_name AND t.duration_ms > 0), 0), tools_hourly.calls) END;
            """,
            // 13: /stats without reading a period's raw calls. Which sessions had calls in which hour, rolled up like usage
            // (its own position, caught up from the first call on the first roll-up); the few auxiliary calls and calls
            // priced with a flag mark (every mark ends in ')') found through partial indexes instead of every call's row.
            """
            CREATE TABLE session_hours (
                hour       INTEGER NOT NULL,
                session_id TEXT NOT NULL,
                PRIMARY KEY (hour, session_id)
            );
            INSERT INTO rollup_state(source, last_id) VALUES ('llm_call_sessions', 0);
            CREATE INDEX llm_calls_auxiliary ON llm_calls(ts) WHERE event_id LIKE 'aux:%';
            CREATE INDEX llm_calls_price_marked ON llm_calls(ts) WHERE price_entry LIKE '%)';
            """);
}
