package io.xdevfs.fs;

import io.xdevfs.fs.config.ConfigException;
import io.xdevfs.fs.config.ConfigLoader;
import io.xdevfs.fs.config.ConfigPreflight;
import io.xdevfs.fs.config.IniFile;
import io.xdevfs.fs.daemon.MemoryBudget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code xdevfs config check FILE}: validate a configuration and print what would be used. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with configuration files.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.JvmOptions.class})
final class ConfigCommand {

    /** What the launcher gives a foreground daemon's JVM, so that the memory budget binds there too. */
    @Command(name = "jvm-options", mixinStandardHelpOptions = true,
            description = "Print the JVM options that hold a daemon with FILE (or the embedded default) to its "
                    + "memory budget; mount-scripts/xdevfs passes them to a --foreground daemon.")
    static final class JvmOptions implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "0..1", description = "The INI configuration file.")
        Path file;

        @picocli.CommandLine.Option(names = "--dispatch", paramLabel = "single|multi", defaultValue = "single")
        MountCommand.Dispatch dispatch;

        @Override
        public Integer call() {
            try {
                ConfigLoader.Config config = file == null ? ConfigLoader.Config.defaults() : ConfigLoader.loadAll(file);
                System.out.println(String.join(" ",
                        MemoryBudget.of(config, dispatch == MountCommand.Dispatch.single).jvmOptions()));
                return 0;
            } catch (ConfigException e) {
                e.problems().forEach(p -> System.err.println("xdevfs: " + p));
                return 2;
            }
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Validate FILE, print the effective configuration, and check what can be checked "
                    + "without mounting (directories exist or can be created, metrics_port is free).",
                    "Ends with one line saying whether the configuration is valid; exit 2 if it is not."})
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The INI configuration file.")
        Path file;

        @Override
        public Integer call() {
            ConfigLoader.Config config;
            IniFile ini;
            try {
                config = ConfigLoader.loadAll(file);
                ini = IniFile.read(file);
            } catch (ConfigException e) {
                e.problems().forEach(p -> System.err.println("xdevfs: " + p));
                System.err.println("xdevfs: " + file + " is not valid (" + e.problems().size() + " error"
                        + (e.problems().size() == 1 ? "" : "s") + ")");
                return 2;
            } catch (java.io.IOException e) {
                System.err.println("xdevfs: " + file + ": cannot read the configuration: " + ConfigLoader.reason(e));
                return 2;
            }
            System.out.print(ConfigLoader.render(config));
            List<ConfigPreflight.Finding> findings = ConfigPreflight.check(ini, config);
            long errors = findings.stream().filter(ConfigPreflight.Finding::error).count();
            findings.forEach(f -> System.err.println("xdevfs: " + (f.error() ? "error: " : "warning: ") + f.text()));
            if (errors > 0) {
                System.err.println("xdevfs: " + file + " is valid, but a mount with it would fail now (" + errors
                        + " error" + (errors == 1 ? "" : "s") + " above)");
                return 2;
            }
            long warnings = findings.size() - errors;
            System.out.println("xdevfs: " + file + " is valid" + (warnings == 0 ? ""
                    : " (" + warnings + " warning" + (warnings == 1 ? "" : "s") + ")"));
            return 0;
        }
    }
}
