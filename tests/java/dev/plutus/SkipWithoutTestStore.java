package dev.plutus;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * For jqwik classes on the PostgreSQL pass: skips them, saying why, when no test server is
 * configured (outside CI), as JUnit does for an aborted test; jqwik would count every try as
 * rejected and fail the property instead.
 */
public final class SkipWithoutTestStore implements SkipExecutionHook {
    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        boolean postgresPass = "postgres".equals(System.getProperty("plutus.test.store"));
        String url = System.getenv("PLUTUS_TEST_PG_URL");
        if (postgresPass && (url == null || url.isBlank()) && !"true".equals(System.getenv("CI"))) {
            return SkipResult.skip("no PostgreSQL test server (PLUTUS_TEST_PG_URL): .ci/postgres starts one");
        }
        return SkipResult.doNotSkip();
    }
}
