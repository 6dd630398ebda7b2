package dev.plutus.provider;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Rate-limit state read from a provider's response headers: per window, how much is left or how
 * much of it is used, and when it resets. {@code status} is the provider's own word where it gives
 * one ({@code allowed}, {@code allowed_warning}, {@code rejected}), else {@code ok} or {@code limited}.
 */
public record RateLimitStatus(String status, List<Window> windows, Long retryAfterSeconds) {

    public RateLimitStatus {
        windows = List.copyOf(windows);
    }

    /**
     * One limit: {@code name} such as {@code tokens}, {@code requests}, {@code 5h}, {@code 7d};
     * {@code limit}/{@code remaining} for counted limits, {@code utilization} (0..1) for the
     * subscription windows; any may be null.
     */
    public record Window(String name, Long limit, Long remaining, BigDecimal utilization, Instant resetsAt, String status) {}

    /** The most used window as a fraction 0..1, or null when no window says. */
    public BigDecimal worstUtilization() {
        BigDecimal worst = null;
        for (Window w : windows) {
            BigDecimal u = w.utilization();
            if (u == null && w.limit() != null && w.remaining() != null && w.limit() > 0) {
                u = BigDecimal.valueOf(w.limit() - w.remaining()).divide(BigDecimal.valueOf(w.limit()), 4,
                        java.math.RoundingMode.HALF_UP);
            }
            if (u != null && (worst == null || u.compareTo(worst) > 0)) {
                worst = u;
            }
        }
        return worst;
    }
}
