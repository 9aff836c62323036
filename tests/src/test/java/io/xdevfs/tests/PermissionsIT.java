package io.xdevfs.tests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A root mount serves other users (allow_other) under the usual permission checks (default_permissions):
 * a database user writes in the directory it was given, another unprivileged user gets EACCES.
 */
class PermissionsIT extends OneMountPerClass {
    static final String DB = "xdevfs-db";
    static final String OTHER = "xdevfs-other";

    @BeforeAll
    static void createUsers() throws Exception {
        for (String user : new String[] {DB, OTHER}) {
            if (Run.of("id", user).exit() != 0) {
                Run.ok("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user);
            }
        }
        // the test's temporary directory is 0700; let the other users reach the mount point
        Files.setPosixFilePermissions(fs.root, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Run as(String user, String script) {
        return Run.of("runuser", "-u", user, "--", "bash", "-c", script);
    }

    @Test
    void theDatabaseUserWritesWhereItWasGivenAndOthersAreRefused() throws Exception {
        Path data = Files.createDirectory(fs.path("pgdata"));
        Run.ok("chown", DB + ":" + DB, data.toString());
        Run.ok("chmod", "700", data.toString());

        Run write = as(DB, "cd " + data + " && echo wal > 000000010000000000000001 && mkdir pg_wal && cat 000000010000000000000001");
        assertEquals(0, write.exit(), write.output());
        assertEquals("wal", write.output().strip());
        assertEquals(DB + " " + DB, Run.ok("stat", "-c", "%U %G", data.resolve("000000010000000000000001").toString()).strip(),
                "new files belong to the caller");
        assertEquals(DB, Run.ok("stat", "-c", "%U", data.resolve("pg_wal").toString()).strip());
        assertEquals(DB, Run.ok("stat", "-c", "%U", fs.base.resolve("pgdata/pg_wal").toString()).strip(),
                "and so do their backing files");

        Run denied = as(OTHER, "echo x > " + data + "/intruder");
        assertNotEquals(0, denied.exit());
        assertTrue(denied.output().contains("Permission denied"), denied.output());
        Run list = as(OTHER, "ls " + data);
        assertTrue(list.exit() != 0 && list.output().contains("Permission denied"), list.output());
    }

    @Test
    void otherUsersSeeTheMountAndModesDecide() throws Exception {
        Path open = Files.createDirectory(fs.path("shared"));
        Files.writeString(open.resolve("public"), "for all");
        Files.writeString(open.resolve("private"), "root only");
        Run.ok("chmod", "644", open.resolve("public").toString());
        Run.ok("chmod", "600", open.resolve("private").toString());
        assertEquals("for all", as(OTHER, "cat " + open + "/public").output().strip());
        Run secret = as(OTHER, "cat " + open + "/private");
        assertTrue(secret.exit() != 0 && secret.output().contains("Permission denied"), secret.output());
        Run write = as(OTHER, "echo x >> " + open + "/public");
        assertTrue(write.exit() != 0 && write.output().contains("Permission denied"), write.output());
        assertEquals("False", as(OTHER, "python3 -c \"import os; print(os.access('" + open + "/private', os.R_OK))\"")
                .output().strip());
    }

    @Test
    void setgidDirectoriesPassTheirGroupOn() throws Exception {
        Path team = Files.createDirectory(fs.path("team"));
        Run.ok("chown", "root:" + OTHER, team.toString());
        Run.ok("chmod", "2777", team.toString());
        Run r = as(DB, "echo x > " + team + "/f && stat -c %G " + team + "/f");
        assertEquals(0, r.exit(), r.output());
        assertEquals(OTHER, r.output().strip());
    }

    /**
     * A user's create with set-user-ID or set-group-ID (its own group) keeps those bits, as on a local
     * filesystem: the daemon creates as root and then gives the file to the caller, and that chown had
     * cleared them.
     */
    @Test
    void filesCreatedWithSetIdBitsKeepThem() throws Exception {
        Path pub = Files.createDirectory(fs.path("pub"));
        Run.ok("chmod", "1777", pub.toString());
        Run r = as(DB, "/usr/bin/python3 -c \"import os; [os.close(os.open('" + pub + "/' + n, os.O_CREAT | os.O_WRONLY, m))"
                + " for n, m in (('suid', 0o4755), ('sgid', 0o2755))]\" && stat -c '%a %U %G' " + pub + "/suid " + pub + "/sgid");
        assertEquals(0, r.exit(), r.output());
        assertEquals("4755 " + DB + " " + DB + "\n2755 " + DB + " " + DB, r.output().strip());
        assertEquals("4755", Run.ok("stat", "-c", "%a", fs.base.resolve("pub/suid").toString()).strip(), "the backing file too");
    }
}
