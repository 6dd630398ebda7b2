package dev.plutus.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What is known about each session, cached in front of {@link SessionStore}. A subagent inherits
 * its root session, cron job and sender from the session that delegated to it, so delegated work
 * counts toward the job's and the sender's budgets.
 */
public final class SessionDirectory {
    private static final int CACHE_LIMIT = 20_000;

    private final SessionStore store;
    private final CronSessionIds cronIds;
    /**
     * The cached sessions, read without a lock (a budget verdict looks its session up on every check).
     * Written only under {@code cache}'s lock, together with {@code cache}, which orders eviction.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, SessionRecord> published = new java.util.concurrent.ConcurrentHashMap<>();
    /** Raised after every change to {@code published}: while it reads the same, a record found earlier is still the one. */
    private final java.util.concurrent.atomic.AtomicLong revision = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, SessionRecord> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SessionRecord> eldest) {
            if (size() > CACHE_LIMIT) {
                published.remove(eldest.getKey());
                revision.incrementAndGet();
                return true;
            }
            return false;
        }
    };

    /**
     * Sessions looked up and not found, with when the miss expires: a budget check for a session
     * nobody has recorded yet must not query the database every time. Short-lived, because another
     * process may record the session meanwhile.
     */
    private final Map<String, Long> misses = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CACHE_LIMIT;
        }
    };
    private static final long MISS_TTL_NANOS = 2_000_000_000L;

    /**
     * With a call journal, a call's session sighting is journaled with the call and stored by the
     * journal's drainer ({@link JournalStore}), not written on the recording thread; these are the
     * sightings not yet known to be stored. Any other write about such a session stores its sighting
     * first, so it never updates a row that is not there yet.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, SessionRecord> unsaved = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean deferCallSightings;
    /**
     * Held by every write about a session, from what it reads to what it caches: two threads write sessions (the journal
     * tailer and the spool replayer), and a write that read the row before another thread's write must not cache its
     * older copy over the newer one (a subagent's link to its parent was lost that way, and its calls left out of the
     * parent's session budget).
     */
    private final Object writes = new Object();

    public SessionDirectory(SessionStore store, CronSessionIds cronIds) {
        this.store = store;
        this.cronIds = cronIds;
    }

    public Optional<SessionRecord> find(String sessionId) {
        return Optional.ofNullable(known(sessionId));
    }

    /**
     * As {@link #find}, null when the session is not known. A cached session is returned without a lock
     * (it is not marked recently used then: eviction is by when it was last stored or loaded).
     */
    public SessionRecord known(String sessionId) {
        if (sessionId == null) {
            return null;
        }
        SessionRecord published = this.published.get(sessionId);
        if (published != null) {
            return published;
        }
        long now = System.nanoTime();
        synchronized (cache) {
            SessionRecord hit = cache.get(sessionId);
            if (hit != null) {
                return hit;
            }
            Long missUntil = misses.get(sessionId);
            if (missUntil != null && now - missUntil < 0) {
                return null;
            }
        }
        Optional<SessionRecord> loaded = store.find(sessionId);
        if (loaded.isPresent()) {
            remember(loaded.get());
        } else {
            synchronized (cache) {
                misses.put(sessionId, now + MISS_TTL_NANOS);
            }
        }
        return loaded.orElse(null);
    }

    /**
     * A number that changes whenever a session record is cached, replaced or dropped: read before {@link #known},
     * the record it returned is still the one while this reads the same.
     */
    public long revision() {
        return revision.get();
    }

    /** From now on, a call's session sighting is stored with the call by the call journal ({@link #observeCall}). */
    public void deferCallSightings() {
        deferCallSightings = true;
    }

    /**
     * A sighting carried by a call: as {@link #observe}, but when the call journal stores sightings with
     * its calls, what the sighting adds is known here at once and written by the journal's drainer.
     */
    public SessionRecord observeCall(String sessionId, String platform, String model, String provider, Instant at) {
        synchronized (writes) {
            if (!deferCallSightings) {
                return observe(sessionId, platform, model, provider, at);
            }
            Optional<SessionRecord> known = find(sessionId);
            String cron = cronIds.jobOf(sessionId, platform).orElse(null);
            if (known.isPresent() && !changes(known.get(), platform, model, provider, cron)) {
                return known.get();
            }
            // What SessionStore.upsert would leave, worked out here instead of read back.
            SessionRecord merged = known.map(k -> new SessionRecord(k.sessionId(), platform != null ? platform : k.platform(),
                    model != null ? model : k.model(), provider != null ? provider : k.provider(),
                    k.cronJobId() != null ? k.cronJobId() : cron, k.senderId(), k.parentSessionId(), k.rootSessionId(),
                    at.isBefore(k.startedAt()) ? at : k.startedAt(), k.endedAt(), k.status()))
                    .orElseGet(() -> new SessionRecord(sessionId, platform, model, provider, cron, null, null, null, at, null, "running"));
            synchronized (cache) {
                unsaved.put(sessionId, merged);
                misses.remove(sessionId);
                cache.put(sessionId, merged);
                published.put(sessionId, merged);
                revision.incrementAndGet();
            }
            return merged;
        }
    }

    /**
     * Of these sessions, those whose sighting is still waiting for the call journal, with the row it
     * leaves (every call's change so far merged in); the others' rows are stored and no call changed them.
     */
    public Map<String, SessionRecord> pendingSightings(Iterable<String> sessionIds) {
        if (unsaved.isEmpty()) {
            return Map.of();
        }
        Map<String, SessionRecord> out = new java.util.HashMap<>();
        for (String id : sessionIds) {
            SessionRecord s = unsaved.get(id);
            if (s != null) {
                out.put(id, s);
            }
        }
        return out;
    }

    /**
     * The call journal stored these sightings. Each is let go unless a later call replaced it meanwhile: that
     * one is stored with its own call.
     */
    public void sightingsStored(Map<String, SessionRecord> stored) {
        for (Map.Entry<String, SessionRecord> e : stored.entrySet()) {
            unsaved.remove(e.getKey(), e.getValue());
        }
    }

    /** Stores now the sightings of these sessions that wait for the journal (their calls went to the table directly). */
    public void storeWaitingSightings(Iterable<String> sessionIds) {
        synchronized (writes) {
            for (String id : sessionIds) {
                storeSighting(id);
            }
        }
    }

    /** Stores a sighting still waiting for the journal, before another write about that session. */
    private void storeSighting(String sessionId) {
        if (sessionId == null || unsaved.isEmpty()) {
            return;
        }
        SessionRecord pending = unsaved.remove(sessionId);
        if (pending != null) {
            store.upsert(pending);
        }
    }

    /** Records a sighting of a session (start, or any hook that names it) and returns what is known. */
    public SessionRecord observe(String sessionId, String platform, String model, String provider, Instant at) {
        synchronized (writes) {
            storeSighting(sessionId);
            Optional<SessionRecord> known = find(sessionId);
            String cron = cronIds.jobOf(sessionId, platform).orElse(null);
            if (known.isPresent() && !changes(known.get(), platform, model, provider, cron)) {
                return known.get();
            }
            store.upsert(new SessionRecord(sessionId, platform, model, provider, cron, null, null, null, at, null, "running"));
            return reload(sessionId);
        }
    }

    /**
     * A session as a remote Plutus reports it with a call: created, or completed with the root, cron job
     * and sender it names (what is already known is kept, as for any sighting).
     */
    public SessionRecord reported(String sessionId, String rootSessionId, String cronJobId, String senderId, String provider,
            String model, Instant at) {
        synchronized (writes) {
            storeSighting(sessionId);
            String root = sessionId.equals(rootSessionId) ? null : rootSessionId;
            Optional<SessionRecord> known = find(sessionId);
            if (known.isPresent() && !adds(known.get(), root, cronJobId, senderId)) {
                return known.get();
            }
            store.upsert(new SessionRecord(sessionId, null, model, provider, cronJobId, senderId, null, root, at, null, "running"));
            return reload(sessionId);
        }
    }

    /**
     * A session as another tool recorded it (an import): created, or completed with what the record
     * adds; what is already known is kept, as for any sighting.
     */
    public SessionRecord imported(SessionRecord s) {
        synchronized (writes) {
            storeSighting(s.sessionId());
            store.upsert(s);
            return reload(s.sessionId());
        }
    }

    private static boolean adds(SessionRecord s, String root, String cron, String sender) {
        return (root != null && s.rootSessionId() == null) || (cron != null && s.cronJobId() == null)
                || (sender != null && s.senderId() == null);
    }

    /** Links a subagent to the session that delegated to it. */
    public SessionRecord linkChild(String childId, String parentId, Instant at) {
        synchronized (writes) {
            storeSighting(parentId);
            storeSighting(childId);
            SessionRecord parent = find(parentId).orElseGet(() -> observe(parentId, null, null, null, at));
            String root = parent.rootOrSelf();
            store.upsert(new SessionRecord(childId, "subagent", null, null, parent.cronJobId(), parent.senderId(), parentId,
                    root, at, null, "running"));
            return reload(childId);
        }
    }

    public void setSender(String sessionId, String senderId) {
        synchronized (writes) {
            storeSighting(sessionId);
            Optional<SessionRecord> s = find(sessionId);
            if (s.isPresent() && senderId.equals(s.get().senderId())) {
                return;
            }
            store.setSender(sessionId, senderId);
            reload(sessionId);
        }
    }

    public void end(String sessionId, String status, Instant at, String reason) {
        synchronized (writes) {
            storeSighting(sessionId);
            store.end(sessionId, status, at, reason);
            reload(sessionId);
        }
    }

    public void finalizeSession(String sessionId, Instant at, String reason) {
        synchronized (writes) {
            storeSighting(sessionId);
            store.finalizeIfRunning(sessionId, at, reason);
            reload(sessionId);
        }
    }

    public void countSubagent(String parentId) {
        synchronized (writes) {
            storeSighting(parentId);
            store.countSubagent(parentId);
        }
    }

    private static boolean changes(SessionRecord s, String platform, String model, String provider, String cron) {
        return (platform != null && !platform.equals(s.platform()))
                || (model != null && !model.equals(s.model()))
                || (provider != null && !provider.equals(s.provider()))
                || (cron != null && s.cronJobId() == null);
    }

    private SessionRecord reload(String sessionId) {
        SessionRecord s = store.find(sessionId).orElseThrow(() -> new IllegalStateException("session vanished: " + sessionId));
        remember(s);
        return s;
    }

    private void remember(SessionRecord s) {
        synchronized (cache) {
            misses.remove(s.sessionId());
            cache.put(s.sessionId(), s);
            published.put(s.sessionId(), s);
            revision.incrementAndGet();
        }
    }
}
