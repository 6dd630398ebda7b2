package dev.plutus.provider;

import java.util.Set;

/** Asks one provider's API what it can tell: its balance or rate-limit state, and its live model ids. */
public interface ProviderClient {

    /** Balance and/or rate limits; throws with the reason when the provider cannot be read. */
    ProviderReading read(ProviderRequest request) throws ProviderException;

    /** The model ids the provider serves right now. */
    Set<String> models(ProviderRequest request) throws ProviderException;
}
