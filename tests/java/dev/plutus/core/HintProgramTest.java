package dev.plutus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hint names the program as it can be run: plutus when that word finds this installation, else bin/plutus's path. */
class HintProgramTest {
    private static Path executable(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void theLauncherPathWhenPlutusOnPathIsAbsentOrAnotherInstallation(@TempDir Path tmp) throws Exception {
        Path launcher = executable(tmp.resolve("opt/plutus dir/bin/plutus"));
        Path emptyBin = Files.createDirectories(tmp.resolve("empty-bin"));
        HomeLayout home = new HomeLayout(tmp.resolve(".hermes/plutus"));
        Map<String, String> noPlutusOnPath = Map.of("HOME", tmp.toString(), "PLUTUS_LAUNCHER", launcher.toString(),
                "PATH", emptyBin.toString());
        assertEquals("'" + launcher + "' serve", home.command("serve", noPlutusOnPath), "only bin/plutus exists: its path, quoted");

        Path other = executable(tmp.resolve("other-bin/plutus"));
        assertEquals("'" + launcher + "' stats", home.command("stats", Map.of("HOME", tmp.toString(), "PLUTUS_LAUNCHER",
                launcher.toString(), "PATH", other.getParent().toString())), "a plutus on PATH that is another installation");

        Path linkDir = Files.createDirectories(tmp.resolve("link-bin"));
        Files.createSymbolicLink(linkDir.resolve("plutus"), launcher);
        assertEquals("plutus stats", home.command("stats", Map.of("HOME", tmp.toString(), "PLUTUS_LAUNCHER", launcher.toString(),
                "PATH", emptyBin + java.io.File.pathSeparator + linkDir)), "plutus on PATH is this launcher (a symlink to it)");

        assertEquals("plutus stats", home.command("stats", Map.of("HOME", tmp.toString(), "PATH", emptyBin.toString())),
                "no launcher named (the jar run directly): plutus");
        assertEquals("'" + launcher + "' stats --home " + tmp.resolve("data"),
                new HomeLayout(tmp.resolve("data")).command("stats", noPlutusOnPath), "with the home a bare command would miss");
    }
}
