package dev.plutus.provider;

import dev.plutus.provider.ProviderException.Kind;
import java.util.Set;

/** A provider with no API Plutus can ask: runway is budget minus recorded spend, and its models cannot be verified. */
final class NoApiClient implements ProviderClient {

    @Override
    public ProviderReading read(ProviderRequest r) {
        return ProviderReading.nothing();
    }

    @Override
    public Set<String> models(ProviderRequest r) throws ProviderException {
        throw new ProviderException(Kind.UNSUPPORTED, "kind none has no model list to check against");
    }
}
