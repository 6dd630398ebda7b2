package dev.plutus.budget;

import dev.plutus.core.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What a new budget would loosen compared with the one in force: a limit removed or raised, a
 * threshold raised, an enforcement mode lowered, periods moved (a new time zone or week start can
 * start a period with less spend in it), reservations held back less. A change that only adds or
 * lowers limits loosens nothing. {@link BudgetFile} makes a loosening hand edit wait until the file
 * has stopped changing for a while, so a save still being written never lets a limit go.
 */
public final class BudgetLoosening {
    private BudgetLoosening() {}

    /** One line per thing {@code next} loosens, for people and the log; empty when it loosens nothing. */
    public static List<String> between(BudgetConfig inForce, BudgetConfig next) {
        List<String> out = new ArrayList<>();
        for (ScopeKind kind : ScopeKind.values()) {
            ScopeLimits was = inForce.limits(kind);
            ScopeLimits now = next.limits(kind);
            String name = kind == ScopeKind.GLOBAL ? "global" : kind.yamlKey() + " default";
            compare(name, was.defaults(), now.defaults(), out);
            TreeSet<String> ids = new TreeSet<>(was.overrides().keySet());
            ids.addAll(now.overrides().keySet());
            for (String id : ids) {
                compare(kind.yamlKey() + " " + id, was.forId(id), now.forId(id), out);
            }
        }
        raised("soft_pct", inForce.softPct(), next.softPct(), out);
        raised("hard_pct", inForce.hardPct(), next.hardPct(), out);
        lowered("on_estimated", inForce.onEstimated(), next.onEstimated(), out);
        lowered("on_unpriced", inForce.onUnpriced(), next.onUnpriced(), out);
        if (!inForce.zone().equals(next.zone())) {
            out.add("timezone changed from " + inForce.zone() + " to " + next.zone() + " (moves where periods start)");
        }
        if (inForce.weekStart() != next.weekStart()) {
            out.add("week_start changed from " + inForce.weekStart() + " to " + next.weekStart() + " (moves where weeks start)");
        }
        reservations(inForce.reservations(), next.reservations(), out);
        return List.copyOf(out);
    }

    private static void compare(String name, Limits was, Limits now, List<String> out) {
        for (Window w : Window.values()) {
            Long o = was.perWindow().get(w);
            Long n = now.perWindow().get(w);
            String what = name + " " + w.label() + " limit";
            if (o != null && n == null) {
                out.add(what + " removed (was " + Money.usdShort(o) + ")");
            } else if (o != null && n > o) {
                out.add(what + " raised from " + Money.usdShort(o) + " to " + Money.usdShort(n));
            }
        }
    }

    private static void raised(String name, BigDecimal was, BigDecimal now, List<String> out) {
        if (now.compareTo(was) > 0) {
            out.add(name + " raised from " + was.toPlainString() + " to " + now.toPlainString());
        }
    }

    private static void lowered(String name, EnforcementMode was, EnforcementMode now, List<String> out) {
        if (strictness(now) < strictness(was)) {
            out.add(name + " lowered from " + label(was) + " to " + label(now));
        }
    }

    /** warn_only lets calls through, provisional counts unknown prices at a stand-in, enforce makes the verdict final. */
    private static int strictness(EnforcementMode m) {
        return switch (m) {
            case WARN_ONLY -> 0;
            case PROVISIONAL -> 1;
            case ENFORCE -> 2;
        };
    }

    private static String label(EnforcementMode m) {
        return m.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void reservations(ReservationSettings was, ReservationSettings now, List<String> out) {
        if (was.enabled() && !now.enabled()) {
            out.add("reservations turned off");
        }
        if (was.shared() && !now.shared()) {
            out.add("shared reservations turned off");
        }
        if (now.expectedOutputTokens() < was.expectedOutputTokens()) {
            out.add("reservations.expected_output_tokens lowered from " + was.expectedOutputTokens() + " to " + now.expectedOutputTokens());
        }
        if (now.ttl().compareTo(was.ttl()) < 0) {
            out.add("reservations.ttl shortened from " + was.ttl().toSeconds() + "s to " + now.ttl().toSeconds() + "s");
        }
        if (now.claim().compareTo(was.claim()) > 0) {
            out.add("reservations.claim lengthened from " + was.claim().toMillis() + "ms to " + now.claim().toMillis() + "ms");
        }
    }
}
