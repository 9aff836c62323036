package io.xdevfs.fs;

import io.xdevfs.fs.daemon.ControlClient;
import io.xdevfs.fs.fuse.ControlXattrs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code xdevfs health MOUNTPOINT}: exit 0 when healthy, 1 with the reasons when not. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Check a mount now: its daemon answers, the backing store takes a synced write and has "
                + "free space, and no I/O failures happened since the previous check.",
                "Exit 0 if healthy, 1 (with the reasons) if not."})
final class HealthCommand implements Callable<Integer> {
    private static final Pattern REASON = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Parameters(paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Override
    public Integer call() {
        ControlClient client = new ControlClient(mountPoint);
        String json;
        try {
            json = client.get(ControlXattrs.HEALTH);
        } catch (IOException e) {
            if (ControlClient.cannotAsk(e)) {
                throw new UsageException(client.explain(e)); // not unhealthy: this user cannot ask this mount
            }
            System.out.println("unhealthy: " + client.explain(e));
            return 1;
        }
        if (json.contains("\"healthy\": true")) {
            System.out.println("healthy");
            return 0;
        }
        System.out.println("unhealthy:");
        for (String reason : reasons(json)) {
            System.out.println("  - " + reason);
        }
        return 1;
    }

    static List<String> reasons(String json) {
        List<String> out = new ArrayList<>();
        String list = json.substring(json.indexOf('[') + 1, json.lastIndexOf(']'));
        Matcher m = REASON.matcher(list);
        while (m.find()) {
            out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return out;
    }
}
