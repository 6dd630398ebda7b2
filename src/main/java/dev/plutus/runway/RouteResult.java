package dev.plutus.runway;

import java.nio.file.Path;

/** One router run: the plan, what became of it ({@code written}, {@code unchanged}, {@code dry-run}, {@code planned}), the diff and the backup. */
public record RouteResult(RoutingPlan plan, String outcome, String diff, Path backup, Path config) {
}
