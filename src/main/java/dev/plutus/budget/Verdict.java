package dev.plutus.budget;

/**
 * The answer to "may more money go out?": ok, soft (warn) or hard (stop). Soft and hard name the
 * scope status that decided them: the worst one, the tightest limit first among equals. Unknown is
 * the answer when no verdict could be computed (the store failed, say): never to be read as ok; a
 * host applies its fail mode to it.
 */
public sealed interface Verdict permits Verdict.Ok, Verdict.Soft, Verdict.Hard, Verdict.Unknown {

    Level level();

    record Ok() implements Verdict {
        public Level level() {
            return Level.OK;
        }
    }

    record Soft(ScopeStatus cause) implements Verdict {
        public Level level() {
            return Level.SOFT;
        }
    }

    record Hard(ScopeStatus cause) implements Verdict {
        public Level level() {
            return Level.HARD;
        }
    }

    /** {@code reason} says what went wrong, for logs and for the caller's message. */
    record Unknown(String reason) implements Verdict {
        public Level level() {
            return Level.UNKNOWN;
        }
    }

    Verdict OK = new Ok();
}
