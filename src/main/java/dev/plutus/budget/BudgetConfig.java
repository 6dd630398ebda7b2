package dev.plutus.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.Map;

/**
 * A parsed budget.yaml. Thresholds are fractions of a limit ({@code 0.80} = 80 %). Calendar
 * windows are cut in {@code zone}; weeks start on {@code weekStart}.
 */
public record BudgetConfig(
        Map<ScopeKind, ScopeLimits> scopes,
        BigDecimal softPct,
        BigDecimal hardPct,
        EnforcementMode onEstimated,
        EnforcementMode onUnpriced,
        ZoneId zone,
        DayOfWeek weekStart,
        ReservationSettings reservations) {

    public static final BigDecimal DEFAULT_SOFT = new BigDecimal("0.80");
    public static final BigDecimal DEFAULT_HARD = new BigDecimal("1.00");

    public BudgetConfig(Map<ScopeKind, ScopeLimits> scopes, BigDecimal softPct, BigDecimal hardPct, EnforcementMode onEstimated,
                        EnforcementMode onUnpriced, ZoneId zone, DayOfWeek weekStart) {
        this(scopes, softPct, hardPct, onEstimated, onUnpriced, zone, weekStart, ReservationSettings.DEFAULT);
    }

    public BudgetConfig {
        EnumMap<ScopeKind, ScopeLimits> copy = new EnumMap<>(ScopeKind.class);
        copy.putAll(scopes);
        scopes = Map.copyOf(copy);
        if (softPct.compareTo(hardPct) > 0) {
            throw new IllegalArgumentException("soft_pct must not be above hard_pct");
        }
    }

    /** No limits at all: spend is tracked (unknown models at provisional prices), nothing is enforced. */
    public static BudgetConfig none(ZoneId zone) {
        return new BudgetConfig(Map.of(), DEFAULT_SOFT, DEFAULT_HARD, EnforcementMode.WARN_ONLY,
                EnforcementMode.PROVISIONAL, zone, DayOfWeek.MONDAY);
    }

    public ScopeLimits limits(ScopeKind kind) {
        return scopes.getOrDefault(kind, ScopeLimits.NONE);
    }

    public Limits limitsFor(ScopeRef scope) {
        return limits(scope.kind()).forId(scope.id());
    }

    /** The scope as budget.yaml spells its id, for people to read. */
    public ScopeRef written(ScopeRef scope) {
        String spelling = limits(scope.kind()).written().get(scope.id());
        return spelling == null ? scope : scope.writtenAs(spelling);
    }

    public boolean hasAnyLimit() {
        return scopes.values().stream().anyMatch(s -> !s.isEmpty());
    }

    /**
     * The spend at which a limit turns soft or hard: the threshold times the limit, rounded up to the
     * micro-dollar; {@link Long#MAX_VALUE} when that is beyond a long (a limit built in code, not read
     * from budget.yaml, which caps limits at {@link Limits#MAX_USD}), so a verdict never fails on it.
     */
    public static long threshold(long limitMicros, BigDecimal pct) {
        BigDecimal t = BigDecimal.valueOf(limitMicros).multiply(pct).setScale(0, RoundingMode.CEILING);
        return t.compareTo(LONG_MAX) >= 0 ? Long.MAX_VALUE : t.longValueExact();
    }

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
}
