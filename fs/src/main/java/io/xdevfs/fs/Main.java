package io.xdevfs.fs;

import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code xdevfs}: the command line. */
@Command(name = "xdevfs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A FUSE filesystem for write-ahead logs over tiered local storage.",
        subcommands = {MountCommand.class, UmountCommand.class, StatsCommand.class, HealthCommand.class,
                BenchCommand.class, ConfigCommand.class, TierCommand.class, FormatCommand.class, FsckCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UsageException) {
                cmd.getErr().println("xdevfs: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"xdevfs " + p.getProperty("version", "unknown")
                    + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
