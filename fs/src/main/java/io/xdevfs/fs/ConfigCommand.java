package io.xdevfs.fs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code xdevfs config check FILE}: validate a configuration and print what would be used. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with configuration files.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate FILE and print the effective configuration; exit 2 if it is invalid.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The INI configuration file.")
        Path file;

        @Override
        public Integer call() {
            try {
                System.out.print(ConfigLoader.render(ConfigLoader.loadAll(file)));
                return 0;
            } catch (ConfigException e) {
                e.problems().forEach(p -> System.err.println("xdevfs: " + p));
                return 2;
            }
        }
    }
}
