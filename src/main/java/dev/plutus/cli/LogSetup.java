package dev.plutus.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.plutus.core.HomeLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Where the log of the {@code plutus} command and daemon goes. Logback is set up here, in code, and
 * only by the command line: the jar ships no logback.xml, so an application that embeds Plutus as a
 * library keeps its own SLF4J backend and configuration.
 *
 * <p>{@code plutus.log} in PLUTUS_HOME holds one JSON object per line, written by Logback's
 * JsonEncoder: {@code timestamp} (epoch milliseconds), {@code level}, {@code threadName},
 * {@code loggerName}, {@code formattedMessage} and {@code throwable} (null, or class, message, stack
 * and causes). The daemon and CLI commands write it at the same time through {@link SharedLogAppender}.
 * It rotates when a record would take it past {@value #MAX_FILE_BYTES} bytes (10 MiB), keeping
 * {@value #MAX_FILES} files ({@code plutus.log}, {@code plutus.log.1} … {@code .4}, oldest last), so
 * the log never takes more than about 50 MiB. New files are created 0600: records may name
 * sessions, models and hosts.
 *
 * <p>Records logged through java.util.logging (the PostgreSQL driver's) are bridged into SLF4J,
 * so they land in the same place.
 */
final class LogSetup {
    static final long MAX_FILE_BYTES = 10L * 1024 * 1024;
    static final int MAX_FILES = 5;

    private LogSetup() {
    }

    /**
     * Before a command knows its home: INFO and above to stderr, in the two-line shape
     * java.util.logging's console used; stdout stays for the command's output.
     */
    static void toConsole() {
        LoggerContext context = reset();
        PatternLayoutEncoder twoLines = new PatternLayoutEncoder();
        twoLines.setContext(context);
        twoLines.setPattern("%d{\"MMM dd, yyyy h:mm:ss a\"} %logger%n%level: %msg%n%ex");
        twoLines.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(twoLines);
        stderr.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(stderr);
    }

    /** The log to the home's plutus.log only, keeping the terminal for command output. */
    static void toFile(HomeLayout home) {
        try {
            Files.createDirectories(home.dir());
        } catch (IOException e) {
            System.err.println("plutus: cannot write " + home.logFile() + ": " + e.getMessage());
            return;
        }
        toFile(home.logFile(), MAX_FILE_BYTES, MAX_FILES);
    }

    /** The log to {@code file} only, rotated at {@code maxFileBytes} keeping {@code maxFiles} files. */
    static void toFile(Path file, long maxFileBytes, int maxFiles) {
        LoggerContext context = reset();
        try {
            SharedLogAppender shared = SharedLogAppender.open(file, maxFileBytes, maxFiles, jsonLines(context));
            shared.setContext(context);
            shared.setName("plutus.log");
            shared.start();
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(shared);
        } catch (IOException e) {
            System.err.println("plutus: cannot write " + file + ": " + e.getMessage());
        }
    }

    /** One JSON object per event and line, with the fields listed above. */
    static JsonEncoder jsonLines(LoggerContext context) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithMDC(false); // Plutus puts nothing there
        json.setWithMessage(false); // the pattern with its {} and the arguments apart: formattedMessage says it all
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.start();
        return json;
    }

    /** Logback with no appender, INFO and above (HikariCP's WARN: it reports every pool start), and JUL bridged in. */
    private static LoggerContext reset() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        context.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        return context;
    }
}
