package dev.plutus.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.provider.ProviderException.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** DeepSeek: {@code GET /user/balance} (per currency; other currencies converted at configured rates), {@code GET /models}. */
final class DeepSeekClient implements ProviderClient {

    @Override
    public ProviderReading read(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        JsonNode body = ProviderHttp.json(r, ProviderHttp.get(r, "/user/balance")
                .header("Authorization", "Bearer " + r.credential().secret()).build());
        JsonNode infos = body.path("balance_infos");
        if (!infos.isArray()) {
            throw new ProviderException(Kind.MALFORMED, "DeepSeek /user/balance has no balance_infos list");
        }
        long totalMicros = 0;
        boolean counted = false;
        List<String> parts = new ArrayList<>();
        List<String> unconverted = new ArrayList<>();
        for (JsonNode info : infos) {
            String currency = info.path("currency").asText("").toUpperCase();
            BigDecimal total = ProviderHttp.decimal(info, "total_balance", "DeepSeek /user/balance");
            if (currency.isEmpty() || total == null) {
                throw new ProviderException(Kind.MALFORMED, "DeepSeek /user/balance: an entry lacks currency or total_balance");
            }
            parts.add(currency + " " + total.toPlainString());
            BigDecimal rate = currency.equals("USD") ? BigDecimal.ONE : r.usdPerUnit().get(currency);
            if (rate == null) {
                unconverted.add(currency);
                continue;
            }
            totalMicros += ProviderHttp.micros(total.multiply(rate));
            counted = true;
        }
        if (!counted && !unconverted.isEmpty()) {
            throw new ProviderException(Kind.UNSUPPORTED, "balance is held in " + String.join(", ", parts)
                    + "; set currency_rates: {" + unconverted.get(0) + ": <USD per " + unconverted.get(0)
                    + ">} in runway.yaml to count it");
        }
        boolean available = body.path("is_available").asBoolean(true);
        String detail = String.join(" + ", parts) + (unconverted.isEmpty() ? ""
                : " (" + String.join(", ", unconverted) + " not counted: no rate in runway.yaml)")
                + (available ? "" : "; account not available for calls");
        return ProviderReading.ofBalance(new LiveBalance(available ? totalMicros : 0L, null, null, false, available, detail));
    }

    @Override
    public Set<String> models(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        JsonNode body = ProviderHttp.json(r, ProviderHttp.get(r, "/models")
                .header("Authorization", "Bearer " + r.credential().secret()).build());
        return ProviderHttp.ids(body.path("data"), "id", null, "DeepSeek /models");
    }
}
