package dev.plutus.hermes;

/** What a hook asks Hermes to do: nothing, add context to the turn, or block the tool call. */
public sealed interface HookAction permits HookAction.None, HookAction.InjectContext, HookAction.BlockTool {

    record None() implements HookAction {}

    record InjectContext(String text) implements HookAction {}

    record BlockTool(String message) implements HookAction {}

    HookAction NONE = new None();
}
