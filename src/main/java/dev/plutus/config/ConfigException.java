package dev.plutus.config;

/** A configuration file is wrong. The message names the file, the line and the field. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
