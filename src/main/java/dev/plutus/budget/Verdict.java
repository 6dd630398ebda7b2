package dev.plutus.budget;

/**
 * The answer to "may more money go out?": ok, soft (warn) or hard (stop). Soft and hard name the
 * scope status that decided them: the worst one, the tightest limit first among equals.
 */
public sealed interface Verdict permits Verdict.Ok, Verdict.Soft, Verdict.Hard {

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

    Verdict OK = new Ok();
}
