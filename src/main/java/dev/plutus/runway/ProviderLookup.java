package dev.plutus.runway;

import dev.plutus.provider.Credentials;
import dev.plutus.provider.ProviderException;
import java.util.Set;

/** What a router may ask of the runway: a provider's live model list, and the keys providers are read with. */
public interface ProviderLookup {
    Set<String> liveModels(ProviderConfig provider, RunwayConfig config) throws ProviderException;

    Credentials credentials(RunwayConfig config);
}
