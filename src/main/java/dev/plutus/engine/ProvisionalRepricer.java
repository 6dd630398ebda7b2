package dev.plutus.engine;

import dev.plutus.budget.LedgerSync;
import dev.plutus.budget.PeriodCalendar;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.store.CallStore;
import dev.plutus.store.CallStore.ProvisionalCall;
import dev.plutus.store.CallStore.Repricing;
import dev.plutus.store.MetaStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps calls stored at provisional prices in step with the price tables: when the tables change,
 * a call whose model now has a price is re-priced at it (and is no longer provisional), the others
 * at the current stand-in price; rollups follow in the same transaction, and the running totals
 * are rebuilt so verdicts follow at once. Other processes sharing the store see the store's
 * re-priced mark change and rebuild theirs ({@link #followOthers()}).
 */
final class ProvisionalRepricer {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionalRepricer.class);
    private static final int BATCH = 1_000;

    private final CallStore calls;
    private final PricingEngine pricing;
    private final LedgerSync tracker;
    private final MetaStore meta;
    private final Supplier<PeriodCalendar> calendar;
    private final Clock clock;
    private long pricedAtGeneration = -1;
    private String seenMark;

    /** Reads the store's re-priced mark now: the caller rebuilds its totals right after. */
    ProvisionalRepricer(CallStore calls, PricingEngine pricing, LedgerSync tracker, MetaStore meta,
            Supplier<PeriodCalendar> calendar, Clock clock) {
        this.calls = calls;
        this.pricing = pricing;
        this.tracker = tracker;
        this.meta = meta;
        this.calendar = calendar;
        this.clock = clock;
        this.seenMark = mark();
    }

    /** Re-prices stored provisional calls if the price tables changed since the last pass; returns how many changed. */
    synchronized int repriceIfPricesChanged() {
        long generation = pricing.generation();
        if (generation == pricedAtGeneration) {
            return 0;
        }
        int changed = reprice();
        pricedAtGeneration = generation;
        return changed;
    }

    /** Re-prices every stored provisional call whose price differs now; returns how many changed. */
    synchronized int reprice() {
        int changed = 0;
        int nowPriced = 0;
        long after = 0;
        while (true) {
            List<ProvisionalCall> batch = calls.provisionalAfter(after, BATCH);
            List<Repricing> changes = new ArrayList<>();
            for (ProvisionalCall p : batch) {
                CallCost real = pricing.price(p.provider(), p.model(), p.responseModel(), p.usage(),
                        java.time.Instant.ofEpochMilli(p.timestampMillis()), 0);
                if (real.priced()) {
                    changes.add(new Repricing(p, real.micros(), true, real.recordedEntry()));
                    nowPriced++;
                    continue;
                }
                CallCost standIn = pricing.provisional(p.provider(), p.usage(), real.unpricedReason());
                if (standIn.micros() != p.costMicros() || !Objects.equals(standIn.entryKey(), p.priceEntry())) {
                    changes.add(new Repricing(p, standIn.micros(), false, standIn.entryKey()));
                }
            }
            changed += calls.reprice(changes);
            if (batch.size() < BATCH) {
                break;
            }
            after = batch.get(batch.size() - 1).id();
        }
        if (changed > 0) {
            LOG.info("prices changed: re-priced {} call(s) stored at provisional prices ({} now at a real price)",
                    changed, nowPriced);
            rebuild();
        }
        return changed;
    }

    /** Rebuilds this process's running totals when another process re-priced stored calls; true when it did. */
    synchronized boolean followOthers() {
        String now = mark();
        if (Objects.equals(now, seenMark)) {
            return false;
        }
        rebuild();
        return true;
    }

    private void rebuild() {
        // The mark is read before the rows: a re-pricing that commits in between is folded in next time.
        seenMark = mark();
        tracker.rebuild(calendar.get(), clock.instant());
    }

    private String mark() {
        return meta.get(CallStore.REPRICED_KEY).orElse("");
    }
}
