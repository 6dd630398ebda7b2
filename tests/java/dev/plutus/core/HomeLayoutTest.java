package dev.plutus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.PlutusHome;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default home follows $HOME as the Python bridge does, and hints name the home they are for. */
class HomeLayoutTest {
    @Test
    void theDefaultHomeFollowsHomeFromTheEnvironmentLikeTheBridge(@TempDir Path tmp) {
        Map<String, String> env = Map.of("HOME", tmp.toString());
        assertEquals(tmp.resolve(".hermes/plutus"), HomeLayout.resolve(null, env).dir());
        assertEquals(tmp.resolve(".hermes/plutus"), PlutusHome.resolve(null, env).dir());
        assertEquals(tmp.resolve("elsewhere"), HomeLayout.resolve(null, Map.of("HOME", tmp.toString(),
                "PLUTUS_HOME", tmp.resolve("elsewhere").toString())).dir(), "PLUTUS_HOME still wins");
        assertEquals(Path.of(System.getProperty("user.home"), ".hermes", "plutus").toAbsolutePath().normalize(),
                HomeLayout.resolve(null, Map.of()).dir(), "without HOME, the JVM's user.home");
        assertEquals(HomeLayout.resolve(null, Map.of()).dir(), HomeLayout.resolve(null, Map.of("HOME", " ")).dir(), "a blank HOME is unset");
    }

    @Test
    void aHintCarriesHomeOnlyWhenABareCommandWouldFindAnotherOne(@TempDir Path tmp) {
        Map<String, String> env = Map.of("HOME", tmp.toString());
        assertEquals("plutus serve", new HomeLayout(tmp.resolve(".hermes/plutus")).command("serve", env));
        assertEquals("plutus serve", new HomeLayout(tmp.resolve(".hermes/./plutus")).command("serve", env), "the same directory");

        HomeLayout spaced = new HomeLayout(tmp.resolve("my plutus"));
        assertEquals("plutus setup pricing auto --home '" + tmp.resolve("my plutus") + "'", spaced.command("setup pricing auto", env));
        HomeLayout plain = new HomeLayout(tmp.resolve("data"));
        assertEquals("plutus status --home " + tmp.resolve("data"), plain.command("status", env));
        assertFalse(plain.isDefault(env));
        assertTrue(new HomeLayout(tmp.resolve(".hermes/plutus")).isDefault(env));
    }

    @Test
    void shellQuotingReadsBackAsTheSameWord() {
        assertEquals("/srv/plutus-1", HomeLayout.shellQuoted("/srv/plutus-1"));
        assertEquals("'/srv/my plutus'", HomeLayout.shellQuoted("/srv/my plutus"));
        assertEquals("'/srv/it'\"'\"'s'", HomeLayout.shellQuoted("/srv/it's"));
        assertEquals("'~/plutus'", HomeLayout.shellQuoted("~/plutus"), "a leading ~ would be expanded by the shell");
        assertEquals("'$HOME'", HomeLayout.shellQuoted("$HOME"));
    }
}
